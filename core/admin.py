from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse

from .models import Page, SiteSettings


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    """One record: the list page goes straight to it, and it cannot be deleted."""

    autocomplete_fields = ["affiliate_page"]
    fieldsets = [
        (None, {"fields": ["site_name", "tagline"]}),
        ("Footer", {"fields": ["affiliate_disclosure", "affiliate_page", "copyright_notice"]}),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        settings = SiteSettings.load()
        return redirect(reverse("admin:core_sitesettings_change", args=[settings.pk]))


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "updated_at"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
