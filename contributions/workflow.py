"""Everything that happens to a submission: receipt, then one function per transition.

Both ways in (the web form, and email in the next issue) hand an `Incoming`
to `receive()`. Each transition checks that the move is allowed and that no
other editor holds the claim, stamps who and when, writes a history row and
queues the email, all in one transaction: the email goes out only after commit.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from blog import checklist, tags
from blog.models import Article, Author, Category
from core.sanitizer import plain_text, sanitize_html
from core.slugs import unique_slug

from . import cleaning, intake, notifications
from .duplicates import find_similar, fingerprint_of, store_fingerprint
from .models import BlockedSender, Fingerprint, Submission, SubmissionEvent, SubmissionImage

Status = Submission.Status
Kind = SubmissionEvent.Kind


class TransitionError(Exception):
    """A transition that is not allowed now; the message says why, for the editor."""


@dataclass
class Incoming:
    """A submission as it arrives, already validated, from any channel."""

    channel: str
    name: str
    email: str
    title: str
    body: str  # HTML, not yet sanitized; may reference images as cid:<content id>
    bio: str = ""
    suggested_tags: str = ""
    consent: bool = False
    images: list = field(default_factory=list)  # [(content_id or None, uploads.ProcessedImage)]
    document: tuple | None = None  # (file name, bytes) of the original .docx
    headers: dict = field(default_factory=dict)
    sender_verification: dict = field(default_factory=dict)
    ip_address: str | None = None
    raw_message: bytes | None = None
    original_title: str = ""  # the title as sent when `title` is already tidied (an email's whole subject)
    captions: dict = field(default_factory=dict)  # {index in images: what the sender wrote about it}


def check_sender(email):
    """Raise ValidationError when the address or its domain is blocked."""
    if BlockedSender.is_blocked(email):
        raise ValidationError(
            _("We cannot accept contributions from this address. If this is a mistake, write to the editors."),
            code="blocked",
        )


def _site_host():
    return urlsplit(settings.BYLINE_SITE_URL).hostname or ""


def _analyse(submission, *, image_count=None):
    """Intake report, word count and duplicate check, set on the submission (not saved).

    Returns the fingerprint to store once the submission is saved.
    """
    report = intake.intake_report(
        submission.body,
        site_host=_site_host(),
        image_count=submission.images.count() if image_count is None else image_count,
        sender_verification=submission.sender_verification,
    )
    fp = fingerprint_of(submission.title, submission.body)
    own = Fingerprint.objects.filter(submission=submission).values("pk") if submission.pk else None
    matches = find_similar(fp, exclude=own)
    submission.report = report
    submission.word_count = report["word_count"]
    submission.matches = matches
    submission.duplicate_score = matches[0]["score"] if matches else None
    return fp


@transaction.atomic
def receive(incoming, *, acknowledge=True):
    """Store an incoming submission with its images, analyse it, and queue the emails. Returns it.

    `acknowledge=False` skips the receipt to the contributor (rate-limited email senders).
    A submission without images is written once, with its analysis; images need the
    submission's key first, and their URLs go into the body afterwards.
    """
    # The draft is cleaned (contributions/cleaning.py); what was sent is kept next to it.
    original_title = " ".join((incoming.original_title or incoming.title).split())
    title = cleaning.clean_title(incoming.title)[:200].rstrip()
    submission = Submission(
        channel=incoming.channel,
        name=incoming.name.strip(),
        email=incoming.email.strip(),
        title=title,
        original_title=original_title[:300],
        body="",
        bio=incoming.bio.strip(),
        # Names that cannot be tags are dropped here (the web form refuses them with a reason).
        suggested_tags=", ".join(tags.parse_names(incoming.suggested_tags)[0]),
        consent_at=timezone.now() if incoming.consent else None,
        headers=incoming.headers,
        sender_verification=incoming.sender_verification,
        ip_address=incoming.ip_address,
    )
    body = incoming.body
    if incoming.images:
        submission.save()
    stored = []
    for position, (content_id, processed) in enumerate(incoming.images):
        image = SubmissionImage(submission=submission, original_name=processed.filename, position=position)
        image.image.save(processed.filename, ContentFile(processed.content), save=True)
        stored.append(image)
        if content_id:
            body = re.sub(rf"""(["'])cid:{re.escape(content_id)}\1""", rf"\1{image.image.url}\1", body)
    if incoming.document:
        name, content = incoming.document
        submission.original_document.save(name, ContentFile(content), save=False)
    if incoming.raw_message is not None:
        submission.raw_message.save(f"{submission.token}.eml", ContentFile(incoming.raw_message), save=False)
    submission.original_body = sanitize_html(body, ugc=True)
    submission.body = cleaning.clean_body(submission.original_body, title=title, titles=(original_title,))
    _caption(stored, submission.original_body, incoming.captions)
    fp = _analyse(submission, image_count=len(incoming.images))
    submission.save()
    store_fingerprint(submission=submission, fp=fp, new=True)
    _record(submission, Kind.RECEIVED, to_status=Status.RECEIVED, data={"channel": submission.channel})
    notifications.submission_received(submission, acknowledge=acknowledge)
    return submission


def _caption(images, body, sent):
    """Each picture's caption: what the text says about it (figcaption, a "Caption:" line, alt text), else what
    the sender wrote with the file (an email part's Content-Description); blank rather than a file name."""
    in_text = cleaning.captions(body)
    for position, image in enumerate(images):
        for candidate in (in_text.get(image.image.url, ""), sent.get(position, "")):
            caption = cleaning.usable_caption(candidate, image.original_name, image.image.name.rsplit("/", 1)[-1])
            if caption:
                image.caption = caption
                image.save(update_fields=["caption"])
                break


def add_note(submission, note, *, kind=Kind.NOTE, data=None, actor=None):
    """A history line for editors that changes nothing else (e.g. what the email parser left out)."""
    return _record(
        submission, kind, actor=actor, from_status=submission.status, to_status=submission.status, note=note, data=data
    )


# Transitions


def _record(submission, kind, *, actor=None, from_status="", to_status="", note="", message="", data=None):
    return SubmissionEvent.objects.create(
        submission=submission,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
        message=message,
        data=data or {},
    )


def _locked(submission):
    # Serialise concurrent actions on one submission (SQLite serialises writers anyway).
    return Submission.objects.select_for_update(of=("self",)).select_related("claimed_by").get(pk=submission.pk)


def _check(submission, user, allowed, action):
    if submission.status not in allowed:
        raise TransitionError(
            _("You cannot %(action)s a submission that is %(status)s.")
            % {"action": action, "status": submission.get_status_display().lower()}
        )
    if user is not None and submission.claimed_by_id and submission.claimed_by_id != user.pk:
        raise TransitionError(
            _("%(editor)s has claimed this submission; ask them, or wait until they release it.")
            % {"editor": submission.claimed_by.get_full_name() or submission.claimed_by.get_username()}
        )


def _move(submission, user, to_status, kind, *, note="", message="", decided=False, data=None):
    from_status = submission.status
    submission.status = to_status
    if decided:
        submission.decided_by = user
        submission.decided_at = timezone.now()
    submission.save()
    return _record(
        submission,
        kind,
        actor=user,
        from_status=from_status,
        to_status=to_status,
        note=note,
        message=message,
        data=data,
    )


@transaction.atomic
def claim(submission, user):
    """Make `user` the one editor working on it. Two editors claiming at once: exactly one wins."""
    won = (
        Submission.objects.filter(pk=submission.pk, status__in=Submission.OPEN_STATUSES)
        .filter(Q(claimed_by__isnull=True) | Q(claimed_by=user))
        .update(claimed_by=user, claimed_at=timezone.now())
    )
    current = _locked(submission)
    if not won:
        _check(current, user, Submission.OPEN_STATUSES, _("claim"))
        raise TransitionError(_("Someone else claimed this submission first."))
    if current.status == Status.RECEIVED:
        _move(current, user, Status.IN_REVIEW, Kind.CLAIMED)
    else:
        _record(current, Kind.CLAIMED, actor=user, from_status=current.status, to_status=current.status)
    return current


@transaction.atomic
def release(submission, user):
    """Give up the claim so another editor can take it."""
    current = _locked(submission)
    _check(current, user, Submission.OPEN_STATUSES, _("release"))
    current.claimed_by = None
    current.claimed_at = None
    current.save()
    _record(current, Kind.RELEASED, actor=user, from_status=current.status, to_status=current.status)
    return current


@transaction.atomic
def request_changes(submission, user, message, note=""):
    """Ask the contributor for changes; they are emailed `message`."""
    if not message.strip():
        raise TransitionError(_("Write the changes you want: the contributor receives this message."))
    current = _locked(submission)
    _check(current, user, Submission.OPEN_STATUSES, _("request changes to"))
    _move(current, user, Status.CHANGES_REQUESTED, Kind.CHANGES_REQUESTED, note=note, message=message.strip())
    notifications.changes_requested(current, message.strip())
    return current


@transaction.atomic
def revise(submission, *, title, body, note="", images=(), pictures=None, document=None):
    """The contributor sends a new version after changes were requested.

    `body` is HTML, not yet sanitized, and may reference new images as cid:<content id>. `images` are the
    new pictures, [(content id or None, uploads.ProcessedImage)] as for `receive`; `pictures` maps the pk
    of a picture of the piece to its replacement (a ProcessedImage) or to None to take it out; `document`
    is a new .docx, (file name, bytes), whose text `body` then is: the pictures inside the old text go with
    the old document. Nothing sent before is deleted: a replaced or removed picture keeps its file with
    `removed_at` set, the old document's file stays where it was (its name is in the event's data), and the
    event says what changed, for the editors' history.
    """
    current = _locked(submission)
    _check(current, None, [Status.CHANGES_REQUESTED], _("revise"))
    pictures = dict(pictures or {})
    now = timezone.now()
    old_body = current.body
    previous = {"title": current.title, "body": old_body}
    changes = {"pictures_added": [], "pictures_replaced": [], "pictures_removed": []}
    active = list(current.images.filter(removed_at__isnull=True))
    if document:
        for picture in active:  # the old document's pictures, unless the contributor chose for them
            if picture.pk not in pictures and picture.image.url in old_body and picture.image.url not in body:
                pictures[picture.pk] = None
    position = max((picture.position for picture in current.images.all()), default=-1) + 1
    for picture in active:
        if picture.pk not in pictures:
            continue
        replacement = pictures[picture.pk]
        picture.removed_at = now
        picture.save(update_fields=["removed_at"])
        if replacement is None:
            body = _drop_picture(body, picture.image.url)
            changes["pictures_removed"].append(str(picture))
            continue
        new = _store_picture(current, replacement, picture.position, caption=picture.caption)
        body = body.replace(picture.image.url, new.image.url)
        changes["pictures_replaced"].append({"old": str(picture), "new": str(new)})
    for content_id, processed in images:
        new = _store_picture(current, processed, position)
        position += 1
        if content_id:
            body = re.sub(rf"""(["'])cid:{re.escape(content_id)}\1""", rf"\1{new.image.url}\1", body)
        changes["pictures_added"].append(str(new))
    if document:
        name, content = document
        replaced = {"old": current.original_document.name, "name": name}  # "old": "" when there was none
        current.original_document.save(name, ContentFile(content), save=False)
        changes["document_replaced"] = {**replaced, "new": current.original_document.name}
    current.title = title.strip()
    # Cleaned as a first version is (contributions/cleaning.py: "Hi editors," and "Regards, Omar" off); as sent kept.
    current.original_body = sanitize_html(body, ugc=True)
    current.body = cleaning.clean_body(current.original_body, title=current.title)
    changes = {key: value for key, value in changes.items() if value}
    image_count = current.images.filter(removed_at__isnull=True).count()
    store_fingerprint(submission=current, fp=_analyse(current, image_count=image_count))
    to_status = Status.IN_REVIEW if current.claimed_by_id else Status.RECEIVED
    data = {"previous": previous, **changes}
    _move(current, None, to_status, Kind.REVISED, message=note.strip(), data=data)
    notifications.submission_revised(current)
    return current


def _store_picture(submission, processed, position, caption=""):
    picture = SubmissionImage(
        submission=submission, original_name=processed.filename, position=position, caption=caption
    )
    picture.image.save(processed.filename, ContentFile(processed.content), save=True)
    return picture


def _drop_picture(body, url):
    """`body` without the <img> elements (and a <figure> holding only one) that show `url`."""
    img = rf"""<img\b[^>]*\bsrc=(["']){re.escape(url)}\1[^>]*>"""
    body = re.sub(rf"<figure\b[^>]*>\s*{img}\s*(?:<figcaption\b.*?</figcaption>\s*)?</figure>", "", body, flags=re.S)
    return re.sub(img, "", body)


@transaction.atomic
def accept(submission, user, note=""):
    """Accept: create an Article draft credited to the contributor, and tell them."""
    current = _locked(submission)
    _check(current, user, Submission.OPEN_STATUSES, _("accept"))
    author = _author_for(current)
    article = _article_from(current, author)
    current.author = author
    current.article = article
    _move(current, user, Status.ACCEPTED, Kind.ACCEPTED, note=note, decided=True, data={"article": article.pk})
    notifications.accepted(current)
    return current


@transaction.atomic
def reject(submission, user, reason=None, message="", note=""):
    """Reject with a reason template (and/or a message of the editor's own); the contributor is told."""
    text = "\n\n".join(part for part in [reason.render(submission) if reason else "", message.strip()] if part)
    if not text:
        raise TransitionError(_("Choose a reason or write a message: the contributor receives it."))
    current = _locked(submission)
    _check(current, user, Submission.OPEN_STATUSES, _("reject"))
    data = {"reason": reason.title} if reason else {}
    _move(current, user, Status.REJECTED, Kind.REJECTED, note=note, message=text, decided=True, data=data)
    notifications.rejected(current, text)
    return current


@transaction.atomic
def mark_spam(submission, user, block_sender=False, note=""):
    """Mark as spam (no email is sent), and optionally block the sender's address."""
    current = _locked(submission)
    _check(current, user, [*Submission.OPEN_STATUSES, Status.REJECTED], _("mark as spam"))
    if block_sender:
        BlockedSender.objects.get_or_create(
            address=current.email.strip().lower(),
            defaults={"reason": f"Spam: {current.title[:150]}", "created_by": user},
        )
    _move(current, user, Status.SPAM, Kind.SPAM, note=note, decided=True, data={"blocked": block_sender})
    return current


# Accepting: the contributor becomes an Author, the submission an Article draft.


def _author_for(submission):
    author = Author.objects.filter(email__iexact=submission.email).first()
    if author is None:
        author = Author.objects.create(
            name=submission.name,
            # A name with no letter or digit ("✍️") still gets an address: from the email's local part.
            slug=unique_slug(Author, submission.name, 120, fallback=f"{submission.email.split('@')[0]} contributor"),
            email=submission.email,
            bio=submission.bio,
        )
    return author


def _article_from(submission, author):
    """The Article draft of an accepted submission. Its first picture (in the order sent; one a revision took
    out is no part of the piece) is proposed as the featured image, with the contributor's caption as its alt
    text and caption, or a placeholder alt without one: the checklist before publishing flags both until an
    editor describes the picture. A category is proposed from the tags and the text. A note says so."""
    body = submission.body
    article = Article(
        title=submission.title,
        slug=unique_slug(Article, submission.title, 200, fallback="guest post"),
        author=author,
        status=Article.Status.DRAFT,
    )
    folder = f"articles/guest/{timezone.now():%Y/%m}"
    pictures = [image for image in submission.images.all() if image.removed_at is None]
    in_text = moved = False
    if pictures:
        in_text = pictures[0].image.url in body
        # A piece that opens with its first picture: it moves up, as the featured image (not shown twice).
        opened = cleaning.without_leading_picture(body, pictures[0].image.url, pictures[0].caption)
        body, moved = (opened, True) if opened is not None else (body, False)
    unreferenced = []
    for image in pictures:
        if image.image.url in body:
            body = body.replace(image.image.url, default_storage.url(_copy(image, folder)))
        elif image is not pictures[0]:
            unreferenced.append((image, _copy(image, folder)))
    notes = []
    if pictures:
        first = pictures[0]
        article.featured_image = _copy(first, folder)
        article.featured_image_width, article.featured_image_height = first.width, first.height
        article.featured_image_credit = submission.name
        if first.caption:
            article.featured_image_alt = first.caption[:250]
            article.featured_image_caption = first.caption
            notes.append(
                _(
                    "“%(name)s” is proposed as the featured image, its caption (“%(caption)s”) as alt text: check "
                    "that it describes the picture."
                )
                % {"name": first, "caption": first.caption}
            )
        else:
            article.featured_image_alt = checklist.placeholder_alt(submission.title)
            notes.append(
                _("“%(name)s” is proposed as the featured image; it has no caption: describe it in its alt text.")
                % {"name": first}
            )
        if moved:
            notes.append(_("The text opened with it: it moved up, out of the text."))
        elif in_text:
            notes.append(_("It is also in the text: readers would see it twice."))
    for image, extra in unreferenced:
        # With its size, so the page keeps its layout while the picture loads.
        body += format_html(
            '<figure><img src="{}" alt="" width="{}" height="{}">{}</figure>',
            default_storage.url(extra),
            image.width,
            image.height,
            format_html("<figcaption>{}</figcaption>", image.caption) if image.caption else "",
        )
    # Accepted: links lose rel="ugc" and get the site's usual rel.
    article.body = sanitize_html(body)
    names = tags.parse_names(submission.suggested_tags)[0][:10]
    article.category = Category.objects.suggest_for(f"{submission.title} {plain_text(article.body)}", names)
    if article.category is not None:
        notes.append(
            _("The category “%(category)s” is proposed, from the tags and the text.") % {"category": article.category}
        )
    article.save()
    article.tags.set(names)
    if notes:
        add_note(submission, " ".join(notes), data={"article": article.pk})
    return article


def _copy(image, folder):
    """A copy of a submission's picture for the article (the submission keeps its own); the copy's name."""
    with image.image.open("rb") as source:
        return default_storage.save(f"{folder}/{image.image.name.rsplit('/', 1)[-1]}", source)
