from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.db import models
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.affiliates import invalid_pattern_lines
from core.figures import refuse_lost_pictures

from .models import Page, PublishingCheck, SiteSettings


class SiteSettingsForm(forms.ModelForm):
    publishing_blockers = forms.MultipleChoiceField(
        label=_("Checks that block publishing"),
        choices=PublishingCheck.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=SiteSettings._meta.get_field("publishing_blockers").help_text,
    )

    class Meta:  # the model and fields come from SiteSettingsAdmin
        widgets = {"affiliate_patterns": forms.Textarea(attrs={"rows": 12, "class": "vLargeTextField"})}

    def clean_affiliate_patterns(self):
        # Browsers send \r\n: normalized so that saving unchanged patterns is not a change.
        text = self.cleaned_data["affiliate_patterns"].replace("\r\n", "\n")
        invalid = invalid_pattern_lines(text)
        if invalid:
            raise forms.ValidationError(
                _("Not a pattern: %(lines)s. Write a domain, domain?parameter or ?parameter, one a line."),
                params={"lines": ", ".join(invalid)},
            )
        return text

    def clean_callout_text(self):
        return refuse_lost_pictures(self.cleaned_data["callout_text"])


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    """One record: the list page goes straight to it, and it cannot be deleted."""

    form = SiteSettingsForm
    # Django 6.0's default, opted into now: an address typed without a scheme gets https://.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    autocomplete_fields = ["affiliate_page"]
    fieldsets = [
        (_("General"), {"fields": ["site_name", "tagline", "feed_full_text"]}),
        (_("Footer"), {"fields": ["copyright_notice"]}),
        (
            _("Comments"),
            {"fields": ["comments_close_after_days", "comment_max_links", "comment_blocklist", "facebook_app_id"]},
        ),
        (
            _("Sharing and social profiles"),
            {
                "fields": ["share_prompt", "instagram_url", "facebook_url", "x_url", "linkedin_url", "youtube_url"],
                "description": _(
                    "The prompt shows above the share links; the profiles are linked below them and in the footer."
                ),
            },
        ),
        (_("Before publishing"), {"fields": ["publishing_blockers"]}),
        (_("Call-out"), {"fields": ["callout_after_paragraph", "callout_text", "contributions_email"]}),
        (
            _("Affiliate links"),
            {
                "fields": ["affiliate_patterns", "affiliate_disclosure", "affiliate_page"],
                "description": _(
                    "The disclosure shows in the footer of every page, and at the top of articles with affiliate "
                    "links. Changing the patterns re-checks every article."
                ),
            },
        ),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        settings = SiteSettings.load()
        return redirect(reverse("admin:core_sitesettings_change", args=[settings.pk]))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "affiliate_patterns" in form.changed_data:
            self.message_user(
                request, _("The affiliate patterns changed: every article is being checked again."), messages.INFO
            )


class PageForm(forms.ModelForm):
    def clean_body(self):
        return refuse_lost_pictures(self.cleaned_data["body"])  # a figure never saves without its picture


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    form = PageForm
    list_display = ["title", "slug", "updated_at"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}


def view_on_site(request, content_type_id, object_id):
    """The admin's “View on site” redirect (/admin/r/<type>/<id>/), in place of Django's, for objects the
    user may open in the admin and whose admin offers the link; 404 otherwise.

    Django's (contenttypes' `shortcut`) sends any staff user to any object's get_absolute_url(): for a
    guest post that is its tracking page, whose address is the secret (contributions.Submission), and
    for an author it names other authors' drafts. Routed in config/urls.py, ahead of the admin's URLs.
    """
    content_type = ContentType.objects.filter(pk=content_type_id).first() if content_type_id.isdecimal() else None
    model = content_type.model_class() if content_type else None
    if model is None or not admin.site.is_registered(model):
        raise Http404
    model_admin = admin.site.get_model_admin(model)
    obj = model_admin.get_object(request, unquote(object_id))  # within what this user's changelist shows
    if (
        obj is None
        or not model_admin.has_view_or_change_permission(request, obj)
        or model_admin.get_view_on_site_url(obj) is None
    ):
        raise Http404
    return shortcut(request, content_type_id, object_id)
