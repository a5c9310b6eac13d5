"""`EditingMixin` for any ModelAdmin: autosaved copies, who else is editing, stale saves refused.

    class ArticleAdmin(EditingMixin, VersionAdmin): ...

adds to the model's admin:
- `<id>/autosave/` and `add/autosave/` (POST, JSON): keep the user's copy of the form as typed;
  `.../autosave/discard/` (POST) throws it away. The change page offers to restore a copy that
  differs from the form; saving the object deletes the saver's copy (editing/models.py).
- `<id>/presence/` (POST): the heartbeat of an open form; answers who else has it open
  (editing/presence.py).
- the hidden version field and the stale-save check on the change form (editing/versions.py).
The change form template is admin/editing/change_form.html, which extends the model's own
(admin/<app>/<model>/change_form.html when there is one).

Core's pages get it from here (core sits below editing, so it cannot import this module).
"""

import datetime
import json

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.http import JsonResponse
from django.template.loader import select_template
from django.urls import path, reverse
from django.utils.translation import gettext as _

from core.admin import PageAdmin
from core.models import Page

from . import presence
from .models import AutosavedCopy
from .versions import VERSION_FIELD, short_time, versioned_form

AUTOSAVE_DELAY_MS = 3000  # after this long without typing
MAX_FIELDS = 2000
MAX_VALUES = 1000


def clean_copy(payload):
    """The stored form of an autosave request's JSON; ValueError with a clear message if malformed."""
    if not isinstance(payload, dict) or not isinstance(payload.get("fields"), dict):
        raise ValueError(_('Send {"fields": {name: [values]}}.'))
    fields, labels = payload["fields"], payload.get("labels") or {}
    if len(fields) > MAX_FIELDS:
        raise ValueError(_("Too many fields: at most %(max)d.") % {"max": MAX_FIELDS})
    kept = {}
    for name, values in fields.items():
        if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
            raise ValueError(_("The values of %(name)s must be a list of strings.") % {"name": name})
        if len(values) > MAX_VALUES:
            raise ValueError(_("Too many values for %(name)s.") % {"name": name})
        if name != "csrfmiddlewaretoken" and not name.startswith("_"):
            kept[name] = values
    if not isinstance(labels, dict) or not all(
        isinstance(texts, dict) and all(isinstance(v, str) for v in texts.values()) for texts in labels.values()
    ):
        raise ValueError(_("Send labels as {name: {value: text}}."))
    return {"fields": kept, "labels": {name: texts for name, texts in labels.items() if name in kept}}


def _clock(timestamp):
    return short_time(datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC))


def _error(message, status):
    return JsonResponse({"error": str(message)}, status=status)


class EditingMixin:
    """See the module's docstring. Put it before ModelAdmin (or VersionAdmin) in the bases."""

    change_form_template = "admin/editing/change_form.html"
    #: The object's "last saved" time, to say whether a copy is newer; None if the model has none.
    editing_timestamp_field = "updated_at"

    @property
    def media(self):
        return super().media + forms.Media(js=["js/editing.js"], css={"all": ["css/editing.css"]})

    def _editing_url(self, suffix, *args):
        return reverse(f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{suffix}", args=args)

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("add/autosave/", view(self.autosave_view), name=f"{info}_autosave_new"),
            path("add/autosave/discard/", view(self.discard_view), name=f"{info}_discard_new"),
            path("<path:object_id>/autosave/", view(self.autosave_view), name=f"{info}_autosave"),
            path("<path:object_id>/autosave/discard/", view(self.discard_view), name=f"{info}_discard"),
            path("<path:object_id>/presence/", view(self.presence_view), name=f"{info}_presence"),
            *super().get_urls(),
        ]

    # The form: the hidden version field (rendered by the template, not in a fieldset).

    def get_form(self, request, obj=None, change=False, **kwargs):
        return versioned_form(super().get_form(request, obj, change, **kwargs), request.user)

    def get_fields(self, request, obj=None):
        return [name for name in super().get_fields(request, obj) if name != VERSION_FIELD]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["editing"] = self._editing_context(request, obj if change else None)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _editing_context(self, request, obj):
        opts = self.opts
        base = select_template(
            [
                f"admin/{opts.app_label}/{opts.model_name}/change_form.html",
                f"admin/{opts.app_label}/change_form.html",
                "admin/change_form.html",
            ]
        )
        may_edit = self.has_change_permission(request, obj) if obj is not None else self.has_add_permission(request)
        if not may_edit:  # looking only: nothing to autosave, and not "editing" to the others
            return {"base_template": base, "enabled": False}
        content_type = ContentType.objects.get_for_model(self.model, for_concrete_model=False)
        object_id = str(obj.pk) if obj is not None else None
        copy = AutosavedCopy.objects.of(request.user, content_type, object_id).first()
        stored_at = getattr(obj, self.editing_timestamp_field, None) if obj and self.editing_timestamp_field else None
        editors = presence.heartbeat(content_type.pk, object_id, request.user) if obj is not None else []
        args = [object_id] if obj is not None else []
        new = "" if obj is not None else "_new"
        return {
            "base_template": base,
            "enabled": True,
            "autosave_url": self._editing_url(f"autosave{new}", *args),
            "discard_url": self._editing_url(f"discard{new}", *args),
            "presence_url": self._editing_url("presence", *args) if obj is not None else "",
            "heartbeat_seconds": presence.HEARTBEAT_SECONDS,
            "delay_ms": AUTOSAVE_DELAY_MS,
            "presence_message": presence.message(editors, opts.verbose_name, _clock),
            "copy": copy,
            "copy_time": short_time(copy.saved_at) if copy else "",
            "copy_is_older": bool(copy and stored_at and copy.saved_at < stored_at),
            "stored_time": short_time(stored_at) if stored_at else "",
        }

    # Saving: the saver's copy is done with.

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        content_type = ContentType.objects.get_for_model(self.model, for_concrete_model=False)
        ids = [str(obj.pk)] if change else [str(obj.pk), None]
        for object_id in ids:
            AutosavedCopy.objects.of(request.user, content_type, object_id).delete()

    def delete_model(self, request, obj):
        object_id = str(obj.pk)
        super().delete_model(request, obj)
        content_type = ContentType.objects.get_for_model(self.model, for_concrete_model=False)
        AutosavedCopy.objects.filter(content_type=content_type, object_id=object_id).delete()

    def delete_queryset(self, request, queryset):
        object_ids = [str(pk) for pk in queryset.values_list("pk", flat=True)]
        super().delete_queryset(request, queryset)
        content_type = ContentType.objects.get_for_model(self.model, for_concrete_model=False)
        AutosavedCopy.objects.filter(content_type=content_type, object_id__in=object_ids).delete()

    # The endpoints (JSON; staff only, CSRF-protected: admin_view).

    def _editing_target(self, request, object_id):
        """(content type, object id or None, error response or None) for a request about one form."""
        content_type = ContentType.objects.get_for_model(self.model, for_concrete_model=False)
        if request.method != "POST":
            return content_type, None, _error(_("Use POST."), 405)
        if object_id is None:
            if not self.has_add_permission(request):
                return content_type, None, _error(_("You may not add these."), 403)
            return content_type, None, None
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return content_type, None, _error(_("No such object (or not yours to see)."), 404)
        if not self.has_change_permission(request, obj):
            return content_type, None, _error(_("You may not change this."), 403)
        return content_type, str(obj.pk), None

    def autosave_view(self, request, object_id=None):
        content_type, object_id, error = self._editing_target(request, object_id)
        if error:
            return error
        try:
            data = clean_copy(json.loads(request.body))
        except (ValueError, UnicodeDecodeError) as exc:
            return _error(_("Not a copy of the form: %(reason)s") % {"reason": exc}, 400)
        saved_at = AutosavedCopy.objects.keep(request.user, content_type, object_id, data)
        message = _("Saved a copy at %(time)s") % {"time": short_time(saved_at)}
        return JsonResponse({"saved_at": saved_at.isoformat(), "message": message})

    def discard_view(self, request, object_id=None):
        content_type, object_id, error = self._editing_target(request, object_id)
        if error:
            return error
        deleted = AutosavedCopy.objects.of(request.user, content_type, object_id).delete()[0]
        return JsonResponse({"discarded": bool(deleted), "message": _("Discarded the copy.")})

    def presence_view(self, request, object_id):
        content_type, object_id, error = self._editing_target(request, object_id)
        if error:
            return error
        if request.POST.get("leaving"):
            editors = presence.leave(content_type.pk, object_id, request.user)
        else:
            editors = presence.heartbeat(content_type.pk, object_id, request.user)
        return JsonResponse(
            {
                "others": [{"name": name, "since": _clock(since)} for name, since in editors],
                "message": presence.message(editors, self.opts.verbose_name, _clock),
            }
        )


# Core's pages: rich bodies, written at length.
if admin.site.is_registered(Page):
    admin.site.unregister(Page)
admin.site.register(Page, type("PageAdmin", (EditingMixin, PageAdmin), {"__module__": __name__}))
