"""Stale saves refused: the change form carries the version of the object it was loaded from.

The version is a signed mark holding when the form was opened and a short digest of each field's
stored value. When the form comes back, the digests are made again from the object as it is stored
now: a field whose digest differs was changed by somebody else's save in between, and the save is
refused with those fields named (and who saved, from the admin's log), the typed values kept in
the form. A field changed by the other editor that this user did not touch (editing.js posts
which inputs were touched) is shown again with the other editor's value, so saving again does not
undo their change; a field both changed keeps what this user typed. The refused form carries the
current version, so saving it again is a deliberate choice, never a silent overwrite.
"""

import datetime
import hashlib
import json

from django import forms
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

VERSION_FIELD = "editing_version"
# Posted by editing.js: the names of the inputs the user changed since the page loaded (JSON list).
TOUCHED_FIELD = "editing_touched"
SALT = "editing.version"


class UnreadableVersion(ValueError):
    pass


def _plain(value):
    """A field's initial value as JSON-able data that is the same for the same stored value."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, models.QuerySet | list | tuple | set):
        items = [_plain(item) for item in value]
        return sorted(items, key=repr) if isinstance(value, models.QuerySet | set) else items
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def field_digests(form):
    """{field name: short digest of its stored value} for every field of the form but the version."""
    digests = {}
    for name, field in form.fields.items():
        if name == VERSION_FIELD:
            continue
        value = _plain(form.get_initial_for_field(field, name))
        digests[name] = hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:12]
    return digests


def make_version(digests, loaded_at):
    return signing.dumps({"at": loaded_at.isoformat(), "f": digests}, salt=SALT, compress=True)


def read_version(mark):
    """(loaded_at, digests) from a version mark; UnreadableVersion if it was not made here."""
    try:
        data = signing.loads(mark, salt=SALT)
        return datetime.datetime.fromisoformat(data["at"]), dict(data["f"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise UnreadableVersion(str(exc)) from exc


def short_time(moment):
    """14:02 today, 3 Dec 14:02 another day (in the site's time zone)."""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return local.strftime("%H:%M")
    return f"{local.day} {local:%b %H:%M}"


def saves_since(instance, since):
    """The admin's log entries of changes to `instance` after `since`, oldest first (one query)."""
    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=False)
    return list(
        LogEntry.objects.filter(
            content_type=content_type,
            object_id=str(instance.pk),
            action_flag__in=[CHANGE, ADDITION],
            action_time__gt=since,
        )
        .select_related("user")
        .order_by("action_time")
    )


def display_name(user, viewer=None):
    if viewer is not None and user.pk == viewer.pk:
        return _("you (in another window)")
    return user.get_full_name() or user.get_username()


class StaleSaveCheck:
    """Mixed into an admin change form by `versioned_form`: refuses a save made stale by another save."""

    editing_user = None  # who is editing (set by versioned_form)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stored_digests = field_digests(self)
        self.stale_fields = []
        if self.instance.pk is not None:
            self.fields[VERSION_FIELD].initial = make_version(self.stored_digests, timezone.now())

    def clean(self):
        cleaned_data = super().clean()
        mark = self.data.get(self.add_prefix(VERSION_FIELD), "")
        if self.instance.pk is None or not mark:
            return cleaned_data  # a new object, or a form from before this check (nothing to compare)
        try:
            loaded_at, digests = read_version(mark)
        except UnreadableVersion:
            self._carry_current_version()
            raise forms.ValidationError(
                _("Not saved: this form's version mark cannot be read, so changes saved by others since it was "
                  "opened cannot be checked. Your text is still below; save again to keep it."),
                code="unreadable_version",
            ) from None  # fmt: skip
        self.stale_fields = [
            name for name, digest in self.stored_digests.items() if name in digests and digests[name] != digest
        ]
        if self.stale_fields:
            self._carry_current_version()
            touched = self._touched_fields()
            theirs = [name for name in self.stale_fields if touched is not None and name not in touched]
            for name in theirs:
                self.fields[name].bound_data = _show_stored  # rendered with the stored value
            raise forms.ValidationError(self._stale_message(loaded_at, theirs), code="stale")
        return cleaned_data

    def _touched_fields(self):
        """The fields the user changed since the page loaded, or None if the browser did not say."""
        try:
            names = json.loads(self.data.get(self.add_prefix(TOUCHED_FIELD)) or "null")
        except ValueError:
            return None
        if not isinstance(names, list):
            return None
        names = {name for name in names if isinstance(name, str)}
        touched = set()
        for field_name, field in self.fields.items():
            html_name = self.add_prefix(field_name)
            parts = len(field.widget.widgets) if isinstance(field.widget, forms.MultiWidget) else 0
            if html_name in names or any(f"{html_name}_{index}" in names for index in range(parts)):
                touched.add(field_name)
        return touched

    def _carry_current_version(self):
        """The refused form re-renders with the current version: the next save is a choice made knowingly."""
        self.data = self.data.copy()
        self.data[self.add_prefix(VERSION_FIELD)] = make_version(self.stored_digests, timezone.now())

    def _stale_message(self, loaded_at, theirs):
        entries = saves_since(self.instance, loaded_at)
        names = list(dict.fromkeys(display_name(entry.user, self.editing_user) for entry in entries))
        saved_at = entries[-1].action_time if entries else getattr(self.instance, "updated_at", None)

        def labels(names):
            return get_text_list([str(self.fields[name].label or name) for name in names], _("and"))

        both = [name for name in self.stale_fields if name not in theirs]
        params = {
            "who": get_text_list(names, _("and")) if names else _("someone else"),
            "what": self.instance._meta.verbose_name,
            "when": short_time(saved_at) if saved_at else _("since"),
            "opened": short_time(loaded_at),
            "fields": labels(self.stale_fields),
            "theirs": labels(theirs),
            "both": labels(both),
        }
        if saved_at:
            text = _("Not saved: %(who)s saved this %(what)s at %(when)s, after you opened it at %(opened)s.")
        else:
            text = _("Not saved: %(who)s saved this %(what)s after you opened it at %(opened)s.")
        parts = [text % params, _("Changed since: %(fields)s.") % params]
        if theirs:
            parts.append(_("The form now shows their %(theirs)s, which you had not changed.") % params)
        if both:
            parts.append(_("You changed %(both)s too: yours is kept below, and saving again replaces theirs.") % params)
        parts.append(_("Everything else is what you typed (also kept in your autosaved copy). Check, then save."))
        return " ".join(parts)


def _show_stored(data, initial):
    return initial


def versioned_form(form_class, user):
    """`form_class` with the hidden version field and the stale-save check."""
    attrs = {
        VERSION_FIELD: forms.CharField(widget=forms.HiddenInput, required=False),
        "editing_user": user,
        "__module__": form_class.__module__,
    }
    return type(form_class.__name__, (StaleSaveCheck, form_class), attrs)
