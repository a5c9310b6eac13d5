from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from reversion.admin import VersionAdmin
from reversion.models import Version
from taggit.models import Tag

from core.fields import HAS_MARKUP
from core.figures import refuse_lost_pictures
from core.slugs import unique_slug
from core.text import first_tag
from editing.admin import EditingMixin

from . import checklist, publishing, tags
from .library_choice import LibraryChoiceForm
from .models import Article, ArticleSlugRedirect, Author, Category
from .previews import preview_url
from .revisions import diff_versions

PUBLISH_PERMISSION = "blog.publish_article"
# Django 6.0's default, opted into now: an address typed without a scheme gets https://.
URL_FIELD_OVERRIDES = {models.URLField: {"assume_scheme": "https"}}


def _set_featured(article, featured):
    article.is_featured = featured
    article.save()


def can_publish(user):
    return user.has_perm(PUBLISH_PERMISSION)


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELD_OVERRIDES
    list_display = ["name", "slug", "email", "user", "article_count"]
    search_fields = ["name", "email", "user__username"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").annotate(num_articles=Count("articles"))

    @admin.display(description=_("articles"), ordering="num_articles")
    def article_count(self, obj):
        return obj.num_articles


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class ArticleAdminForm(LibraryChoiceForm, forms.ModelForm):
    """Tags are picked from existing ones with autocomplete, new ones typed beside them."""

    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"),
        queryset=Tag.objects.all(),
        required=False,
        widget=AutocompleteSelectMultiple(Article._meta.get_field("tags"), admin.site),
    )
    new_tags = forms.CharField(
        label=_("New tags"),
        required=False,
        help_text=_("Tags that do not exist yet, separated by commas."),
    )

    class Meta:
        model = Article
        fields = [
            "title", "slug", "author", "category", "tags", "standfirst", "body",
            "featured_image", "featured_image_alt", "featured_image_caption", "featured_image_credit",
            "status", "published_at", "is_featured", "meta_description", "canonical_url",
            "show_callout", "comments_close_after_days",
        ]  # fmt: skip
        formfield_callback = lambda field, **kwargs: (  # noqa: E731
            field.formfield(**(URL_FIELD_OVERRIDES.get(type(field), {}) | kwargs))
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["tags"] = [tag.pk for tag in self.instance.tags.all()]

    def clean_body(self):
        return refuse_lost_pictures(self.cleaned_data["body"])  # a figure never saves without its picture

    def clean_new_tags(self):
        typed = self.cleaned_data.get("new_tags") or ""
        if tag := first_tag(typed):
            raise forms.ValidationError(HAS_MARKUP % {"tag": tag}, code="markup")
        names, refused = tags.parse_names(typed)
        if refused:
            raise forms.ValidationError(tags.refusal_message(refused), code="no_slug")
        return names

    def clean(self):
        cleaned_data = super().clean()
        # Published or scheduled (published with a later time): the checklist's blockers refuse it.
        if cleaned_data.get("status", self.instance.status) == Article.Status.PUBLISHED:
            draft = checklist.Draft.from_form(cleaned_data, self.instance)
            blockers = checklist.run_checks(draft).blockers
            if blockers:
                raise forms.ValidationError(
                    [_("Not published: fix what blocks it (see “Before publishing”), then save again.")]
                    + [result.message for result in blockers],
                    code="blocked",
                )
        return cleaned_data

    def tag_names(self):
        names = [tag.name for tag in self.cleaned_data.get("tags") or []]
        return names + list(self.cleaned_data.get("new_tags") or [])

    def _save_m2m(self):
        # TaggableManager.save_form_data() accepts names, creating tags that are new.
        self.cleaned_data["tags"] = self.tag_names()
        super()._save_m2m()


@admin.register(Article)
class ArticleAdmin(EditingMixin, VersionAdmin):
    form = ArticleAdminForm
    formfield_overrides = URL_FIELD_OVERRIDES
    list_display = [
        "title",
        "author",
        "category",
        "status_label",
        "published_at",
        "is_featured",
        "has_affiliate_links",
        "updated_at",
        "thumbnail",
    ]
    list_filter = [
        "status",
        "is_featured",
        "has_affiliate_links",
        ("published_at", admin.DateFieldListFilter),
        "category",
        "author",
        ("tags", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["author", "category"]
    search_fields = ["title", "standfirst", "slug", "author__name"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["author", "category"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        "publishing_checklist",
        "image_preview",
        "preview_link",
        "has_affiliate_links",
        "affiliate_link_list",
        "guest_submission",
        "reading_time",
        "created_at",
        "updated_at",
    ]
    actions = ["publish_now", "unpublish", "feature", "unfeature"]
    history_latest_first = True
    object_history_template = "admin/blog/article/object_history.html"
    fieldsets = [
        (None, {"fields": ["title", "slug", "author", "category", "tags", "new_tags", "standfirst", "body"]}),
        (
            _("Featured image"),
            {
                "fields": [
                    "featured_image",
                    "library_image",
                    "image_preview",
                    "featured_image_alt",
                    "featured_image_caption",
                    "featured_image_credit",
                ]
            },
        ),
        (_("Before publishing"), {"fields": ["publishing_checklist"], "classes": ["checklist-fieldset"]}),
        (_("Publishing"), {"fields": ["status", "published_at", "is_featured", "preview_link"]}),
        (_("Call-out and comments"), {"fields": ["show_callout", "comments_close_after_days"]}),
        (
            _("Affiliate links"),
            {
                "fields": ["has_affiliate_links", "affiliate_link_list"],
                "description": _(
                    "Found when the article is saved, using the patterns in the site settings. "
                    'These links get rel="sponsored" and the article shows the affiliate disclosure.'
                ),
            },
        ),
        (
            _("Search engines"),
            {"fields": ["meta_description", "canonical_url"], "classes": ["collapse"]},
        ),
        (_("Record"), {"fields": ["guest_submission", "reading_time", "created_at", "updated_at"]}),
    ]

    class Media:
        css = {"all": ["css/admin-checklist.css"]}

    # Permissions: editors (publish permission) see everything; authors only their own.

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if can_publish(request.user):
            return qs
        return qs.filter(author__user=request.user)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if allowed and obj is not None and not can_publish(request.user):
            # Once published, an article is the editors' to change.
            return obj.status in (Article.Status.DRAFT, Article.Status.REVIEW)
        return allowed

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if allowed and obj is not None and not can_publish(request.user):
            return obj.status == Article.Status.DRAFT
        return allowed

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not can_publish(request.user):
            fields += ["author", "published_at", "is_featured"]
        if obj is not None and obj.status == Article.Status.TAKEN_DOWN:
            fields.append("status")  # only the copyright complaint that took it down can restore it
        return fields

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status":
            # Taking down is done by upholding a copyright complaint (Admin → Copyright complaints).
            allowed = [Article.Status.DRAFT, Article.Status.REVIEW]
            if can_publish(request.user):
                allowed += [Article.Status.PUBLISHED, Article.Status.WITHDRAWN]
            kwargs["choices"] = [(status, status.label) for status in allowed]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not can_publish(request.user):
            for name in ("publish_now", "unpublish", "feature", "unfeature"):
                actions.pop(name, None)
        return actions

    def save_model(self, request, obj, form, change):
        if not can_publish(request.user):
            if obj.status not in (Article.Status.DRAFT, Article.Status.REVIEW):
                raise PermissionDenied
            if not change:
                author = getattr(request.user, "author", None)
                if author is None:
                    author = Author.objects.create(
                        name=request.user.get_full_name() or request.user.get_username(),
                        slug=unique_slug(Author, request.user.get_username(), 120, fallback="editor"),
                        email=request.user.email,
                        user=request.user,
                    )
                obj.author = author
        super().save_model(request, obj, form, change)

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.is_live else self._preview_url(obj)

    @staticmethod
    def _preview_url(obj):
        """One preview link per page: the token carries the second it was signed, so two signings
        (the "view on site" button and the preview field) could give two different links."""
        if getattr(obj, "_preview_for", None) != obj.slug:
            obj._preview_for, obj._preview = obj.slug, preview_url(obj)
        return obj._preview

    # Columns and read-only fields

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj):
        if obj.is_scheduled:
            return format_html(
                "{} <small>({})</small>",
                _("Scheduled"),
                timezone.localtime(obj.published_at).strftime("%Y-%m-%d %H:%M"),
            )
        return obj.get_status_display()

    @admin.display(description=_("image"))
    def thumbnail(self, obj):
        if not obj.featured_image:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" width="60" style="height:auto">', obj.featured_image.url, obj.featured_image_alt
        )

    @admin.display(description=_("preview"))
    def image_preview(self, obj):
        if not obj or not obj.featured_image:
            return _("No image yet.")
        return format_html(
            '<img src="{}" alt="{}" style="max-width:320px;height:auto">',
            obj.featured_image.url,
            obj.featured_image_alt,
        )

    @admin.display(description=_("matched links"))
    def affiliate_link_list(self, obj):
        if not obj or not obj.affiliate_links:
            return _("None")
        return format_html(
            '<ul class="affiliate-links">{}</ul>',
            format_html_join("", "<li><code>{}</code></li>", ((link,) for link in obj.affiliate_links)),
        )

    @admin.display(description=_("guest submission"))
    def guest_submission(self, obj):
        submission = getattr(obj, "submission", None) if obj and obj.pk else None
        if submission is None:
            return "—"
        url = reverse("admin:contributions_submission_change", args=[submission.pk])
        return format_html('<a href="{}">{}</a> ({})', url, submission.title, submission.get_status_display())

    @admin.display(description=_("checklist"))
    def publishing_checklist(self, obj):
        if not obj or not obj.pk:
            return _("Save the article to see what it still needs before it can be published.")
        return render_to_string("admin/blog/article/checklist.html", {"checklist": checklist.check_article(obj)})

    @admin.display(description=_("preview link"))
    def preview_link(self, obj):
        if not obj or not obj.pk:
            return _("Save the article to get a preview link.")
        url = self._preview_url(obj)
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a><br><small>{}</small>',
            url,
            _("Open preview"),
            _("Anyone with this link can read the draft until it expires. Share it with care."),
        )

    # Actions: each one stamps the change and keeps a revision.

    def _bulk_save(self, request, queryset, change, message):
        """`change(article)` (which saves it) for each article, with an entry in its history."""
        count = 0
        with transaction.atomic():
            for article in queryset:
                change(article)
                self.log_change(request, article, message)
                count += 1
        return count

    @admin.action(description=_("Publish now"), permissions=["publish"])
    def publish_now(self, request, queryset):
        # A taken-down article comes back only through its copyright complaint.
        publishable, refusals = [], []
        for article in queryset.exclude(status=Article.Status.TAKEN_DOWN):
            try:
                publishing.ensure_publishable(article)
            except publishing.PublishingBlocked as refusal:
                refusals.append(refusal)
            else:
                publishable.append(article)
        count = self._bulk_save(request, publishable, publishing.publish_now, "Published now.")
        if count or not refusals:
            self.message_user(
                request, ngettext("%d article published.", "%d articles published.", count) % count, messages.SUCCESS
            )
        for refusal in refusals:  # the checklist before publishing: blog/checklist.py
            self.message_user(
                request,
                _("“%(title)s” was not published: %(reasons)s")
                % {"title": refusal.article.title, "reasons": str(refusal)},
                messages.ERROR,
            )

    @admin.action(description=_("Unpublish (withdraw)"), permissions=["publish"])
    def unpublish(self, request, queryset):
        count = self._bulk_save(
            request, queryset.filter(status=Article.Status.PUBLISHED), publishing.withdraw, "Withdrawn."
        )
        self.message_user(
            request, ngettext("%d article withdrawn.", "%d articles withdrawn.", count) % count, messages.SUCCESS
        )

    @admin.action(description=_("Feature on the home page"), permissions=["publish"])
    def feature(self, request, queryset):
        count = self._bulk_save(request, queryset, lambda a: _set_featured(a, True), "Featured.")
        self.message_user(
            request, ngettext("%d article featured.", "%d articles featured.", count) % count, messages.SUCCESS
        )

    @admin.action(description=_("Stop featuring"), permissions=["publish"])
    def unfeature(self, request, queryset):
        count = self._bulk_save(request, queryset, lambda a: _set_featured(a, False), "No longer featured.")
        self.message_user(
            request, ngettext("%d article unfeatured.", "%d articles unfeatured.", count) % count, messages.SUCCESS
        )

    def has_publish_permission(self, request):
        return can_publish(request.user)

    # Revisions: a field-by-field diff of any version against the one before it.

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/history/<int:version_id>/diff/",
                self.admin_site.admin_view(self.version_diff_view),
                name="{}_{}_diff".format(*info),
            ),
            *super().get_urls(),
        ]

    def history_view(self, request, object_id, extra_context=None):
        versions = list(
            Version.objects.get_for_object_reference(Article, object_id)
            .select_related("revision", "revision__user")
            .order_by("-revision__date_created", "-pk")
        )
        rows = [
            {
                "version": version,
                "revert_url": reverse("admin:blog_article_revision", args=[object_id, version.pk]),
                "diff_url": reverse("admin:blog_article_diff", args=[object_id, version.pk]),
            }
            for version in versions
        ]
        return super().history_view(request, object_id, {"version_rows": rows, **(extra_context or {})})

    def version_diff_view(self, request, object_id, version_id):
        article = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        versions = Version.objects.get_for_object(article).select_related("revision", "revision__user")
        version = get_object_or_404(versions, pk=version_id)
        previous = (
            versions.filter(revision__date_created__lte=version.revision.date_created, pk__lt=version.pk)
            .order_by("-revision__date_created", "-pk")
            .first()
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": _("Changes in this version"),
            "version": version,
            "previous": previous,
            "changes": diff_versions(Article, previous, version),
            "revert_url": reverse("admin:blog_article_revision", args=[article.pk, version.pk]),
        }
        return TemplateResponse(request, "admin/blog/article/version_diff.html", context)


@admin.register(ArticleSlugRedirect)
class ArticleSlugRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "article", "created_at"]
    search_fields = ["old_slug", "article__title", "article__slug"]
    autocomplete_fields = ["article"]
