"""The "Leave a Reply" form: django-contrib-comments' form (signed target, timestamp, honeypot)
plus replies, the approval-email opt-in, and a check against forms sent back too fast."""

import time

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_comments.forms import DEFAULT_COMMENTS_TIMEOUT
from django_comments.forms import CommentForm as BaseCommentForm

from core.fields import PlainTextFormField

from .models import Comment


class CommentForm(BaseCommentForm):
    # Plain text: a tag in the name is refused with the reason (core.fields).
    name = PlainTextFormField(label=_("Name"), max_length=50)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    notify_on_approval = forms.BooleanField(
        label=_("Email me if my comment has to wait for approval and is then published"), required=False
    )

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

    def clean_timestamp(self):
        timestamp = self.cleaned_data["timestamp"]
        age = time.time() - timestamp
        if age > DEFAULT_COMMENTS_TIMEOUT:
            raise forms.ValidationError(_("This form was open for a long time. Please send your comment again."))
        if age < settings.BYLINE_COMMENT_MIN_SECONDS:
            # People need longer than this to write anything; scripts do not.
            raise forms.ValidationError(_("That was very quick. Please check your comment and send it again."))
        return timestamp

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
        """The posted data with a new signed timestamp, to show the form again."""
        data = self.data.copy()
        data.update(self.generate_security_data())
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
