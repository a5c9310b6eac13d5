import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from complaints.models import Complaint
from complaints.views import MAX_REQUEST_BYTES

from .test_forms import form_data

pytestmark = pytest.mark.django_db
FORM = reverse("complaints:complaint")
RECEIVED = reverse("complaints:received")


class TestFormPage:
    def test_renders_the_form(self, client):
        response = client.get(FORM)
        assert response.status_code == 200
        assert "complaints/complaint_form.html" in [t.name for t in response.templates]
        page = response.content.decode()
        assert '<meta name="robots" content="noindex">' in page
        assert "no-store" in response["Cache-Control"]  # never_cache
        assert 'name="csrfmiddlewaretoken"' in page
        assert 'href="/pages/copyright-policy/"' in page
        assert "<legend>Statements and signature</legend>" in page
        assert "not authorized by the copyright owner, its agent, or the law" in page
        assert "under penalty of perjury" in page
        assert 'aria-describedby="id_claimant_email_helptext"' in page

    def test_honeypot_is_hidden_from_people_and_screen_readers(self, client):
        page = client.get(FORM).content.decode()
        assert '<div class="hp" aria-hidden="true">' in page
        assert 'name="website" id="id_website" tabindex="-1" autocomplete="off"' in page

    def test_every_page_links_to_it(self, client):
        assert f'href="{FORM}"' in client.get(reverse("blog:home")).content.decode()

    def test_fixed_number_of_queries(self, client, django_assert_num_queries):
        with django_assert_num_queries(2):  # site settings, footer menu
            client.get(FORM)


class TestSending:
    def test_success_records_and_thanks(self, client, article, editor, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(FORM, form_data(article, organisation="Analytical Press"))
        assert response.status_code == 302
        assert response["Location"] == RECEIVED
        complaint = Complaint.objects.get()
        assert (complaint.article, complaint.status, complaint.ip_address) == (article, "new", "127.0.0.1")
        assert complaint.article_url == article.get_absolute_url()
        thanks = client.get(RECEIVED)
        assert thanks.status_code == 200
        page = thanks.content.decode()
        assert f"has the number {complaint.pk}" in page and "ada@rights.example" in page
        assert "no-store" in thanks["Cache-Control"]
        assert [m.to for m in mail.outbox] == [["ada@rights.example"], [editor.email]]

    def test_thanks_page_without_a_complaint_goes_to_the_form(self, client):
        assert client.get(RECEIVED)["Location"] == FORM

    def test_csrf_is_enforced(self, article):
        response = Client(enforce_csrf_checks=True).post(FORM, form_data(article))
        assert response.status_code == 403
        assert not Complaint.objects.exists()

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"website": "http://spam.example"}, "This looks like an automated complaint"),
            ({"good_faith": ""}, "Please confirm the good-faith statement"),
            ({"accuracy": ""}, "Please confirm that the information is accurate"),
            ({"signature": "Someone Else"}, "Your signature must be your full name"),
            ({"article_url": "https://evil.example/2024/05/x/"}, "This address is not on our site"),
            ({"article_url": "/2024/05/unknown/"}, "We have no published article at this address"),
            ({"claimant_email": "nope"}, "Enter a valid email address"),
        ],
        ids=["honeypot", "good-faith", "accuracy", "signature", "foreign", "unknown", "email"],
    )
    def test_refusals_explain_and_keep_what_was_typed(self, client, article, overrides, message):
        response = client.post(FORM, form_data(article, original_work="Chapter 3 of my handbook", **overrides))
        assert response.status_code == 400
        page = response.content.decode()
        assert message in page
        assert 'class="form-errors" role="alert"' in page
        assert "Chapter 3 of my handbook" in page  # kept
        assert not Complaint.objects.exists()
        assert mail.outbox == []

    def test_field_errors_are_linked_to_their_fields(self, client, article):
        page = client.post(FORM, form_data(article, signature="Someone Else")).content.decode()
        assert 'href="#id_signature"' in page  # from the summary
        assert 'aria-describedby="id_signature_error id_signature_helptext"' in page
        assert 'aria-invalid="true"' in page
        assert '<ul class="errorlist" id="id_signature_error">' in page

    @pytest.mark.parametrize("field", ["claimant_name", "organisation", "original_work", "signature"])
    def test_html_is_refused_with_the_reason_and_shown_back_as_text(self, client, article, field):
        hostile = "<script>alert(1)</script>"
        response = client.post(FORM, form_data(article, **{field: f"Ann {hostile}"}))
        assert response.status_code == 400
        page = response.content.decode()
        assert "is plain text, and “&lt;script&gt;” is HTML" in page
        assert hostile not in page and "&lt;script&gt;" in page
        assert not Complaint.objects.exists()

    def test_entities_and_invisible_controls_are_cleaned_from_what_is_stored(
        self, client, article, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(FORM, form_data(article, organisation="Smith &amp; Sons\u202e\x00 Ltd"))
        assert response.status_code == 302
        assert Complaint.objects.get().organisation == "Smith & Sons Ltd"

    def test_request_too_large(self, client, article):
        response = client.post(FORM, form_data(article, original_work="x" * (MAX_REQUEST_BYTES + 1)))
        assert response.status_code == 413
        assert "Your complaint is too long to send" in response.content.decode()
        assert not Complaint.objects.exists()

    def test_rate_limit_per_ip(self, client, article, settings, django_capture_on_commit_callbacks):
        settings.BYLINE_COMPLAINTS_PER_HOUR = 2
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(FORM, form_data(article)).status_code == 302
            assert client.post(FORM, form_data(article, signature="x")).status_code == 400  # not counted
            assert client.post(FORM, form_data(article)).status_code == 302
        refused = client.post(FORM, form_data(article, original_work="The third one"))
        assert refused.status_code == 429
        assert "wait an hour" in refused.content.decode()
        assert "The third one" in refused.content.decode()  # kept
        assert Complaint.objects.count() == 2
        assert client.post(FORM, form_data(article), REMOTE_ADDR="10.0.0.9").status_code == 302
