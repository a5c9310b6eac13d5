import datetime

import pytest
from django.utils import timezone

from blog.models import Article
from complaints.forms import ComplaintForm, same_name
from tests.factories import ArticleFactory, DraftFactory

pytestmark = pytest.mark.django_db


def form_data(article, **overrides):
    data = {
        "claimant_name": "Ada Lovelace",
        "claimant_email": "ada@rights.example",
        "organisation": "",
        "original_work": "Chapter 3 of our handbook, https://press.example/heat-pumps",
        "article_url": article.get_absolute_url(),
        "good_faith": "on",
        "accuracy": "on",
        "signature": "Ada Lovelace",
        "website": "",
    }
    data.update(overrides)
    return data


def errors(form, field="article_url"):
    return " ".join(form.errors.get(field, []))


class TestRequiredFields:
    def test_valid_form_finds_the_article(self, article):
        form = ComplaintForm(form_data(article))
        assert form.is_valid(), form.errors
        assert form.article == article
        data = form.complaint_data()
        assert data["article"] == article and data["good_faith"] and data["accuracy"]
        assert data["organisation"] == ""  # optional

    @pytest.mark.parametrize(
        ("field", "message"),
        [
            ("claimant_name", "This field is required"),
            ("claimant_email", "This field is required"),
            ("original_work", "This field is required"),
            ("article_url", "This field is required"),
            ("good_faith", "Please confirm the good-faith statement"),
            ("accuracy", "Please confirm that the information is accurate"),
            ("signature", "This field is required"),
        ],
    )
    def test_each_required_field(self, article, field, message):
        form = ComplaintForm(form_data(article, **{field: ""}))
        assert not form.is_valid()
        assert message in errors(form, field)

    def test_invalid_email(self, article):
        form = ComplaintForm(form_data(article, claimant_email="not-an-email"))
        assert "Enter a valid email address" in errors(form, "claimant_email")

    @pytest.mark.parametrize(
        ("field", "length"),
        [
            ("claimant_name", 121),
            ("claimant_email", 255),
            ("organisation", 201),
            ("original_work", 2001),
            ("article_url", 501),
        ],
    )
    def test_length_limits(self, article, field, length):
        form = ComplaintForm(form_data(article, **{field: "x" * length}))
        assert not form.is_valid()
        assert "Ensure this value has at most" in errors(form, field)

    def test_one_line_fields_are_plain_single_lines(self, article):
        form = ComplaintForm(
            form_data(article, claimant_name="Ada\n  Lovelace ", signature="ada lovelace", organisation=" A\r\nB ")
        )
        assert form.is_valid(), form.errors
        assert form.cleaned_data["claimant_name"] == "Ada Lovelace"
        assert form.cleaned_data["organisation"] == "A B"


class TestSignature:
    @pytest.mark.parametrize("signature", ["Ada Lovelace", "ada lovelace", "  ADA   Lovelace ", "Ａｄａ Lovelace"])
    def test_matches_the_name_ignoring_case_and_spaces(self, article, signature):
        assert ComplaintForm(form_data(article, signature=signature)).is_valid()

    @pytest.mark.parametrize("signature", ["A. Lovelace", "Ada", "Charles Babbage", "AdaLovelace"])
    def test_mismatch_is_refused_clearly(self, article, signature):
        form = ComplaintForm(form_data(article, signature=signature))
        assert not form.is_valid()
        assert "Your signature must be your full name exactly as you typed it above (“Ada Lovelace”)" in errors(
            form, "signature"
        )

    def test_same_name(self):
        assert same_name("Émile  Zola", "émile zola")
        assert not same_name("Emile Zola", "Émile Zola")


class TestArticleAddress:
    @pytest.mark.parametrize(
        "address",
        [
            "http://testserver{path}",
            "https://localhost{path}",
            "http://127.0.0.1:8000{path}",
            "https://news.example.com{path}?utm_source=x#comments",
            "news.example.com{path}",
            "{path}",
            "{bare}",
            "{path_no_slash}",
            "  {path}  ",
        ],
    )
    def test_accepted_shapes(self, article, settings, address):
        settings.BYLINE_SITE_URL = "https://news.example.com"
        path = article.get_absolute_url()
        value = address.format(path=path, bare=path.lstrip("/"), path_no_slash=path.rstrip("/"))
        form = ComplaintForm(form_data(article, article_url=value))
        assert form.is_valid(), form.errors
        assert form.article == article
        assert form.cleaned_data["article_url"] == value.strip()  # stored as submitted

    @pytest.mark.parametrize(
        "address",
        ["https://evil.example{path}", "https://news.example.com.evil.example{path}", "//evil.example{path}"],
    )
    def test_foreign_host(self, article, settings, address):
        settings.BYLINE_SITE_URL = "https://news.example.com"
        form = ComplaintForm(form_data(article, article_url=address.format(path=article.get_absolute_url())))
        assert "This address is not on our site" in errors(form)

    def test_wildcard_allowed_hosts_does_not_make_every_host_ours(self, article, settings):
        settings.ALLOWED_HOSTS = ["*"]
        settings.BYLINE_SITE_URL = "https://news.example.com"
        form = ComplaintForm(form_data(article, article_url="https://evil.example" + article.get_absolute_url()))
        assert "This address is not on our site" in errors(form)
        ours = ComplaintForm(form_data(article, article_url="https://news.example.com" + article.get_absolute_url()))
        assert ours.is_valid(), ours.errors

    @pytest.mark.parametrize("address", ["ftp://testserver/2024/05/x/", "javascript:alert(1)", "http://[::1/x"])
    def test_not_a_web_address(self, article, address):
        form = ComplaintForm(form_data(article, article_url=address))
        assert not form.is_valid()
        assert errors(form)

    @pytest.mark.parametrize("address", ["/", "/pages/about/", "/search/?q=x", "/copyright/complaint/", "/nope/"])
    def test_not_an_article(self, article, address):
        form = ComplaintForm(form_data(article, article_url=address))
        assert "This is not the address of an article" in errors(form)

    def test_preview_links_are_not_article_addresses(self, article):
        from blog.previews import preview_url

        form = ComplaintForm(form_data(article, article_url=preview_url(article)))
        assert "This is not the address of an article" in errors(form)

    def test_unknown_article(self, article):
        form = ComplaintForm(form_data(article, article_url="/2024/05/no-such-article/"))
        assert "We have no published article at this address" in errors(form)

    @pytest.mark.parametrize(
        "make",
        [
            lambda: DraftFactory(slug="secret-draft"),
            lambda: ArticleFactory(slug="secret-draft", published_at=timezone.now() + datetime.timedelta(days=2)),
            lambda: ArticleFactory(slug="secret-draft", status=Article.Status.WITHDRAWN),
        ],
        ids=["draft", "scheduled", "withdrawn"],
    )
    def test_unpublished_articles_are_refused_like_unknown_ones(self, article, make):
        make()
        form = ComplaintForm(form_data(article, article_url="/2024/05/secret-draft/"))
        assert "We have no published article at this address" in errors(form)  # nothing revealed

    def test_article_already_taken_down(self, article):
        Article.objects.filter(pk=article.pk).update(status=Article.Status.TAKEN_DOWN)
        form = ComplaintForm(form_data(article))
        assert "This article is already unavailable" in errors(form)

    def test_former_address_of_a_renamed_article(self, article):
        old_url = article.get_absolute_url()
        article.slug = "heat-pumps-wired"
        article.save()
        form = ComplaintForm(form_data(article, article_url=old_url))
        assert form.is_valid(), form.errors
        assert form.article == article


class TestHoneypot:
    def test_filled_honeypot_is_refused(self, article):
        form = ComplaintForm(form_data(article, website="http://spam.example"))
        assert not form.is_valid()
        assert "looks like an automated complaint" in " ".join(form.non_field_errors())
