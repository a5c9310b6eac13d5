"""The library's admin views: the upload page, and the JSON endpoints the page and the editor call.

Mounted by ImageAdmin.get_urls behind the admin's login (`admin_site.admin_view`):

- POST admin:library_image_upload — multipart `file`, optional `alt`: 201 with the new
  picture, 200 with the one already in the library (`"duplicate": true`; its alt text filled
  in from `alt` if it had none), 400 `{"error": "..."}` for a refused file, 403 without
  `library.add_image`. CSRF as any Django form (the X-CSRFToken header or the form field).
- GET admin:library_image_choose — `q` (words searched in alt text, caption, credit and file
  name) and `page` (from 1): `{"results": [...], "next": <page number or null>}`, 24 a page,
  newest first, in one query after the session's. 403 without `library.view_image`.
"""

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import imaging

from .forms import ACCEPT, UploadForm
from .models import Image

PAGE_SIZE = 24


def image_json(image):
    return {
        "id": image.pk,
        "url": image.url,
        "width": image.width,
        "height": image.height,
        "alt": image.alt,
        "caption": image.caption,
    }


def _error(message, status=400):
    return JsonResponse({"error": message}, status=status)


@require_POST
def upload(request, model_admin):
    if not model_admin.has_add_permission(request):
        return _error(_("You may not add pictures to the library."), status=403)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _error(" ".join(message for messages in form.errors.values() for message in messages))
    image, created = Image.objects.add(
        form.cleaned_image, filename=form.cleaned_data["file"].name, alt=form.cleaned_data["alt"], user=request.user
    )
    payload = {
        **image_json(image),
        "duplicate": not created,
        "thumbnail": image.thumbnail_url,
        "admin_url": reverse("admin:library_image_change", args=[image.pk]),
        "name": image.filename,
    }
    return JsonResponse(payload, status=201 if created else 200)


@require_GET
def choose(request, model_admin):
    if not model_admin.has_view_permission(request):
        return _error(_("You may not see the library's pictures."), status=403)
    try:
        page = int(request.GET.get("page") or 1)
    except ValueError:
        page = 0
    if page < 1:
        return _error(_("“page” is a page number: 1, 2, 3…"))
    query = request.GET.get("q", "").strip()
    if len(query) > 200:
        return _error(_("Search for at most 200 characters."))
    start = (page - 1) * PAGE_SIZE
    # One more than a page: whether there is a next page, without counting the whole library.
    images = list(Image.objects.search(query).order_by("-created_at", "-id")[start : start + PAGE_SIZE + 1])
    results = [{**image_json(image), "thumbnail": image.thumbnail_url} for image in images[:PAGE_SIZE]]
    return JsonResponse({"results": results, "next": page + 1 if len(images) > PAGE_SIZE else None})


def upload_page(request, model_admin):
    """The admin's "Upload pictures" page: a file picker and a drop zone; the script sends each file to `upload`."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    opts = model_admin.model._meta
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": opts,
        "title": _("Upload pictures"),
        "accept": ACCEPT,
        "max_bytes": imaging.MAX_IMAGE_BYTES,
        "max_size": imaging.human_size(imaging.MAX_IMAGE_BYTES),
        "max_megapixels": f"{imaging.MAX_PIXELS / 1_000_000:g}",
        "upload_url": reverse("admin:library_image_upload"),
        "changelist_url": reverse("admin:library_image_changelist"),
        "has_view_permission": model_admin.has_view_permission(request),
    }
    return TemplateResponse(request, "admin/library/image/upload.html", context)
