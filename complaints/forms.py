"""The public copyright complaint form. It validates; workflow.receive() stores."""

import unicodedata
from urllib.parse import unquote, urlsplit

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http.request import validate_host
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _

from blog.models import Article, ArticleSlugRedirect
from core.fields import PlainParagraphsFormField, PlainTextFormField

ARTICLE_VIEW = "blog:article-detail"

# The statements of a DMCA notice (17 U.S.C. § 512(c)(3)(A)(v) and (vi)), in plain words.
GOOD_FAITH = _(
    "I have a good faith belief that use of the material in the manner complained of is not authorized "
    "by the copyright owner, its agent, or the law."
)
ACCURACY = _(
    "The information in this notice is accurate, and under penalty of perjury, I am the owner, or "
    "authorized to act on behalf of the owner, of the copyright that is allegedly infringed."
)


def one_line(value):
    """Plain text on one line: runs of whitespace, newlines included, become one space."""
    return " ".join(value.split())


def same_name(first, second):
    """Whether two typed names are the same, ignoring case, spacing and Unicode compatibility forms."""

    def normal(value):
        return one_line(unicodedata.normalize("NFKC", value)).casefold()

    return normal(first) == normal(second)


def our_hosts():
    """The host names this site answers to: ALLOWED_HOSTS (without the "*" wildcard) and BYLINE_SITE_URL's."""
    hosts = [host for host in settings.ALLOWED_HOSTS if host != "*"]
    site = urlsplit(settings.BYLINE_SITE_URL).hostname
    return [*hosts, site] if site else hosts


def article_from_address(value):
    """The article at `value`, a full address on this site or a bare path; raises ValidationError.

    Only a live article is returned. An article already taken down, a draft, a scheduled
    article or an address that is not an article's each get their own message (drafts and
    unknown addresses share one, so the form reveals nothing unpublished).
    """
    value = value.strip()
    if not value.startswith("/") and "://" not in value:
        # "www.example.com/2024/05/slug/" (typed without https://) or "2024/05/slug/".
        first = value.split("/", 1)[0]
        value = f"https://{value}" if "." in first else f"/{value}"
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:  # e.g. an unterminated [IPv6 literal
        parts, host = None, None
    if parts is None or parts.scheme not in ("", "http", "https"):
        raise ValidationError(_("Enter the address of the article as your browser shows it."), code="invalid")
    if parts.netloc and not (host and validate_host(host, our_hosts())):
        raise ValidationError(
            _("This address is not on our site. Enter the address of the article here that uses your work."),
            code="foreign",
        )
    path = unquote(parts.path) or "/"
    match = None
    for candidate in [path] if path.endswith("/") else [path, path + "/"]:  # copied without the final slash
        try:
            match = resolve(candidate)
            break
        except Resolver404:
            continue
    if match is None or match.view_name != ARTICLE_VIEW:
        raise ValidationError(
            _("This is not the address of an article. Open the article and copy its address from your browser."),
            code="not_article",
        )
    slug = match.kwargs["slug"]
    article = Article.objects.filter(slug=slug).first()
    if article is None:
        former = ArticleSlugRedirect.objects.select_related("article").filter(old_slug=slug).first()
        article = former.article if former else None
    if article is not None and article.status == Article.Status.TAKEN_DOWN:
        raise ValidationError(
            _("This article is already unavailable: it was taken down after a copyright complaint."),
            code="taken_down",
        )
    if article is None or not article.is_live:
        raise ValidationError(
            _("We have no published article at this address. Check it, or copy it again from your browser."),
            code="unknown",
        )
    return article


class ComplaintForm(forms.Form):
    claimant_name = PlainTextFormField(label=_("Your full name"), max_length=120)
    claimant_email = forms.EmailField(
        label=_("Your email"),
        max_length=254,
        help_text=_("We write to you here about your complaint. It is never published."),
    )
    organisation = PlainTextFormField(
        label=_("Organisation (optional)"),
        required=False,
        max_length=200,
        help_text=_("Only if you act for a company or another rights holder: its name."),
    )
    original_work = PlainParagraphsFormField(
        label=_("Your original work"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Describe the work that was copied, and give its address if it is online."),
    )
    article_url = PlainTextFormField(
        label=_("The article on our site"),
        max_length=500,
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "off"}),
        help_text=_("Its address, as your browser shows it."),
    )
    good_faith = forms.BooleanField(
        label=GOOD_FAITH,
        error_messages={"required": _("Please confirm the good-faith statement: we cannot act without it.")},
    )
    accuracy = forms.BooleanField(
        label=ACCURACY,
        error_messages={"required": _("Please confirm that the information is accurate: we cannot act without it.")},
    )
    signature = PlainTextFormField(
        label=_("Electronic signature"),
        max_length=120,
        help_text=_("Type your full name, as above: it signs this complaint."),
    )
    # Honeypot: hidden from people (CSS and aria-hidden); bots fill every field.
    website = forms.CharField(label=_("Leave this empty"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = None  # set by clean_article_url()

    def clean_article_url(self):
        value = self.cleaned_data["article_url"]
        self.article = article_from_address(value)
        return value.strip()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            # Shown above the form: the honeypot field itself is invisible.
            raise ValidationError(
                _("This looks like an automated complaint. If you are a person, leave the field “%(label)s” empty.")
                % {"label": self.fields["website"].label},
                code="honeypot",
            )
        name, signature = cleaned.get("claimant_name"), cleaned.get("signature")
        if name and signature and not same_name(name, signature):
            self.add_error(
                "signature",
                ValidationError(
                    _("Your signature must be your full name exactly as you typed it above (“%(name)s”).")
                    % {"name": name},
                    code="signature_mismatch",
                ),
            )
        return cleaned

    def full_clean(self):
        super().full_clean()
        # Point each invalid field at its error list (id ..._error) too: Django links only the help text.
        for name in self.errors:
            if name in self.fields:
                bound = self[name]
                ids = [f"{bound.auto_id}_error"] + ([f"{bound.auto_id}_helptext"] if bound.help_text else [])
                self.fields[name].widget.attrs["aria-describedby"] = " ".join(ids)

    def complaint_data(self):
        """Keyword arguments for workflow.receive()."""
        data = self.cleaned_data
        return {
            "article": self.article,
            "article_url": data["article_url"],
            "claimant_name": data["claimant_name"],
            "claimant_email": data["claimant_email"],
            "organisation": data["organisation"],
            "original_work": data["original_work"],
            "signature": data["signature"],
            "good_faith": data["good_faith"],
            "accuracy": data["accuracy"],
        }
