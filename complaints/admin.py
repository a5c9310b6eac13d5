from django import forms
from django.contrib import admin, messages
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from blog.models import Article
from core.decisions import NO_SAVE_BUTTONS, DecisionsMixin

from . import workflow
from .models import Complaint, ComplaintEvent


class ComplaintEventInline(admin.TabularInline):
    model = ComplaintEvent
    fields = ["created_at", "kind", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("History")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class UpholdForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason shown to readers"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("On the article's “unavailable for legal reasons” page; left empty, the suggested text is used."),
    )


class RejectForm(forms.Form):
    note = forms.CharField(
        label=_("Why (sent to the claimant)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RestoreForm(forms.Form):
    note = forms.CharField(
        label=_("Why (sent to the author and the claimant)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@admin.register(Complaint)
class ComplaintAdmin(DecisionsMixin, admin.ModelAdmin):
    """The copyright complaints queue. Decisions have their own buttons on the change page."""

    transition_error = workflow.TransitionError

    change_list_template = "complaints/admin/change_list.html"
    change_form_template = "complaints/admin/change_form.html"
    list_display = ["created_at", "claimant", "article_link", "status_label", "decided_by"]
    list_filter = ["status", "created_at"]
    list_select_related = ["article", "decided_by"]
    search_fields = [
        "claimant_name",
        "claimant_email",
        "organisation",
        "original_work",
        "article_url",
        "article__title",
    ]
    date_hierarchy = "created_at"
    actions = ["start_review_selected"]
    inlines = [ComplaintEventInline]
    readonly_fields = [
        "status", "claimant_name", "claimant_email", "organisation", "original_work", "article", "article_url",
        "good_faith", "accuracy", "affirmed_at", "signature", "ip_address", "created_at",
        "decided_by", "decided_at", "reason", "restored_by", "restored_at",
    ]  # fmt: skip
    fieldsets = [
        (_("Claimant"), {"fields": ["claimant_name", "claimant_email", "organisation", "ip_address", "created_at"]}),
        (_("Complaint"), {"fields": ["original_work", "article", "article_url"]}),
        (_("Statements"), {"fields": ["good_faith", "accuracy", "affirmed_at", "signature"]}),
        (
            _("Where it stands"),
            {"fields": ["status", "decided_by", "decided_at", "reason", "restored_by", "restored_at"]},
        ),
    ]

    def has_add_permission(self, request):
        return False  # complaints come from rights holders, through the public form

    # Columns

    @admin.display(description=_("claimant"), ordering="claimant_name")
    def claimant(self, obj):
        if obj.organisation:
            return format_html("{}<br><small>{} · {}</small>", obj.claimant_name, obj.organisation, obj.claimant_email)
        return format_html("{}<br><small>{}</small>", obj.claimant_name, obj.claimant_email)

    @admin.display(description=_("article"), ordering="article__title")
    def article_link(self, obj):
        url = reverse("admin:blog_article_change", args=[obj.article_id])
        return format_html('<a href="{}">{}</a>', url, obj.article.title)

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj):
        if obj.status == Complaint.Status.UPHELD and obj.restored_at:
            return _("Upheld, article restored")
        return obj.get_status_display()

    # The change page: decision buttons

    def change_view(self, request, object_id, form_url="", extra_context=None):
        complaint = self.get_object(request, object_id)
        if complaint is None:
            return super().change_view(request, object_id, form_url, extra_context)
        context = {
            "complaint": complaint,
            "article_taken_down": complaint.article.status == Article.Status.TAKEN_DOWN,
            "uphold_form": UpholdForm(initial={"reason": complaint.default_reason()}, auto_id="uphold_%s"),
            "reject_form": RejectForm(auto_id="reject_%s"),
            "restore_form": RestoreForm(auto_id="restore_%s"),
            "can_act": self.has_change_permission(request, complaint),
            # Nothing on this page is edited through the form: decisions have their own buttons.
            **NO_SAVE_BUTTONS,
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/review/", view(self.review_view), name="complaints_complaint_review"),
            path("<int:pk>/uphold/", view(self.uphold_view), name="complaints_complaint_uphold"),
            path("<int:pk>/reject/", view(self.reject_view), name="complaints_complaint_reject"),
            path("<int:pk>/restore/", view(self.restore_view), name="complaints_complaint_restore"),
            *super().get_urls(),
        ]

    def review_view(self, request, pk):
        return self._decide(request, pk, lambda c, _d: workflow.start_review(c, request.user), _("Review started."))

    def uphold_view(self, request, pk):
        return self._decide(
            request,
            pk,
            lambda c, d: workflow.uphold(c, request.user, d["reason"]),
            _("Upheld: the article is taken down, and the claimant and the author have been emailed."),
            form_class=UpholdForm,
        )

    def reject_view(self, request, pk):
        return self._decide(
            request,
            pk,
            lambda c, d: workflow.reject(c, request.user, d["note"]),
            _("Rejected; the claimant has been emailed."),
            form_class=RejectForm,
        )

    def restore_view(self, request, pk):
        return self._decide(
            request,
            pk,
            lambda c, d: workflow.restore(c, request.user, d["note"]),
            _("The article is restored; the author and the claimant have been emailed."),
            form_class=RestoreForm,
        )

    # Bulk action, through the same transition

    @admin.action(description=_("Start reviewing the selected complaints"), permissions=["change"])
    def start_review_selected(self, request, queryset):
        done, refused = 0, []
        for complaint in queryset:
            try:
                workflow.start_review(complaint, request.user)
                done += 1
            except workflow.TransitionError as exc:
                refused.append(f"#{complaint.pk}: {exc}")
        self.message_user(request, _("Review started: %(n)d.") % {"n": done}, messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)

    def changelist_view(self, request, extra_context=None):
        counts = Complaint.objects.counts_by_status()
        status_counts = [
            {"status": value, "label": label, "count": counts[value]} for value, label in Complaint.Status.choices
        ]
        return super().changelist_view(request, {"status_counts": status_counts, **(extra_context or {})})
