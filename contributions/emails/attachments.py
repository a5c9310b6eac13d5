"""Attachments and images: the first .docx, images validated and re-encoded, notes for the rest."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..uploads import process_image
from .headers import first_header
from .limits import MAX_IMAGES
from .mime import cid_key, content_id, filename, is_container, iter_parts, payload_bytes, subparts, type_of

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


_SIGNATURE_TYPES = frozenset(
    {"application/pgp-signature", "application/pkcs7-signature", "application/x-pkcs7-signature"}
)


_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp")


def _safe_cid(cid: str) -> str:
    """A content id the caller can put in src="cid:..." and match with a regular expression."""
    return re.sub(r"[^A-Za-z0-9._@+=~$!*-]", "_", cid)[:200] or "image"


def _is_docx(ctype, name) -> bool:
    return ctype == DOCX_CONTENT_TYPE or bool(name and name.lower().endswith(".docx"))


def _is_image(ctype, name) -> bool:
    if ctype.startswith("image/"):
        return True
    return ctype == "application/octet-stream" and bool(name and name.lower().endswith(_IMAGE_EXTENSIONS))


def sort_attachments(msg, consumed):
    """([image parts], (docx name, bytes) or None, [notes]) for the parts the body did not use."""
    images, docx, notes = [], None, []
    for part in iter_parts(msg):
        if id(part) in consumed or is_container(part):
            continue
        ctype = type_of(part)
        name = filename(part)
        if ctype.startswith("message/"):
            label = name or _attached_subject(part) or _("untitled")
            notes.append(_("The attached email “%(name)s” (%(type)s) was not kept.") % {"name": label, "type": ctype})
        elif _is_docx(ctype, name):
            if docx is None:
                data = payload_bytes(part)
                if data:
                    docx = (name or "document.docx", data)
                else:
                    notes.append(_("The Word document “%(name)s” is empty.") % {"name": name or "document.docx"})
            else:
                notes.append(
                    _("Only the first Word document is kept: “%(name)s” was not.") % {"name": name or "document.docx"}
                )
        elif _is_image(ctype, name):
            images.append(part)
        elif ctype in _SIGNATURE_TYPES:
            continue
        else:
            notes.append(
                _("The attachment “%(name)s” (%(type)s) was not kept.")
                % {"name": name or _("unnamed"), "type": ctype[:80]}
            )
    return images, docx, notes


def _attached_subject(part):
    children = subparts(part)
    if not children:
        return None
    subject = first_header(children[0], "Subject")
    return subject[:100] if subject else None


def process_images(parts, trimmed_away, notes, captions=None):
    """([(content id or None, ProcessedImage)], {content id or its key: safe content id}, {keys of all ids}).

    `captions`, a dict, gets {index in the images: the part's Content-Description} (what the sender's mail
    app lets them write about a file), for the images that have one."""
    images, cid_map, known, used = [], {}, set(), set()
    captions = {} if captions is None else captions
    left_out = 0
    for number, part in enumerate(parts, start=1):
        cid = content_id(part)
        name = filename(part)
        label = name or (f"cid:{cid[:60]}" if cid else _("image %(number)s") % {"number": number})
        if cid:
            known.add(cid_key(cid))
            if cid_key(cid) in trimmed_away:
                notes.add(_("The image “%(name)s” was only in the quoted reply or signature.") % {"name": label})
                continue
        if len(images) >= MAX_IMAGES:
            left_out += 1
            continue
        data = payload_bytes(part)
        try:
            if not data:
                raise ValidationError(_("“%(name)s” is empty.") % {"name": label}, code="damaged")
            processed = process_image(data, name=name or "image")
        except ValidationError as exc:
            notes.add(_("An image was left out: %(reason)s") % {"reason": " ".join(exc.messages)})
            continue
        except Exception:  # a bug in an image library must not lose the message
            notes.add(_("An image was left out: “%(name)s” could not be read.") % {"name": label})
            continue
        safe = None
        if cid:
            safe = _safe_cid(cid)
            if safe in used:
                safe = f"{safe}-{number}"
            used.add(safe)
            cid_map.setdefault(cid, safe)
            cid_map.setdefault(cid_key(cid), safe)
        description = " ".join((first_header(part, "Content-Description") or "").split())
        if description:
            captions[len(images)] = description[:300]
        images.append((safe, processed))
    if left_out:
        notes.add(
            _("%(count)s more images were left out: a message may have at most %(max)s.")
            % {"count": left_out, "max": MAX_IMAGES}
        )
    return images, cid_map, known
