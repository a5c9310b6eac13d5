"""The "Leave a Reply" form: django-contrib-comments' form (signed target, timestamp, honeypot)
plus replies, the approval-email opt-in, and a check against forms sent back too fast.

The too-fast check on cached pages. Article pages are cached whole (pagecache, Varnish) and served
to every reader, the form's signed timestamp with them: a page rendered an hour ago carries an
hour-old timestamp, so a script posting that copy at once used to pass the minimum-age check. The
form's token (timestamp, security_hash) therefore says which kind it is, in `token_kind`, which
the hash covers:

- "fresh": issued to this reader alone, never from a shared copy: by the uncached token endpoint
  (discussion.views.comment_token), which static/js/comments.js calls when the reader first
  focuses or types in the form, or in the form shown again after a refused post (a POST response,
  never cached). Its age is the time since the reader started, so [BYLINE_COMMENT_MIN_SECONDS,
  the two hours of django-contrib-comments] is checked as before.
- "page": the one in the page's HTML, for readers without JavaScript (or whose fetch failed). Its
  age counts from when the page was rendered, not from when this reader got it: a copy cached a
  minute or a day ago says nothing of how long this reader took, so a page token never passes on
  its own. The post is shown again, its text kept, with a fresh token and a request to check it and
  send it once more: the minimum time then counts from that form, which answered this reader's post
  and was never cached. A reader without JavaScript sends twice; a script posting the cached copy at
  once is refused every time, however young or old the copy.

Why not a window for page tokens (accepted while the page is young): the page cache serves a page
for as long as what it shows is unchanged, so within any window a script posting a copy rendered a
minute earlier would pass, which is exactly the defect this closes.
"""

import time

from django import forms
from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from django_comments.forms import DEFAULT_COMMENTS_TIMEOUT
from django_comments.forms import CommentForm as BaseCommentForm

from core.fields import PlainTextFormField

from .models import Comment

PAGE, FRESH = "page", "fresh"
# A fresh token's hash is keyed apart from django-contrib-comments' own (the page token's, unchanged,
# so pages cached before this existed still work): one kind cannot be passed off as the other.
FRESH_SALT = "byline.discussion.fresh-comment-token"


class CommentForm(BaseCommentForm):
    # Plain text: a tag in the name is refused with the reason (core.fields).
    name = PlainTextFormField(label=_("Name"), max_length=50)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    notify_on_approval = forms.BooleanField(
        label=_("Email me if my comment has to wait for approval and is then published"), required=False
    )
    # Which kind of token the form carries (see the module's docstring); covered by security_hash.
    token_kind = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, target_object, data=None, initial=None, **kwargs):
        super().__init__(target_object, data=data, initial=initial, **kwargs)
        self.fields["name"].label = _("Name")
        self.fields["name"].widget.attrs.update(autocomplete="name")
        self.fields["email"].label = _("Email")
        self.fields["email"].help_text = _("Never shown; used only to tell you about your comment.")
        self.fields["email"].widget.attrs.update(autocomplete="email")
        self.fields["url"].label = _("Website (optional)")
        self.fields["url"].widget.attrs.update(autocomplete="url")
        self.fields["url"].assume_scheme = "https"
        self.fields["comment"].widget.attrs.update(rows=6)
        self.fields["comment"].help_text = _("Plain text. Links become clickable; HTML is shown as typed.")
        self.fields["honeypot"].label = _("Leave this empty")
        self.order_fields(["comment", "name", "email", "url", "notify_on_approval"])

    def token_kind_sent(self):
        """The kind of token posted: "fresh" or "page" (anything else, or nothing, is a page token)."""
        return FRESH if self.data.get("token_kind") == FRESH else PAGE

    def generate_security_data(self, kind=PAGE):
        """The signed target and timestamp; `kind` FRESH for a token handed to one reader only."""
        data = super().generate_security_data()
        data["token_kind"] = kind
        if kind == FRESH:
            data["security_hash"] = self.generate_security_hash(
                data["content_type"], data["object_pk"], data["timestamp"], kind=FRESH
            )
        return data

    def generate_security_hash(self, content_type, object_pk, timestamp, kind=PAGE):
        if kind == PAGE:
            return super().generate_security_hash(content_type, object_pk, timestamp)
        return salted_hmac(FRESH_SALT, "-".join((content_type, object_pk, timestamp))).hexdigest()

    def clean_security_hash(self):
        expected = self.generate_security_hash(
            self.data.get("content_type", ""),
            self.data.get("object_pk", ""),
            self.data.get("timestamp", ""),
            kind=self.token_kind_sent(),
        )
        actual = self.cleaned_data["security_hash"]
        if not constant_time_compare(expected, actual):
            raise forms.ValidationError("Security hash check failed.")
        return actual

    def clean_timestamp(self):
        timestamp = self.cleaned_data["timestamp"]
        age = time.time() - timestamp
        if self.token_kind_sent() == PAGE:
            # From a page perhaps cached for everyone: when this reader got it is unknown (see above).
            raise forms.ValidationError(
                _("To keep out automated posts, please check your comment below and send it once more.")
            )
        if age > DEFAULT_COMMENTS_TIMEOUT:
            raise forms.ValidationError(_("This form was open for a long time. Please send your comment again."))
        if age < settings.BYLINE_COMMENT_MIN_SECONDS:
            # People need longer than this to write anything; scripts do not.
            raise forms.ValidationError(_("That was very quick. Please check your comment and send it again."))
        return timestamp

    def clean_token_kind(self):
        return self.token_kind_sent()

    def clean_parent(self):
        """A reply must answer a published comment on the same article."""
        pk = self.cleaned_data.get("parent")
        if not pk:
            return None
        parent = Comment.objects.published().for_article(self.target_object).filter(pk=pk).first()
        if parent is None:
            raise forms.ValidationError(_("The comment you are replying to is no longer available."))
        return parent

    def refreshed_data(self):
        """The posted data with a new signed timestamp, to show the form again: a fresh token,
        since the page showing it answers a post and is never cached."""
        data = self.data.copy()
        data.update(self.generate_security_data(kind=FRESH))
        return data

    def refresh_security(self):
        """After validation: keep the errors, but sign a new timestamp for the next attempt."""
        self.full_clean()
        self.data = self.refreshed_data()

    def security_errors(self):
        """Tampering (a bad signature); an expired or too-quick timestamp is shown as a normal error."""
        errors = super().security_errors()
        errors.pop("timestamp", None)
        errors.pop("honeypot", None)
        return errors

    def get_comment_create_data(self, site_id=None):
        data = super().get_comment_create_data(site_id=site_id)
        data.update(parent=self.cleaned_data.get("parent"), notify_on_approval=self.cleaned_data["notify_on_approval"])
        return data

    def check_for_duplicate_comment(self, new):
        """The same text from the same person on the same article today is the earlier comment (a double post)."""
        return (
            Comment.objects.for_article(self.target_object)
            .filter(
                user_email=new.user_email,
                comment=new.comment,
                submit_date__date=new.submit_date.date(),
                is_removed=False,
            )
            .first()
            or new
        )
