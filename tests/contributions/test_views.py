import io

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from contributions import workflow
from contributions.models import BlockedSender, Submission, SubmissionEvent
from tests.conftest import make_image_file

from .conftest import article_text
from .docx_factory import make_docx

pytestmark = pytest.mark.django_db
SUBMIT = reverse("contributions:submit")


def form_data(**overrides):
    data = {
        "name": "Ada Guest",
        "email": "ada@example.net",
        "title": "Inside the chip shortage",
        "body": article_text(150, seed="chip"),
        "bio": "Ada designs chips.",
        "suggested_tags": "chips, supply",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def post(client, data, **extra):
    return client.post(SUBMIT, data, **extra)


class TestForm:
    def test_page_shows_guidelines_and_form(self, client):
        response = client.get(SUBMIT)
        assert response.status_code == 200
        page = response.content.decode()
        assert "Contribution guidelines" in page
        assert 'name="csrfmiddlewaretoken"' in page
        assert 'enctype="multipart/form-data"' in page
        assert "django_prose_editor/editor.js" in page  # the rich-text editor, served by us

    def test_success_thanks_and_tracking(self, client, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = post(client, form_data(images=[make_image_file("a.png"), make_image_file("b.jpg", fmt="JPEG")]))
        assert response.status_code == 302
        assert response["Location"] == reverse("contributions:thanks")
        submission = Submission.objects.get()
        assert submission.channel == Submission.Channel.WEB
        assert submission.images.count() == 2
        assert submission.ip_address == "127.0.0.1"
        assert submission.consent_at is not None
        thanks = client.get(response["Location"])
        assert submission.get_absolute_url() in thanks.content.decode()
        status = client.get(submission.get_absolute_url())
        assert status.status_code == 200
        assert "Status: Received" in status.content.decode()
        assert status["X-Robots-Tag"] == "noindex, nofollow"
        assert mail.outbox[0].to == ["ada@example.net"]

    def test_csrf_is_enforced(self, db):
        from django.test import Client

        response = post(Client(enforce_csrf_checks=True), form_data())
        assert response.status_code == 403
        assert not Submission.objects.exists()

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"website": "http://spam.example"}, "looks like an automated submission"),
            ({"consent": ""}, "confirm that you agree"),
            ({"body": ""}, "Write your article in the editor or attach it"),
            ({"body": "<p>Too short.</p>"}, "we need at least 50"),
            ({"email": "not-an-email"}, "Enter a valid email address"),
            ({"title": ""}, "This field is required"),
        ],
        ids=["honeypot", "consent", "empty", "short", "email", "title"],
    )
    def test_refusals_keep_what_was_typed(self, client, overrides, message):
        response = post(client, form_data(**overrides))
        assert response.status_code == 400
        page = response.content.decode()
        assert message in page
        kept = {"name": "Ada Guest", "title": "Inside the chip shortage", "bio": "Ada designs chips."}
        for name, value in kept.items():
            if name not in overrides:
                assert value in page  # what was typed is kept
        assert not Submission.objects.exists()

    def test_blocked_sender(self, client):
        BlockedSender.objects.create(address="@example.net")
        response = post(client, form_data())
        assert response.status_code == 400
        assert "cannot accept contributions from this address" in response.content.decode()

    def test_image_that_is_not_an_image(self, client):
        fake = SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
        response = post(client, form_data(images=[fake]))
        assert response.status_code == 400
        assert "is not a JPEG, PNG, WebP or GIF image" in response.content.decode()
        assert "attach your files again" in response.content.decode()

    def test_truncated_image(self, client):
        good = make_image_file("cut.png")
        truncated = SimpleUploadedFile("cut.png", good.read()[:200], content_type="image/png")
        response = post(client, form_data(images=[truncated]))
        assert response.status_code == 400
        assert not Submission.objects.exists()

    def test_decompression_bomb(self, client):
        buffer = io.BytesIO()
        Image.new("1", (20000, 20000)).save(buffer, "PNG")
        bomb = SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")
        response = post(client, form_data(images=[bomb]))
        assert response.status_code == 400
        assert "megapixels" in response.content.decode()

    def test_too_many_images(self, client):
        images = [make_image_file(f"{n}.png") for n in range(6)]
        response = post(client, form_data(images=images))
        assert response.status_code == 400
        assert "at most 5 images" in response.content.decode()

    def test_images_lose_their_metadata(self, client):
        buffer = io.BytesIO()
        exif = Image.Exif()
        exif[0x010F] = "SpyCam"  # Make
        exif.get_ifd(0x8825)[2] = (51.0, 30.0, 0.0)  # GPS latitude
        Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG", exif=exif)
        upload = SimpleUploadedFile("gps.jpg", buffer.getvalue(), content_type="image/jpeg")
        assert post(client, form_data(images=[upload])).status_code == 302
        stored = Submission.objects.get().images.get().image
        with Image.open(stored.open("rb")) as img:
            assert not img.getexif()
        assert "gps" not in stored.name  # stored under a random name

    def test_docx_instead_of_body_keeps_its_images(self, client, django_capture_on_commit_callbacks):
        words = article_text(120, seed="docx").removeprefix("<p>").removesuffix("</p>")
        docx = make_docx(
            heading="From Word",
            paragraphs=[words],
            images=[Image.new("RGB", (40, 30), (0, 128, 0)), Image.new("RGB", (30, 40), (0, 0, 128))],
        )
        upload = SimpleUploadedFile("piece.docx", docx)
        with django_capture_on_commit_callbacks(execute=True):
            response = post(client, form_data(body="", document=upload))
        assert response.status_code == 302, response.content.decode()[:2000]
        submission = Submission.objects.get()
        assert submission.images.count() == 2
        assert "<h2>From Word</h2>" in submission.body
        for image in submission.images.all():
            assert image.image.url in submission.body  # cid: references became stored images
        assert "cid:" not in submission.body
        assert submission.original_document

    def test_body_and_docx_together_is_refused(self, client):
        upload = SimpleUploadedFile("piece.docx", make_docx(paragraphs=["Hello world"]))
        response = post(client, form_data(document=upload))
        assert "either in the editor or as a Word document, not both" in response.content.decode()

    def test_not_a_docx(self, client):
        upload = SimpleUploadedFile("piece.docx", b"just text")
        response = post(client, form_data(body="", document=upload))
        assert response.status_code == 400
        assert "is not a Word (.docx) document" in response.content.decode()

    HOSTILE = (
        '<script>alert(1)</script><img src=x onerror="alert(1)"><a href="javascript:alert(1)">j</a>'
        '<a href="data:text/html,<script>alert(1)</script>">d</a><svg onload="alert(1)"></svg>'
        '<iframe src="https://evil.example"></iframe><form action="https://evil.example"><input></form>'
        '<meta http-equiv="refresh" content="0;url=https://evil.example">'
    )

    @pytest.mark.parametrize("field", ["name", "title", "bio", "suggested_tags"])
    def test_html_in_a_plain_text_field_is_refused_with_the_reason(self, client, field):
        response = post(client, form_data(**{field: f"Ann {self.HOSTILE[:100]}"}))
        assert response.status_code == 400
        assert "is plain text, and “&lt;script&gt;” is HTML" in response.content.decode()
        assert not Submission.objects.exists()

    def test_hostile_html_in_the_body_never_survives(self, client, django_capture_on_commit_callbacks):
        field = "body"
        value = article_text() + self.HOSTILE
        with django_capture_on_commit_callbacks(execute=True):
            response = post(client, form_data(**{field: value}))
        assert response.status_code == 302
        submission = Submission.objects.get()
        for bad in ["<script", "onerror", "javascript:", "data:", "<svg", "<iframe", "<form", "<meta", "onload"]:
            assert bad not in submission.body
        pages = [client.get(submission.get_absolute_url()).content.decode(), mail.outbox[0].body]
        for page in pages[:1]:
            assert "<script>alert(1)</script>" not in page
            assert 'onerror="alert(1)"' not in page
            assert "<iframe" not in page

    def test_request_too_large(self, client, settings):
        settings.BYLINE_SUBMISSION_MAX_REQUEST_BYTES = 1000
        response = post(client, form_data(body=article_text(400)))
        assert response.status_code == 413
        assert "Your submission is too large" in response.content.decode()
        assert not Submission.objects.exists()

    def test_rate_limit_per_ip(self, client, settings, django_capture_on_commit_callbacks):
        settings.BYLINE_SUBMISSIONS_PER_HOUR = 2
        with django_capture_on_commit_callbacks(execute=True):
            assert post(client, form_data(title="One")).status_code == 302
            assert post(client, form_data(title="Two")).status_code == 302
        refused = post(client, form_data(title="Three"))
        assert refused.status_code == 429
        assert "wait an hour" in refused.content.decode()
        assert "Three" in refused.content.decode()  # kept
        assert Submission.objects.count() == 2
        other_ip = post(client, form_data(title="Four"), REMOTE_ADDR="10.0.0.9")
        assert other_ip.status_code == 302


class TestStatusPage:
    def test_shows_public_history_but_never_internal_notes(self, client, submission, editor):
        workflow.claim(submission, editor)
        workflow.request_changes(submission, editor, "Please cite the study.", note="SECRET internal remark")
        page = client.get(submission.get_absolute_url()).content.decode()
        assert "Please cite the study." in page
        assert "SECRET" not in page
        assert "Claimed" not in page
        assert editor.username not in page

    def test_contributor_sends_a_revision(self, client, submission, editor):
        workflow.request_changes(submission, editor, "Shorter title please.")
        response = client.post(
            submission.get_absolute_url(), {"title": "Short", "body": article_text(80), "note": "Done"}
        )
        assert response.status_code == 302
        submission.refresh_from_db()
        assert (submission.title, submission.status) == ("Short", Submission.Status.RECEIVED)

    def test_no_revision_form_unless_changes_were_requested(self, client, submission):
        response = client.post(submission.get_absolute_url(), {"title": "Sneaky", "body": article_text(80)})
        assert response.status_code == 200
        submission.refresh_from_db()
        assert submission.title != "Sneaky"

    def test_unknown_token_and_spam_are_404(self, client, submission, editor):
        assert client.get(reverse("contributions:status", kwargs={"token": "nope"})).status_code == 404
        workflow.mark_spam(submission, editor)
        assert client.get(submission.get_absolute_url()).status_code == 404


class TestQueryCounts:
    """The public contribution pages run a fixed number of queries."""

    def test_form_page(self, client, django_assert_num_queries, incoming):
        for n in range(3):
            workflow.receive(incoming(title=f"Queue {n}"))
        cache.clear()
        with django_assert_num_queries(3):  # site settings, footer menu, guidelines page
            client.get(SUBMIT)

    @pytest.mark.parametrize("rounds", [0, 4])
    def test_status_page(self, client, django_assert_num_queries, submission, editor, rounds):
        for n in range(rounds):  # each round adds two public history entries
            workflow.request_changes(submission, editor, f"Round {n}")
            workflow.revise(submission, title=f"Take {n}", body=article_text())
        assert submission.events.filter(kind__in=SubmissionEvent.PUBLIC_KINDS).count() == 1 + 2 * rounds
        cache.clear()
        with django_assert_num_queries(5):  # site settings, footer menu, submission, its images, public events
            client.get(submission.get_absolute_url())
