"""The Content-Security-Policy header: django-csp's middleware, plus the one inline script Byline needs.

No page of Byline runs inline JavaScript: its own scripts are static files (`script-src 'self'`),
and the JSON-LD and JSON data blocks are not executed, so CSP does not apply to them. The one
exception is the import map that django-prose-editor renders beside the rich-text editor (the
admin's article and page forms, the guest-post form): an inline `<script type="importmap">`,
whose content is fixed for a release (it names two static files). It is allowed by its SHA-256
hash, not by a nonce, so every response carries the same header: the page cache and Varnish can
store pages without storing a nonce that would then be reused.

The editor also sets inline styles as it works (ProseMirror), so the pages that show it (the
admin and the views decorated with `editor_page`) allow inline styles; reader pages do not.
"""

import base64
import functools
import hashlib
import re

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from django.urls import reverse

# For the views that render the rich-text editor (the admin's pages get it without this).
editor_page = csp_update({"style-src": [UNSAFE_INLINE]})

_INLINE_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.DOTALL)


def script_hash(content):
    """The CSP source expression allowing an inline script whose text is `content`."""
    digest = hashlib.sha256(content.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


@functools.cache
def editor_importmap_hash():
    """The hash of the rich-text editor's import map, as it renders with this release's static files."""
    from django_prose_editor.widgets import importmap

    return script_hash(_INLINE_SCRIPT.fullmatch(str(importmap.render())).group(1))


@functools.cache
def admin_prefix():
    return reverse("admin:index")


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, with the editor's import map added to `script-src`."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only:
            update = dict(parts.update or {})
            update["script-src"] = [*update.get("script-src", ()), editor_importmap_hash()]
            if request.path_info.startswith(admin_prefix()):
                update["style-src"] = [*update.get("style-src", ()), UNSAFE_INLINE]
            parts.update = update
        return parts
