"""Guest posts arrive as clean drafts, whichever way they come in (the web form, a .docx, email): the title and
text cleaned with what was sent kept, the pictures' captions; and accepting proposes the featured image (the
caption as its alt text, for the editor to check) and a category."""

from email.message import EmailMessage

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from blog.checklist import check_article
from contributions import workflow
from contributions.inbound import ingest
from contributions.models import Submission, SubmissionEvent
from contributions.uploads import docx_to_html, process_image
from tests.conftest import make_image_file
from tests.factories import ArticleFactory, CategoryFactory

from .conftest import article_text
from .docx_factory import Heading, Picture, make_docx
from .email_factory import png_bytes

pytestmark = pytest.mark.django_db

TEXT = article_text(80, seed="battery")
GREETING, SIGN_OFF = "<p>Hi editors,</p>", "<p>Regards,<br>Lena Fischer</p><p>Sent from my iPhone</p>"


def picture(name="p.png", size=(640, 360), color=(30, 90, 200)):
    return process_image(make_image_file(name, size=size, color=color))


class TestReceived:
    def test_title_and_body_are_cleaned_and_what_was_sent_is_kept(self, incoming):
        sent_title = "Fwd: [Guest Post] Guest post: What solid-state batteries change"
        sent_body = GREETING + TEXT + SIGN_OFF
        submission = workflow.receive(incoming(title=sent_title, body=sent_body))
        assert submission.title == "What solid-state batteries change"
        assert submission.original_title == sent_title
        assert submission.body == TEXT
        assert submission.original_body == sent_body  # sanitized, as sent
        clean = workflow.receive(incoming(body=TEXT))
        assert submission.word_count == clean.word_count  # the analysis reads the draft, not the letter

    def test_a_clean_piece_is_left_as_it_is(self, incoming):
        submission = workflow.receive(incoming(body=TEXT))
        assert (submission.title, submission.body) == ("What solid-state batteries change", TEXT)
        assert (submission.original_title, submission.original_body) == (submission.title, TEXT)

    def test_the_web_form(self, client, django_capture_on_commit_callbacks):
        data = {
            "name": "Ada Guest",
            "email": "ada@example.net",
            "title": "Submission - Inside the chip shortage",
            "body": "<p>Dear editor,</p>" + article_text(150, seed="chip") + "<p>Best,<br>Ada</p>",
            "suggested_tags": "chips",
            "consent": "on",
            "website": "",
        }
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(reverse("contributions:submit"), data).status_code == 302
        submission = Submission.objects.get()
        assert submission.title == "Inside the chip shortage"
        assert submission.body == article_text(150, seed="chip")
        assert "Dear editor," in submission.original_body and "Best,<br>Ada" in submission.original_body

    def test_a_docx_whose_first_heading_is_the_title(self, client, django_capture_on_commit_callbacks):
        words = " ".join(["Chips are made in few places, and a drought or a fire stops them for months."] * 6)
        docx = make_docx(
            body=[
                Heading("Inside the chip shortage", level=0),  # Word's Title style
                "Hi editors,",
                words,
                Picture(Image.new("RGB", (60, 40), "red"), alt="A wafer under the lamp"),
                words,
                "Kind regards,",
                "Ada Guest",
            ]
        )
        data = {
            "name": "Ada Guest",
            "email": "ada@example.net",
            "title": "Inside the chip shortage",
            "document": SimpleUploadedFile("piece.docx", docx),
            "consent": "on",
            "website": "",
        }
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(reverse("contributions:submit"), data).status_code == 302
        submission = Submission.objects.get()
        assert submission.original_body.startswith("<h2>Inside the chip shortage</h2><p>Hi editors,</p>")
        assert submission.body.startswith(f"<p>{words}</p>")
        assert submission.body.endswith(f"<p>{words}</p>")
        assert submission.images.get().caption == "A wafer under the lamp"  # the picture's description in Word

    @pytest.mark.parametrize("level", [0, 1, 2])  # Word's Title, Heading 1, Heading 2
    def test_a_docx_heading_repeating_the_title_goes(self, level):
        converted = docx_to_html(make_docx(body=[Heading("The Piece!", level=level), "Text of the piece."]))
        submission = workflow.receive(
            workflow.Incoming(
                channel="web", name="A", email="a@example.org", title="The piece", body=converted.html, consent=True
            )
        )
        assert submission.body == "<p>Text of the piece.</p>"
        assert submission.original_body.startswith("<h")

    def test_a_docx_heading_that_is_not_the_title_stays(self):
        converted = docx_to_html(make_docx(heading="Chapter one", paragraphs=["Text of the piece."]))
        assert converted.html.startswith("<h2>Chapter one</h2>")
        submission = workflow.receive(
            workflow.Incoming(
                channel="web", name="A", email="a@example.org", title="The piece", body=converted.html, consent=True
            )
        )
        assert submission.body == "<h2>Chapter one</h2><p>Text of the piece.</p>"

    def test_captions_from_the_text(self, incoming):
        body = (
            TEXT
            + '<figure><img src="cid:a" alt="x"><figcaption>The test rig at night</figcaption></figure>'
            + '<p><img src="cid:b" alt="IMG_0042.JPG"></p><p>Caption: Cells after ten winters</p>'
            + '<p><img src="cid:c" alt="c.png"></p>'
        )
        images = [("a", picture("a.png")), ("b", picture("b.png")), ("c", picture("c.png")), (None, picture("d.png"))]
        submission = workflow.receive(incoming(body=body, images=images, captions={3: "Sent with the file"}))
        assert list(submission.images.values_list("caption", flat=True)) == [
            "The test rig at night",
            "Cells after ten winters",
            "",  # its alt text is its file name
            "Sent with the file",
        ]


def email(subject, html, *, attachments=()):
    msg = EmailMessage()
    msg["From"] = "Lena Fischer <lena@example.org>"
    msg["To"] = "contribute@byline.example"
    msg["Subject"] = subject
    msg["Message-ID"] = "<draft-1@example.org>"
    msg.set_content("See the HTML part.")
    msg.add_alternative(html, subtype="html")
    msg.get_payload()[1].add_related(png_bytes((50, 40)), "image", "png", cid="<chart@example.org>")
    for data, name, description in attachments:
        msg.add_attachment(data, maintype="image", subtype="png", filename=name)
        msg.get_payload()[-1]["Content-Description"] = description
    return msg.as_bytes()


class TestByEmail:
    def test_end_to_end(self, django_capture_on_commit_callbacks):
        html = (
            '<div dir="ltr">Hi editors,<div><br></div>'
            f"<div>{TEXT}</div>"
            '<div><img src="cid:chart@example.org" alt="Range against temperature"></div>'
            "<div><br></div><div>Cheers,</div><div>Lena</div>"
            "<div><br></div><div>Sent from my iPhone</div></div>"
        )
        raw = email(
            "Re: AW: [Guest Post] Guest post: What solid-state batteries change",
            html,
            attachments=[(png_bytes((80, 60), (0, 200, 0)), "IMG_0001.png", "The cell factory in Nevada")],
        )
        with django_capture_on_commit_callbacks(execute=True):
            result = ingest(raw, source="cli")
        submission = result.submission
        assert submission.title == "What solid-state batteries change"
        assert submission.original_title == "Re: AW: [Guest Post] Guest post: What solid-state batteries change"
        assert "Hi editors," in submission.original_body and "Cheers," in submission.original_body
        assert "Hi editors" not in submission.body and "Cheers" not in submission.body and "Lena" not in submission.body
        assert submission.body.startswith("<p>Solid-state batteries")
        assert 'alt="Range against temperature"' in submission.body  # the picture in the middle stays
        assert list(submission.images.values_list("caption", flat=True)) == [
            "Range against temperature",
            "The cell factory in Nevada",  # the part's Content-Description, not its file name
        ]


class TestAccepted:
    def test_the_first_picture_is_proposed_with_its_caption_as_alt_text(self, incoming, editor):
        body = TEXT + '<figure><img src="cid:a" alt=""><figcaption>The test rig at night</figcaption></figure>'
        submission = workflow.receive(incoming(body=body, images=[("a", picture("a.png")), (None, picture("b.png"))]))
        workflow.accept(submission, editor)
        article = Submission.objects.get().article
        assert article.featured_image.name.startswith("articles/guest/")
        assert (article.featured_image_width, article.featured_image_height) == (640, 360)
        assert article.featured_image_alt == "The test rig at night"
        assert article.featured_image_caption == "The test rig at night"
        assert article.featured_image_credit == "Grace Contributor"
        assert article.body.count("<figure>") == 2  # the figure in the text, and b.png added at the end
        article.full_clean()
        # Flagged until an editor checks it: the alt repeats the caption.
        blockers = {result.code: result.message for result in check_article(article).blockers}
        assert "repeats its caption (“The test rig at night”)" in blockers["featured_image_alt"]
        note = submission.events.filter(kind=SubmissionEvent.Kind.NOTE).get()
        assert note.note.startswith("“a.png” is proposed as the featured image, its caption (“The test rig at night”)")
        assert note.data == {"article": article.pk}

    def test_a_piece_opening_with_its_picture_shows_it_once(self, incoming, editor):
        body = '<figure><img src="cid:a" alt=""><figcaption>The rig</figcaption></figure>' + TEXT
        submission = workflow.receive(incoming(body=body, images=[("a", picture("a.png"))]))
        workflow.accept(submission, editor)
        article = Submission.objects.get().article
        assert article.body == TEXT  # moved up: the featured image
        assert (article.featured_image_alt, article.featured_image_caption) == ("The rig", "The rig")
        note = submission.events.filter(kind=SubmissionEvent.Kind.NOTE).get()
        assert note.note.endswith("The text opened with it: it moved up, out of the text.")

    def test_a_picture_further_down_stays_where_it_is_and_the_note_says_so(self, incoming, editor):
        body = TEXT + '<figure><img src="cid:a" alt="A chart"></figure>'
        submission = workflow.receive(incoming(body=body, images=[("a", picture("a.png"))]))
        workflow.accept(submission, editor)
        article = Submission.objects.get().article
        assert article.body.startswith(TEXT + '<figure><img src="/media/articles/guest/')
        note = submission.events.filter(kind=SubmissionEvent.Kind.NOTE).get()
        assert note.note.endswith("It is also in the text: readers would see it twice.")

    def test_without_a_caption_the_placeholder_is_flagged(self, incoming, editor):
        submission = workflow.receive(incoming(images=[(None, picture("a.png"))]))
        workflow.accept(submission, editor)
        article = Submission.objects.get().article
        assert article.featured_image_alt == "Illustration for “What solid-state batteries change”"
        assert article.featured_image_caption == ""
        article.full_clean()  # the draft saves
        blockers = {result.code: result.message for result in check_article(article).blockers}
        assert blockers["featured_image_alt"].endswith("has a placeholder for alt text: describe what it shows.")

    def test_a_picture_a_revision_took_out_is_not_proposed(self, incoming, editor):
        submission = workflow.receive(
            incoming(images=[(None, picture("a.png")), (None, picture("b.png", size=(300, 200)))])
        )
        first = submission.images.first()
        first.removed_at = timezone.now()
        first.save()
        workflow.accept(submission, editor)
        article = Submission.objects.get().article
        assert (article.featured_image_width, article.featured_image_height) == (300, 200)
        assert "<figure>" not in article.body  # the one left is the featured image; the removed one is nowhere

    def test_without_pictures_nothing_is_proposed(self, incoming, editor):
        workflow.accept(workflow.receive(incoming()), editor)
        article = Submission.objects.get().article
        assert not article.featured_image and article.featured_image_alt == ""

    def test_a_category_is_proposed_from_the_tags_and_the_text(self, incoming, editor):
        cars, _phones = CategoryFactory(name="Electric cars"), CategoryFactory(name="Phones")
        ArticleFactory(category=cars).tags.add("batteries")
        submission = workflow.receive(incoming(suggested_tags="batteries, cars"))
        workflow.accept(submission, editor)
        article = Submission.objects.get().article
        assert article.category == cars
        note = submission.events.filter(kind=SubmissionEvent.Kind.NOTE).get()
        assert note.note == "The category “Electric cars” is proposed, from the tags and the text."

    def test_no_category_when_nothing_fits_or_two_fit_alike(self, incoming, editor):
        CategoryFactory(name="Gardening")
        submission = workflow.receive(incoming(suggested_tags="batteries"))
        workflow.accept(submission, editor)
        assert Submission.objects.get().article.category is None
        assert not submission.events.filter(kind=SubmissionEvent.Kind.NOTE).exists()


class TestTheEditorSees:
    def test_what_was_sent_next_to_the_draft_and_the_captions(self, incoming, admin_client):
        sent_title = "Fwd: [Guest Post] Guest post: What solid-state batteries change"
        body = GREETING + TEXT + '<figure><img src="cid:a" alt="x"><figcaption>The rig at night</figcaption></figure>'
        submission = workflow.receive(incoming(title=sent_title, body=body + SIGN_OFF, images=[("a", picture())]))
        page = admin_client.get(reverse("admin:contributions_submission_change", args=[submission.pk]))
        html = page.content.decode()
        assert "As sent, before the intake tidied it" in html
        assert f"<strong>Title as sent:</strong> {sent_title}" in html
        assert "Hi editors," in html.split("As sent, before")[1]  # the greeting, in the sent text only
        assert "Hi editors," not in html.split("As sent, before")[0].split("Preview (as readers would see it)")[1]
        assert "Caption: The rig at night" in html

    def test_nothing_extra_for_a_clean_piece(self, incoming, admin_client):
        submission = workflow.receive(incoming(body=TEXT))
        page = admin_client.get(reverse("admin:contributions_submission_change", args=[submission.pk]))
        assert "As sent, before the intake tidied it" not in page.content.decode()
