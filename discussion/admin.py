from django.contrib import admin, messages
from django.db import models
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import actions
from .models import Comment


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("held", _("Awaiting approval")), ("published", _("Published")), ("spam", _("Spam"))]

    def queryset(self, request, queryset):
        return {
            "held": queryset.held,
            "published": queryset.published,
            "spam": lambda: queryset.filter(is_spam=True),
        }.get(self.value(), lambda: queryset)()


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """The comment moderation queue: filter "Awaiting approval", then approve or mark spam in bulk."""

    list_display = ["excerpt", "user_name", "user_email", "article_link", "submit_date", "status", "held_reason"]
    list_filter = [StatusFilter, "held_reason", "submit_date"]
    list_select_related = ["content_type"]
    search_fields = ["comment", "user_name", "user_email", "user_url", "ip_address"]
    date_hierarchy = "submit_date"
    ordering = ["-submit_date"]
    actions = ["approve", "mark_spam", "mark_not_spam", "delete_comments"]
    fieldsets = [
        (None, {"fields": ["article_link", "parent", "comment"]}),
        (
            _("Commenter"),
            {"fields": ["user_name", "user_email", "user_url", "user", "ip_address", "notify_on_approval"]},
        ),
        (_("Moderation"), {"fields": ["is_public", "is_spam", "is_removed", "held_reason", "submit_date"]}),
    ]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["article_link", "parent", "user", "ip_address", "held_reason", "submit_date"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("content_object")

    def get_actions(self, request):
        found = super().get_actions(request)
        found.pop("delete_selected", None)  # ours recounts the articles' comments
        if not request.user.has_perm("discussion.can_moderate"):
            for name in ["approve", "mark_spam", "mark_not_spam"]:
                found.pop(name, None)
        if not request.user.has_perm("discussion.delete_comment"):
            found.pop("delete_comments", None)
        return found

    def changelist_view(self, request, extra_context=None):
        held = Comment.objects.held().count()
        extra = {"subtitle": ngettext("%d comment awaiting approval", "%d comments awaiting approval", held) % held}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    @admin.display(description=_("comment"))
    def excerpt(self, obj):
        return obj.comment[:80] + ("…" if len(obj.comment) > 80 else "")

    @admin.display(description=_("article"))
    def article_link(self, obj):
        target = obj.content_object if obj.pk else None
        if target is None:
            return "—"
        return format_html('<a href="{}">{}</a>', target.get_absolute_url(), target)

    @admin.display(description=_("status"))
    def status(self, obj):
        if obj.is_spam:
            return _("Spam")
        if obj.is_removed:
            return _("Removed")
        return _("Published") if obj.is_public else _("Awaiting approval")

    def _done(self, request, count, message):
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Approve selected comments"), permissions=["change"])
    def approve(self, request, queryset):
        self._done(request, actions.approve(queryset), _("%(count)d comments approved."))

    @admin.action(description=_("Mark selected comments as spam"), permissions=["change"])
    def mark_spam(self, request, queryset):
        self._done(request, actions.mark_spam(queryset), _("%(count)d comments marked as spam."))

    @admin.action(description=_("Not spam: publish selected comments"), permissions=["change"])
    def mark_not_spam(self, request, queryset):
        self._done(
            request,
            actions.mark_not_spam(queryset.filter(Q(is_spam=True) | Q(is_public=False))),
            _("%(count)d comments published."),
        )

    @admin.action(description=_("Delete selected comments"), permissions=["delete"])
    def delete_comments(self, request, queryset):
        self._done(request, actions.delete(queryset), _("%(count)d comments deleted."))
