from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.decisions import NO_SAVE_BUTTONS, DecisionsMixin

from . import profiles, workflow
from .fingerprints import DUPLICATE_THRESHOLD
from .intake import failed_verification
from .models import BlockedSender, InboundMessage, ProfileChange, RejectionReason, Submission, SubmissionEvent


class ClaimFilter(admin.SimpleListFilter):
    title = _("claimed")
    parameter_name = "claim"

    def lookups(self, request, model_admin):
        return [("mine", _("By me")), ("unclaimed", _("Unclaimed")), ("others", _("By others"))]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(claimed_by=request.user)
        if self.value() == "unclaimed":
            return queryset.filter(claimed_by__isnull=True)
        if self.value() == "others":
            return queryset.exclude(Q(claimed_by__isnull=True) | Q(claimed_by=request.user))
        return queryset


class FlagFilter(admin.SimpleListFilter):
    title = _("flags")
    parameter_name = "flag"

    def lookups(self, request, model_admin):
        return [("duplicate", _("Possible duplicate")), ("signals", _("Spam signals"))]

    def queryset(self, request, queryset):
        if self.value() == "duplicate":
            return queryset.filter(duplicate_score__gte=DUPLICATE_THRESHOLD)
        if self.value() == "signals":
            return queryset.exclude(report__signals=[])
        return queryset


class SubmissionEventInline(admin.TabularInline):
    model = SubmissionEvent
    fields = ["created_at", "kind", "from_status", "to_status", "actor", "message", "note", "changes"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("History")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("what changed"))
    def changes(self, obj):
        """A revision's pictures and document, as workflow.revise recorded them."""
        data = obj.data or {}
        lines = [
            *(_("Picture added: %(name)s") % {"name": name} for name in data.get("pictures_added", [])),
            *(
                _("Picture replaced: %(old)s by %(new)s") % {"old": change["old"], "new": change["new"]}
                for change in data.get("pictures_replaced", [])
            ),
            *(_("Picture removed: %(name)s") % {"name": name} for name in data.get("pictures_removed", [])),
        ]
        if document := data.get("document_replaced"):
            lines.append(
                _("Word document replaced by %(name)s (the previous one is kept as %(old)s)")
                % {"name": document["name"], "old": document["old"] or "—"}
            )
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines)) or "—"


class RequestChangesForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the contributor"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Emailed to them and shown on their tracking page."),
    )
    note = forms.CharField(label=_("Internal note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RejectForm(forms.Form):
    reason = forms.ModelChoiceField(
        label=_("Reason"), queryset=RejectionReason.objects.filter(is_active=True), required=False
    )
    message = forms.CharField(
        label=_("Message of your own"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Added after the reason's text (or instead of it)."),
    )
    note = forms.CharField(label=_("Internal note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


@admin.register(Submission)
class SubmissionAdmin(DecisionsMixin, admin.ModelAdmin):
    """The moderation queue."""

    transition_error = workflow.TransitionError

    change_list_template = "admin/contributions/submission/change_list.html"
    change_form_template = "admin/contributions/submission/change_form.html"
    list_display = ["title", "contributor", "channel", "received_at", "age", "claimed_by", "flags", "status"]
    list_filter = ["status", "channel", ClaimFilter, FlagFilter, "received_at"]
    list_select_related = ["claimed_by"]
    search_fields = ["title", "name", "email", "body", "token"]
    date_hierarchy = "received_at"
    view_on_site = False  # the tracking page has its own link, named for what it is
    actions = ["claim_selected", "mark_selected_spam"]
    inlines = [SubmissionEventInline]
    readonly_fields = [
        "channel", "status", "name", "email", "title", "bio", "suggested_tags", "consent_at", "received_at",
        "ip_address", "claimed_by", "claimed_at", "decided_by", "decided_at", "article", "author",
        "word_count", "duplicate_score", "token",
    ]  # fmt: skip
    fieldsets = [
        (_("Contributor"), {"fields": ["name", "email", "bio", "channel", "received_at", "ip_address", "consent_at"]}),
        (_("Piece"), {"fields": ["title", "suggested_tags", "word_count", "duplicate_score"]}),
        (
            _("Where it stands"),
            {
                "fields": [
                    "status",
                    "claimed_by",
                    "claimed_at",
                    "decided_by",
                    "decided_at",
                    "article",
                    "author",
                    "token",
                ]
            },
        ),
    ]

    def has_add_permission(self, request):
        return False  # submissions come from contributors, not from the admin

    # Columns

    @admin.display(description=_("contributor"), ordering="name")
    def contributor(self, obj):
        return format_html("{}<br><small>{}</small>", obj.name, obj.email)

    @admin.display(description=_("age"), ordering="received_at")
    def age(self, obj):
        return timesince(obj.received_at, timezone.now()).split(",")[0]

    @admin.display(description=_("flags"))
    def flags(self, obj):
        flags = []
        if obj.is_possible_duplicate:
            flags.append(_("duplicate %(score)d%%") % {"score": round(obj.duplicate_score * 100)})
        signals = (obj.report or {}).get("signals") or []
        if signals:
            flags.append(ngettext("%(n)d spam signal", "%(n)d spam signals", len(signals)) % {"n": len(signals)})
        # As the intake report judges it: a DMARC pass outweighs an SPF failure (a forwarded message).
        if failed := failed_verification(obj.sender_verification or {}):
            flags.append(_("auth failed: %(names)s") % {"names": "/".join(name.upper() for name in failed)})
        elif obj.channel == Submission.Channel.WEB:
            flags.append(_("web, unverified"))
        return format_html_join(mark_safe("<br>"), '<span class="flag">{}</span>', ((f,) for f in flags)) or "—"

    # The change page: preview, images, report, matches, other submissions, decision buttons.

    def change_view(self, request, object_id, form_url="", extra_context=None):
        submission = self.get_object(request, object_id)
        if submission is None:
            return super().change_view(request, object_id, form_url, extra_context)
        others = (
            Submission.objects.from_address(submission.email).exclude(pk=submission.pk).order_by("-received_at")[:20]
        )
        matches = []
        for match in submission.matches or []:
            if match["kind"] == "article":
                url = reverse("admin:blog_article_change", args=[match["id"]])
            else:
                url = reverse("admin:contributions_submission_change", args=[match["id"]])
            matches.append({**match, "url": url, "percent": round(match["score"] * 100)})
        context = {
            "submission": submission,
            "images": submission.images.filter(removed_at__isnull=True),  # replaced/removed ones are history
            "others": others,
            "matches": matches,
            "report": submission.report or {},
            "request_changes_form": RequestChangesForm(),
            "reject_form": RejectForm(),
            "can_act": self.has_change_permission(request, submission),
            # Nothing on this page is edited through the form: decisions have their own buttons.
            **NO_SAVE_BUTTONS,
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/claim/", view(self.claim_view), name="contributions_submission_claim"),
            path("<int:pk>/release/", view(self.release_view), name="contributions_submission_release"),
            path("<int:pk>/request-changes/", view(self.request_changes_view), name="contributions_submission_changes"),
            path("<int:pk>/accept/", view(self.accept_view), name="contributions_submission_accept"),
            path("<int:pk>/reject/", view(self.reject_view), name="contributions_submission_reject"),
            path("<int:pk>/spam/", view(self.spam_view), name="contributions_submission_spam"),
            path("<int:pk>/raw/", view(self.raw_message_view), name="contributions_submission_raw"),
            path("<int:pk>/document/", view(self.document_view), name="contributions_submission_document"),
            *super().get_urls(),
        ]

    def claim_view(self, request, pk):
        return self._decide(request, pk, lambda s, _d: workflow.claim(s, request.user), _("You claimed it."))

    def release_view(self, request, pk):
        return self._decide(
            request, pk, lambda s, _d: workflow.release(s, request.user), _("Released: another editor can claim it.")
        )

    def request_changes_view(self, request, pk):
        return self._decide(
            request,
            pk,
            lambda s, d: workflow.request_changes(s, request.user, d["message"], note=d["note"]),
            _("Changes requested; the contributor has been emailed."),
            form_class=RequestChangesForm,
        )

    def accept_view(self, request, pk):
        def success(submission):
            url = reverse("admin:blog_article_change", args=[submission.article_id])
            return format_html('Accepted. <a href="{}">Edit the article draft</a>.', url)

        note = request.POST.get("note", "")
        return self._decide(request, pk, lambda s, _d: workflow.accept(s, request.user, note=note), success)

    def reject_view(self, request, pk):
        return self._decide(
            request,
            pk,
            lambda s, d: workflow.reject(s, request.user, d["reason"], d["message"], note=d["note"]),
            _("Rejected; the contributor has been emailed."),
            form_class=RejectForm,
        )

    def spam_view(self, request, pk):
        block = request.POST.get("block_sender") == "on"
        return self._decide(
            request,
            pk,
            lambda s, _d: workflow.mark_spam(s, request.user, block_sender=block),
            _("Marked as spam; the sender is blocked.") if block else _("Marked as spam."),
        )

    def raw_message_view(self, request, pk):
        return self._private_file(request, pk, "raw_message", "eml", "message/rfc822")

    def document_view(self, request, pk):
        docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        return self._private_file(request, pk, "original_document", "docx", docx)

    def _private_file(self, request, pk, field, extension, content_type):
        """A private file of a submission (core/storage.py), as a download, for those who may view it."""
        submission = get_object_or_404(Submission, pk=pk)
        file = getattr(submission, field)
        if not self.has_view_permission(request, submission) or not file:
            raise Http404
        return FileResponse(
            file.open("rb"),
            as_attachment=True,
            filename=f"submission-{submission.pk}.{extension}",
            content_type=content_type,
        )

    # Bulk actions, through the same transitions

    def _bulk(self, request, queryset, action, label):
        done, refused = 0, []
        for submission in queryset:
            try:
                action(submission)
                done += 1
            except workflow.TransitionError as exc:
                refused.append(f"“{submission.title}”: {exc}")
        self.message_user(request, _("%(label)s: %(n)d.") % {"label": label, "n": done}, messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)

    @admin.action(description=_("Claim selected submissions"))
    def claim_selected(self, request, queryset):
        self._bulk(request, queryset, lambda s: workflow.claim(s, request.user), _("Claimed"))

    @admin.action(description=_("Mark selected as spam"))
    def mark_selected_spam(self, request, queryset):
        self._bulk(request, queryset, lambda s: workflow.mark_spam(s, request.user), _("Marked as spam"))

    def changelist_view(self, request, extra_context=None):
        counts = Submission.objects.counts_by_status()
        status_counts = [
            {"status": value, "label": label, "count": counts[value]} for value, label in Submission.Status.choices
        ]
        return super().changelist_view(request, {"status_counts": status_counts, **(extra_context or {})})


@admin.register(RejectionReason)
class RejectionReasonAdmin(admin.ModelAdmin):
    list_display = ["title", "is_active", "position"]
    list_editable = ["is_active", "position"]
    search_fields = ["title", "message"]


@admin.register(BlockedSender)
class BlockedSenderAdmin(admin.ModelAdmin):
    list_display = ["address", "reason", "created_by", "created_at"]
    search_fields = ["address", "reason"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    """Every email that reached the contributions address, and what became of it."""

    list_display = ["subject", "from_address", "source", "outcome", "reason", "submission", "received_at"]
    list_filter = ["outcome", "source", "received_at"]
    search_fields = ["subject", "from_address", "message_id", "key", "reason"]
    readonly_fields = [f.name for f in InboundMessage._meta.fields]
    list_select_related = ["submission"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ProfileChange)
class ProfileChangeAdmin(DecisionsMixin, admin.ModelAdmin):
    """Contributors' proposed author profiles (contributions/profiles.py): approve or decline them,
    from the list (actions) or with the change page's buttons, through the same functions."""

    transition_error = workflow.TransitionError
    change_form_template = "admin/contributions/profilechange/change_form.html"
    list_display = ["author", "picture", "proposed_bio", "status", "proposed_at"]
    list_filter = ["status", "proposed_at"]
    list_select_related = ["author", "decided_by"]
    search_fields = ["author__name", "bio", "website", "submission__email"]
    actions = ["approve_selected", "decline_selected"]
    readonly_fields = [
        "author", "submission", "status", "proposed_at", "decided_by", "decided_at",
        "current_profile", "bio", "website", "picture", "remove_avatar",
    ]  # fmt: skip
    fields = readonly_fields

    def has_add_permission(self, request):
        return False  # proposed by contributors from their tracking page

    def has_delete_permission(self, request, obj=None):
        return False  # kept, whatever was decided

    @admin.display(description=_("picture"))
    def picture(self, obj):
        if obj.avatar:
            return format_html(
                '<img src="{}" alt="{}" width="48" height="48" style="object-fit: cover; border-radius: 50%">',
                obj.avatar.url,
                _("Proposed picture of %(name)s") % {"name": obj.author.name},
            )
        return _("remove it") if obj.remove_avatar else _("unchanged")

    @admin.display(description=_("proposed bio"))
    def proposed_bio(self, obj):
        return Truncator(obj.bio).chars(120) or "—"

    @admin.display(description=_("the author's page now"))
    def current_profile(self, obj):
        author = obj.author
        return format_html(
            '{}<br>{}<br><a href="{}">{}</a>',
            author.bio or "—",
            author.website or "—",
            author.get_absolute_url(),
            _("View the author's page"),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        change = self.get_object(request, object_id)
        context = {
            "proposal": change,
            "can_act": change is not None and self.has_change_permission(request, change),
            **NO_SAVE_BUTTONS,  # nothing is edited here: the decision has its buttons
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/approve/", view(self.approve_view), name="contributions_profilechange_approve"),
            path("<int:pk>/decline/", view(self.decline_view), name="contributions_profilechange_decline"),
            *super().get_urls(),
        ]

    def approve_view(self, request, pk):
        return self._decide(
            request,
            pk,
            lambda change, _data: profiles.approve(change, request.user),
            _("Approved: the author's page shows it; the contributor has been emailed."),
        )

    def decline_view(self, request, pk):
        return self._decide(
            request,
            pk,
            lambda change, _data: profiles.decline(change, request.user),
            _("Declined: the author's page stays as it was; the contributor has been emailed."),
        )

    def _decide_many(self, request, queryset, decide, label):
        done, refused = 0, []
        for change in queryset.select_related("author"):
            try:
                decide(change, request.user)
                done += 1
            except workflow.TransitionError as exc:
                refused.append(f"{change.author}: {exc}")
        self.message_user(request, _("%(label)s: %(n)d.") % {"label": label, "n": done}, messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)

    @admin.action(description=_("Approve: apply to the author's page"), permissions=["change"])
    def approve_selected(self, request, queryset):
        self._decide_many(request, queryset, profiles.approve, _("Approved; the contributors have been emailed"))

    @admin.action(description=_("Decline: keep the author's page as it is"), permissions=["change"])
    def decline_selected(self, request, queryset):
        self._decide_many(request, queryset, profiles.decline, _("Declined; the contributors have been emailed"))
