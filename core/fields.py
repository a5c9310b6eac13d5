"""Model and form fields that keep text plain and slugs valid, whatever path a value takes.

A plain-text model field removes tags from its value on every save (email intake, an import, a
script: paths with nobody to ask); its form field refuses a tag with the reason instead, so a
person at a form (the admin, the public forms) decides what the text should say. A slug field
accepts what core.slugs makes, in any script.
"""

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .slugs import validate_slug
from .text import first_tag, plain_line, plain_paragraphs

HAS_MARKUP = _(
    "This is plain text, and “%(tag)s” is HTML. Leave the tag out, or put a space after “<” to show the sign."
)


class PlainTextFormField(forms.CharField):
    """A form's one-line text: refused with the reason when it holds a tag ("The <video> element"
    may be a title about HTML or an injected element: the person typing it says which), cleaned
    of entities and invisible controls, whitespace runs as one space."""

    clean_text = staticmethod(plain_line)

    def to_python(self, value):
        raw = super().to_python(value)
        tag = first_tag(raw)
        if tag:
            raise ValidationError(HAS_MARKUP, code="markup", params={"tag": tag})
        return self.clean_text(raw)


class PlainParagraphsFormField(PlainTextFormField):
    """A form's text of several lines: tags removed, line breaks kept."""

    clean_text = staticmethod(plain_paragraphs)


class _PlainTextMixin:
    clean_text = staticmethod(plain_line)
    form_class = PlainTextFormField

    def pre_save(self, model_instance, add):
        value = self.clean_text(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value is None else self.clean_text(value)

    def formfield(self, **kwargs):
        if not self.choices:
            kwargs.setdefault("form_class", self.form_class)
        return super().formfield(**kwargs)


class PlainTextField(_PlainTextMixin, models.CharField):
    """A CharField that stores one line of text, never markup (titles, names, subjects)."""


class PlainParagraphsField(_PlainTextMixin, models.TextField):
    """A TextField that stores text with line breaks, never markup (bios, statements)."""

    clean_text = staticmethod(plain_paragraphs)
    form_class = PlainParagraphsFormField

    def formfield(self, **kwargs):
        # TextField's own formfield picks the Textarea widget; keep it with our form class.
        kwargs.setdefault("widget", forms.Textarea)
        return super().formfield(**kwargs)


class UnicodeSlugFormField(forms.SlugField):
    """A form's slug in any script; the admin's prepopulated slug keeps Unicode letters too."""

    def __init__(self, **kwargs):
        kwargs.pop("allow_unicode", None)
        super().__init__(allow_unicode=True, **kwargs)
        self.validators = [validate_slug if v is validators.validate_unicode_slug else v for v in self.validators]


class UnicodeSlugField(models.SlugField):
    """A slug in any script (core.slugs): "日本語テスト", "επίπεδο-2", "cafe-deja"; never empty."""

    def __init__(self, *args, **kwargs):
        kwargs["allow_unicode"] = True
        super().__init__(*args, **kwargs)
        self.default_validators = [validate_slug]

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("allow_unicode", None)
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": UnicodeSlugFormField, **kwargs})


def clean_stored_text(app_label, model_name, fields):
    """A migration operation that cleans what an earlier release stored raw in `fields` (tags,
    entities, controls), for a model whose fields became plain-text fields."""
    from django.db import migrations
    from django.db.models import Q

    def forwards(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        suspects = Q()
        for name in fields:
            for marker in ("<", "&"):
                suspects |= Q(**{f"{name}__contains": marker})
        for row in model._default_manager.using(schema_editor.connection.alias).filter(suspects).iterator():
            changes = {}
            for name in fields:
                field = model._meta.get_field(name)
                value = getattr(row, name)
                if value and field.clean_text(value) != value:
                    changes[name] = field.clean_text(value)
            if changes:
                model._default_manager.using(schema_editor.connection.alias).filter(pk=row.pk).update(**changes)

    return migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)
