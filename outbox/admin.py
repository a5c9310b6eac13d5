from django.contrib import admin, messages

from .mail import send_email
from .models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipients", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["subject", "to", "reference", "message_id"]
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="to")
    def recipients(self, obj):
        return ", ".join(obj.to)

    @admin.action(description="Send again now")
    def retry(self, request, queryset):
        results = [send_email(email) for email in queryset.exclude(status=OutgoingEmail.Status.SENT)]
        self.message_user(request, f"Sent {results.count(True)}, failed {results.count(False)}.", messages.INFO)
