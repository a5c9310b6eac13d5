from django.contrib import admin

from .models import ImportedObject


@admin.register(ImportedObject)
class ImportedObjectAdmin(admin.ModelAdmin):
    """Read-only: the import command writes these rows; editors look up what became of a WordPress id."""

    list_display = ("kind", "wp_id", "guid", "content_type", "object_id", "stored_name", "imported_at")
    list_filter = ("kind",)
    search_fields = ("wp_id", "guid", "stored_name")
    list_select_related = ("content_type",)
    fields = ("kind", "wp_id", "guid", "became", "stored_name", "source_hash", "imported_at")
    readonly_fields = fields

    @admin.display(description="became")
    def became(self, obj):
        target = obj.target  # one object's page: one query
        return f"{obj.content_type.name}: {target}" if target is not None else "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
