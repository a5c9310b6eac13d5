"""A revision after "changes requested": text, pictures (add, keep, replace, remove) and a new Word document,
on the tracking page and by email, with the first submission's limits."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from contributions import workflow
from contributions.forms import MAX_IMAGES
from contributions.inbound import ingest
from contributions.models import Submission, SubmissionEvent, SubmissionImage
from contributions.uploads import MAX_DOCX_BYTES, process_image
from tests.conftest import make_image_file

from . import email_factory
from .conftest import article_text
from .docx_factory import make_docx

pytestmark = pytest.mark.django_db
Status = Submission.Status


def processed(name="photo.png", color=(30, 90, 200)):
    return process_image(make_image_file(name, color=color), name=name)


@pytest.fixture
def with_pictures(db, incoming, editor, django_capture_on_commit_callbacks):
    """A web submission with two attached pictures, changes requested."""
    with django_capture_on_commit_callbacks(execute=True):
        submission = workflow.receive(
            incoming(images=[(None, processed("harbour.png")), (None, processed("crane.png", (200, 30, 30)))])
        )
        workflow.request_changes(submission, editor, "Please add a picture of the new terminal.")
    return submission


def pictures(submission):
    return {image.original_name: image for image in SubmissionImage.objects.filter(submission=submission)}


def current(submission):
    return list(submission.images.filter(removed_at__isnull=True).values_list("original_name", flat=True))


def revise_data(submission, **overrides):
    data = {"title": submission.title, "body": submission.body, "note": ""}
    data.update(overrides)
    return data


def post(client, submission, data):
    return client.post(submission.get_absolute_url(), data)


class TestRevisionForm:
    def test_the_form_offers_each_picture_and_the_files(self, client, with_pictures):
        page = client.get(with_pictures.get_absolute_url()).content.decode()
        assert 'enctype="multipart/form-data"' in page
        for image in with_pictures.images.all():
            assert f'name="picture-{image.pk}"' in page
            assert f'name="picture-{image.pk}-file"' in page
            assert image.image.url in page  # its thumbnail
        assert 'name="images"' in page and 'name="document"' in page
        assert "Its text replaces your article" in page  # the rule for a new document, said on the form

    def test_adding_a_picture(self, client, with_pictures):
        response = post(client, with_pictures, revise_data(with_pictures, images=[make_image_file("terminal.png")]))
        assert response.status_code == 302
        with_pictures.refresh_from_db()
        assert with_pictures.status == Status.RECEIVED
        assert current(with_pictures) == ["harbour.png", "crane.png", "terminal.png"]
        assert with_pictures.report["image_count"] == 3  # the analysis ran again
        event = with_pictures.events.last()
        assert event.kind == SubmissionEvent.Kind.REVISED
        assert event.data["pictures_added"] == ["terminal.png"]
        assert "pictures_removed" not in event.data

    def test_replacing_and_removing_keep_the_old_files(self, client, with_pictures):
        before = pictures(with_pictures)
        harbour, crane = before["harbour.png"], before["crane.png"]
        data = revise_data(
            with_pictures,
            **{
                f"picture-{harbour.pk}": "replace",
                f"picture-{harbour.pk}-file": make_image_file("harbour-at-dusk.png"),
                f"picture-{crane.pk}": "remove",
            },
        )
        assert post(client, with_pictures, data).status_code == 302
        after = pictures(with_pictures)
        assert current(with_pictures) == ["harbour-at-dusk.png"]
        assert after["harbour-at-dusk.png"].position == harbour.position
        for old in ("harbour.png", "crane.png"):  # kept, with their files, out of the piece
            assert after[old].removed_at is not None
            assert after[old].image.storage.exists(after[old].image.name)
        event = with_pictures.events.last()
        assert event.data["pictures_replaced"] == [{"old": "harbour.png", "new": "harbour-at-dusk.png"}]
        assert event.data["pictures_removed"] == ["crane.png"]
        with_pictures.refresh_from_db()
        assert with_pictures.report["image_count"] == 1

    def test_a_file_next_to_a_kept_picture_replaces_it(self, client, with_pictures):
        harbour = pictures(with_pictures)["harbour.png"]
        data = revise_data(with_pictures, **{f"picture-{harbour.pk}-file": make_image_file("new-harbour.png")})
        assert post(client, with_pictures, data).status_code == 302
        assert current(with_pictures) == ["new-harbour.png", "crane.png"]

    @pytest.mark.parametrize(
        ("choice", "with_file", "message"),
        [
            ("replace", False, "Choose the new picture, or keep this one."),
            ("remove", True, "You chose to remove this picture and attached a new one"),
        ],
    )
    def test_unclear_picture_choices_are_refused(self, client, with_pictures, choice, with_file, message):
        harbour = pictures(with_pictures)["harbour.png"]
        data = revise_data(with_pictures, title="A title I typed", **{f"picture-{harbour.pk}": choice})
        if with_file:
            data[f"picture-{harbour.pk}-file"] = make_image_file("other.png")
        response = post(client, with_pictures, data)
        assert response.status_code == 400
        page = response.content.decode()
        assert message in page
        assert 'value="A title I typed"' in page  # what was typed is kept
        with_pictures.refresh_from_db()
        assert with_pictures.status == Status.CHANGES_REQUESTED
        assert current(with_pictures) == ["harbour.png", "crane.png"]

    def test_a_file_that_is_not_a_picture_is_refused_by_name(self, client, with_pictures):
        fake = SimpleUploadedFile("terminal.png", b"<svg onload=alert(1)>", content_type="image/png")
        body = article_text(90, seed="terminal")
        response = post(client, with_pictures, revise_data(with_pictures, body=body, images=[fake]))
        assert response.status_code == 400
        page = response.content.decode()
        assert "“terminal.png”" in page
        assert "terminal question" in page  # the typed text is shown again
        assert "Please attach your files again" in page
        assert current(with_pictures) == ["harbour.png", "crane.png"]

    def test_the_first_submissions_picture_count_holds(self, client, with_pictures):
        # Two kept + four new = 6 > MAX_IMAGES.
        new = [make_image_file(f"n{n}.png") for n in range(MAX_IMAGES - 1)]
        response = post(client, with_pictures, revise_data(with_pictures, images=new))
        assert response.status_code == 400
        assert "A piece may have at most 5 pictures" in response.content.decode()
        # Removing one of the two makes room.
        crane = pictures(with_pictures)["crane.png"]
        new = [make_image_file(f"n{n}.png") for n in range(MAX_IMAGES - 1)]
        data = revise_data(with_pictures, images=new, **{f"picture-{crane.pk}": "remove"})
        assert post(client, with_pictures, data).status_code == 302
        assert len(current(with_pictures)) == MAX_IMAGES

    def test_more_than_five_new_files_at_once_are_refused(self, client, with_pictures):
        new = [make_image_file(f"n{n}.png") for n in range(MAX_IMAGES + 1)]
        response = post(client, with_pictures, revise_data(with_pictures, images=new))
        assert response.status_code == 400
        assert "Attach at most 5 images (you attached 6)." in response.content.decode()

    def test_a_piece_that_already_has_more_may_keep_them(self, db, incoming, editor):
        many = [(None, processed(f"p{n}.png")) for n in range(MAX_IMAGES + 2)]  # by email: up to 20
        submission = workflow.receive(incoming(channel="email", images=many))
        workflow.request_changes(submission, editor, "Shorter, please.")
        response = post(Client(), submission, revise_data(submission, body=article_text(60)))
        assert response.status_code == 302
        assert len(current(submission)) == MAX_IMAGES + 2

    def test_the_text_still_needs_its_words(self, client, with_pictures):
        response = post(client, with_pictures, revise_data(with_pictures, body="<p>Too short.</p>"))
        assert response.status_code == 400
        assert "Your article has 2 words; we need at least 50." in response.content.decode()


class TestRevisionDocument:
    def test_a_new_document_becomes_the_text_with_its_pictures(self, db, client, incoming, editor):
        old = make_docx([article_text(80, seed="old")[3:-4]], images=[Image.new("RGB", (60, 40), (9, 9, 9))])
        first = Client().post(
            reverse("contributions:submit"),
            {
                "name": "Ada Guest",
                "email": "ada@example.net",
                "title": "Inside the chip shortage",
                "document": SimpleUploadedFile("draft.docx", old),
                "images": [make_image_file("attached.png")],
                "consent": "on",
            },
        )
        assert first.status_code == 302
        submission = Submission.objects.get()
        old_document = submission.original_document.name
        in_text = submission.images.get(original_name__startswith="draft-image")
        assert in_text.image.url in submission.body
        workflow.request_changes(submission, editor, "Please update the figures.")

        new = make_docx([article_text(90, seed="fresh")[3:-4]], images=[Image.new("RGB", (50, 50), (200, 0, 0))])
        data = revise_data(submission, document=SimpleUploadedFile("final.docx", new))
        assert post(client, submission, data).status_code == 302
        submission.refresh_from_db()
        assert "fresh question" in submission.body and "old question" not in submission.body
        names = current(submission)
        assert "attached.png" in names  # an attached picture stays
        assert "draft-image-1.png" not in names  # the old document's went with it (kept, removed)
        assert SubmissionImage.objects.get(pk=in_text.pk).removed_at is not None
        new_in_text = submission.images.get(original_name="final-image-1.png", removed_at__isnull=True)
        assert new_in_text.image.url in submission.body
        assert submission.original_document.name != old_document
        assert submission.original_document.storage.exists(old_document)  # the old file is kept
        event = submission.events.last()
        assert event.data["document_replaced"] == {
            "old": old_document,
            "name": "final.docx",
            "new": submission.original_document.name,
        }
        assert event.data["pictures_removed"] == ["draft-image-1.png"]
        assert event.data["pictures_added"] == ["final-image-1.png"]

    def test_changed_text_and_a_new_document_are_refused(self, client, with_pictures):
        document = SimpleUploadedFile("final.docx", make_docx([article_text(80)[3:-4]]))
        edited = with_pictures.body.replace("</p>", " One more sentence I typed.</p>")
        response = post(client, with_pictures, revise_data(with_pictures, body=edited, document=document))
        assert response.status_code == 400
        page = response.content.decode()
        assert "You changed the text and attached a new Word document" in page
        assert "One more sentence I typed." in page

    def test_the_same_text_rewritten_by_the_editor_is_not_a_change(self, client, with_pictures):
        document = SimpleUploadedFile("final.docx", make_docx([article_text(80, seed="docx")[3:-4]]))
        rewritten = with_pictures.body.replace("<p>", '<p dir="auto">').replace("state", "&#115;tate")
        response = post(client, with_pictures, revise_data(with_pictures, body=rewritten, document=document))
        assert response.status_code == 302
        with_pictures.refresh_from_db()
        assert "docx question" in with_pictures.body

    def test_not_a_docx_and_too_large(self, client, with_pictures):
        data = revise_data(with_pictures, document=SimpleUploadedFile("final.pdf", b"%PDF-1.4"))
        assert "Attach a Word document saved as .docx." in post(client, with_pictures, data).content.decode()
        big = SimpleUploadedFile("big.docx", b"0" * (MAX_DOCX_BYTES + 1))
        page = post(client, with_pictures, revise_data(with_pictures, document=big)).content.decode()
        assert "“big.docx” is larger than 10 MB." in page
        with_pictures.refresh_from_db()
        assert with_pictures.status == Status.CHANGES_REQUESTED


class TestRevisionRequest:
    def test_too_large_is_refused_unread_with_413(self, client, with_pictures, settings):
        settings.BYLINE_SUBMISSION_MAX_REQUEST_BYTES = 1000
        response = post(client, with_pictures, revise_data(with_pictures, body=article_text(400)))
        assert response.status_code == 413
        page = response.content.decode()
        assert "Your revised version is too large (" in page
        assert "the limit is 1000 bytes). Attach fewer or smaller pictures or a smaller document" in page
        assert 'name="title"' in page  # the form is there to try again
        with_pictures.refresh_from_db()
        assert with_pictures.status == Status.CHANGES_REQUESTED

    def test_csrf_is_checked_after_the_size(self, with_pictures):
        response = post(Client(enforce_csrf_checks=True), with_pictures, revise_data(with_pictures))
        assert response.status_code == 403
        with_pictures.refresh_from_db()
        assert with_pictures.status == Status.CHANGES_REQUESTED

    def test_removed_pictures_leave_the_page_and_the_admin(self, client, admin_client, with_pictures):
        crane = pictures(with_pictures)["crane.png"]
        data = revise_data(with_pictures, **{f"picture-{crane.pk}": "remove"})
        assert post(client, with_pictures, data).status_code == 302
        admin_page = admin_client.get(
            reverse("admin:contributions_submission_change", args=[with_pictures.pk])
        ).content.decode()
        assert crane.image.url not in admin_page
        assert pictures(with_pictures)["harbour.png"].image.url in admin_page
        assert "Picture removed: crane.png" in admin_page  # the history says what changed
        workflow.request_changes(with_pictures, None, "One more thing.")
        tracking = client.get(with_pictures.get_absolute_url()).content.decode()
        assert crane.image.url not in tracking
        assert f'name="picture-{crane.pk}"' not in tracking


class TestRevisionByEmail:
    def test_a_reply_with_a_picture_and_a_document_revises_with_them(self, editor, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            submission = ingest(email_factory.with_attached_image(filename="first.png").as_bytes()).submission
            workflow.request_changes(submission, editor, "Please send the final version.")
        assert current(submission) == ["first.png"]
        reply = email_factory.with_docx(
            "Here is the final version, attached.",
            data=make_docx([article_text(80, seed="final")[3:-4]]),
            subject=f"Re: Changes requested [#{submission.token[:8]}]",
            message_id="<reply-1@example.org>",
        )
        reply.add_attachment(email_factory.png_bytes(), maintype="image", subtype="png", filename="second.png")
        with django_capture_on_commit_callbacks(execute=True):
            result = ingest(reply.as_bytes())
        assert (result.outcome, result.submission) == ("reply", submission)
        submission.refresh_from_db()
        assert submission.status == Status.RECEIVED
        assert "final question" in submission.body
        assert current(submission) == ["first.png", "second.png"]
        assert submission.original_document.name.endswith(".docx")
        event = submission.events.filter(kind=SubmissionEvent.Kind.REVISED).last()
        assert event.data["pictures_added"] == ["second.png"]
        assert event.data["document_replaced"]["name"] == "piece.docx"
        assert submission.report["image_count"] == 2


class TestPicturesInTheText:
    @pytest.fixture
    def from_docx(self, db, incoming, editor):
        html = article_text(80) + '<p><img src="cid:docx-image-0" alt="The depot"></p>'
        submission = workflow.receive(incoming(body=html, images=[("docx-image-0", processed("draft-image-1.png"))]))
        workflow.request_changes(submission, editor, "Another picture of the depot, please.")
        return submission

    def test_replacing_one_puts_the_new_one_in_its_place(self, client, from_docx):
        old = from_docx.images.get()
        data = revise_data(
            from_docx, **{f"picture-{old.pk}": "replace", f"picture-{old.pk}-file": make_image_file("depot.png")}
        )
        assert post(client, from_docx, data).status_code == 302
        from_docx.refresh_from_db()
        new = from_docx.images.get(removed_at__isnull=True)
        assert new.original_name == "depot.png"
        assert f'src="{new.image.url}" alt="The depot"' in from_docx.body
        assert old.image.url not in from_docx.body

    def test_removing_one_takes_it_out_of_the_text(self, client, from_docx):
        old = from_docx.images.get()
        assert post(client, from_docx, revise_data(from_docx, **{f"picture-{old.pk}": "remove"})).status_code == 302
        from_docx.refresh_from_db()
        assert "<img" not in from_docx.body
        assert "battery question" in from_docx.body  # the text around it stays
        assert from_docx.report["image_count"] == 0

    def test_pictures_in_the_text_do_not_count_against_the_limit(self, client, from_docx):
        new = [make_image_file(f"n{n}.png") for n in range(MAX_IMAGES)]
        assert post(client, from_docx, revise_data(from_docx, images=new)).status_code == 302
        assert len(current(from_docx)) == MAX_IMAGES + 1

    def test_a_text_edited_without_its_picture_gets_it_back_at_its_end(self, client, from_docx):
        # What the contributor's editor sends once the text is changed: it has no picture tool.
        picture = from_docx.images.get()
        edited = article_text(80) + "<p></p><p>A new last paragraph.</p>"
        assert post(client, from_docx, revise_data(from_docx, body=edited)).status_code == 302
        from_docx.refresh_from_db()
        tag = f'<img src="{picture.image.url}" alt="The depot">'
        assert from_docx.body.endswith(f"<p>A new last paragraph.</p><p>{tag}</p>")
        assert current(from_docx) == ["draft-image-1.png"]

    def test_the_form_says_where_pictures_in_the_text_are(self, client, from_docx):
        page = client.get(from_docx.get_absolute_url()).content.decode()
        assert "The pictures in your text are not shown here." in page
        assert "(in the text)" in page


def test_a_revision_is_cleaned_as_a_first_version_is(client, with_pictures):
    body = "<p>Hi editors,</p>" + article_text(80, seed="cleaned") + "<p>Best regards,<br>Grace</p>"
    assert post(client, with_pictures, revise_data(with_pictures, body=body)).status_code == 302
    with_pictures.refresh_from_db()
    assert with_pictures.body == article_text(80, seed="cleaned")
    assert with_pictures.original_body == body  # as sent
