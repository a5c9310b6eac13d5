"""{{ message|letter_body }}: an editor's text in an email, without the greeting the template has (core/letters.py)."""

from django import template

from core.letters import letter_body as _letter_body

register = template.Library()


@register.filter
def letter_body(text):
    return _letter_body(str(text or ""))
