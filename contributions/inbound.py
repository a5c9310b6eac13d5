"""Email to the contributions address: one entry point for every source.

`ingest(raw, source=...)` parses a message with the one email parser
(`emails.parse_message`), then queues it as a submission, attaches it to the
submission it replies to, or refuses it with a reason. Whatever happens is
recorded as an InboundMessage in the same transaction, so a message is
acknowledged by its source (IMAP flag, maildir move, command exit) only after
this function has returned: a crash in between loses nothing, and running the
same message again is recognised by its Message-ID (or, without one, by
`emails.identity_hash`, which leaves out line endings and the trace headers
servers add on the way) and queues nothing new.
"""

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.html import strip_tags

from core.storage import private_storage
from outbox.models import OutgoingEmail

from . import notifications, workflow
from .emails import MAX_MESSAGE_BYTES, Refusal, identity_hash, parse_message
from .models import BlockedSender, InboundMessage, Submission, SubmissionEvent
from .uploads import docx_to_html

Outcome = InboundMessage.Outcome
logger = logging.getLogger(__name__)


@dataclass
class IngestResult:
    outcome: str  # queued, reply, refused, duplicate
    reason: str = ""  # why it was refused, or which earlier copy it duplicates
    submission: Submission | None = None

    @property
    def refused(self):
        return self.outcome == Outcome.REFUSED

    @property
    def duplicate(self):
        return self.outcome == "duplicate"


def operational(exc):
    """Whether an exception from `ingest` is the database's fault (down, locked, not migrated), not the
    message's: the source then keeps the message for a later run. Anything else (a DataError, a value the
    database refuses; a bug) would happen again with the same message, which is then set aside instead."""
    return isinstance(exc, DatabaseError) and not isinstance(exc, DataError)


def describe(exc):
    """An exception as one line for an operator's log."""
    text = " ".join(str(exc).split())[:300]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _record(key, parsed, source, outcome, reason="", submission=None, content_hash="", message_id=""):
    return InboundMessage.objects.create(
        key=key[:255],
        message_id=(parsed.message_id if parsed else message_id)[:255],
        content_hash=parsed.content_hash if parsed else content_hash,
        from_address=(parsed.from_address if parsed else "")[:254],
        subject=(parsed.subject if parsed else "")[:300],
        source=source,
        outcome=outcome,
        reason=reason[:300],
        submission=submission,
    )


def _key(message_id, content_hash):
    return message_id or f"sha256:{content_hash}"


def _refuse(key, parsed, source, reason, **extra):
    _record(key, parsed, source, Outcome.REFUSED, reason, **extra)
    return IngestResult(Outcome.REFUSED, reason)


def ingest(raw, *, source="cli"):
    """Turn one raw message (bytes) into a queued submission, a reply, or a refusal. Never raises
    for a bad message; database errors propagate (the source then keeps the message)."""
    raw = bytes(raw)
    # Which message this is when it has no Message-ID: line endings and trace headers left out, so that
    # two copies of it (delivered through different servers, stored in different mailboxes) are one.
    content_hash = identity_hash(raw)
    # Rows recorded before identity_hash have the hash of the exact bytes in their key.
    legacy_key = f"sha256:{hashlib.sha256(raw).hexdigest()}"
    if len(raw) > MAX_MESSAGE_BYTES:
        # Not parsed at all: the Message-ID is unknown, so the content hash is the key.
        key = _key("", content_hash)
        if duplicate := _duplicate(key, legacy_key):
            return duplicate
        reason = f"larger than {MAX_MESSAGE_BYTES // (1024 * 1024)} MB"
        return _refuse(key, None, source, reason, content_hash=content_hash)
    try:
        parsed = parse_message(raw)
    except Refusal as refusal:
        message_id = _message_id_of(raw)
        key = _key(message_id, content_hash)
        if duplicate := _duplicate(key, legacy_key):
            return duplicate
        return _refuse(key, None, source, refusal.reason, content_hash=content_hash, message_id=message_id)

    parsed.content_hash = content_hash
    key = _key(parsed.message_id, content_hash)
    if duplicate := _duplicate(key, legacy_key):
        return duplicate
    try:
        with transaction.atomic():
            return _handle(parsed, raw, key, source)
    except IntegrityError:
        # The same message, ingested concurrently by another process, won the race.
        if duplicate := _duplicate(key):
            return duplicate
        raise


def already_received(raw):
    """Whether `raw` was recorded before (as ingest would find it), read from the bytes without parsing.
    False when unsure (a Message-ID the parser reads otherwise): ingest then decides, as for a new message."""
    raw = bytes(raw)
    content_hash = identity_hash(raw)
    legacy_key = f"sha256:{hashlib.sha256(raw).hexdigest()}"
    keys = {_key(_message_id_of(raw), content_hash), _key("", content_hash), legacy_key}
    return InboundMessage.objects.filter(key__in=keys).exists()


def set_aside(raw, reason, *, source):
    """Keep a message that could not be processed (the bytes in private storage, under inbound/set-aside/)
    and record it as refused with `reason` and where the bytes are, so that a source with nowhere to leave
    it (a provider's webhook, which retries and then drops it) can acknowledge it. Its key is its own: once
    the fault is fixed, `ingest_email` on the kept file ingests it as a new message. Returns the result;
    a database or storage error propagates (the source then keeps the message and retries)."""
    raw = bytes(raw)
    content_hash = identity_hash(raw)
    message_id = _message_id_of(raw)
    key = f"set-aside:{content_hash}"
    if InboundMessage.objects.filter(key=key).exists():  # the provider's retry of it
        return IngestResult(Outcome.REFUSED, reason)
    name = private_storage().save(f"inbound/set-aside/{timezone.now():%Y/%m}/{content_hash[:32]}.eml", ContentFile(raw))
    reason = f"{reason}; kept as {name}"
    logger.error("Inbound email (%s, %s) set aside: %s", source, message_id or key, reason)
    try:
        with transaction.atomic():
            _record(key, None, source, Outcome.REFUSED, reason, content_hash=content_hash, message_id=message_id)
    except IntegrityError:  # set aside concurrently by another request
        private_storage().delete(name)
    return IngestResult(Outcome.REFUSED, reason)


def _duplicate(*keys):
    """A "duplicate" result naming the earlier copy, if one of `keys` was received before; else None."""
    earlier = InboundMessage.objects.filter(key__in=keys).select_related("submission").order_by("received_at").first()
    if earlier is None:
        return None
    when = timezone.localtime(earlier.received_at).strftime("%Y-%m-%d %H:%M %Z")
    if earlier.outcome == Outcome.QUEUED and earlier.submission_id:
        what = f"queued as submission {earlier.submission_id}"
    elif earlier.outcome == Outcome.REPLY and earlier.submission_id:
        what = f"attached to submission {earlier.submission_id}"
    else:
        what = earlier.outcome + (f": {earlier.reason}" if earlier.reason else "")
    return IngestResult("duplicate", f"already received on {when} via {earlier.source} ({what})", earlier.submission)


def _message_id_of(raw):
    match = re.search(rb"^Message-ID:\s*(<[^>\r\n]{1,250}>)", raw[:65536], re.IGNORECASE | re.MULTILINE)
    return match.group(1).decode("ascii", "replace") if match else ""


def _handle(parsed, raw, key, source):
    if parsed.auto_reason:
        # Auto-replies, bounces and list mail are never answered: that is how mail loops start.
        return _refuse(key, parsed, source, f"automatic message: {parsed.auto_reason}")
    if BlockedSender.is_blocked(parsed.from_address):
        return _refuse(key, parsed, source, "blocked sender")

    replied_to = _thread(parsed)
    if replied_to is not None:
        return _attach_reply(replied_to, parsed, key, source)

    body, document, notes = _body(parsed)
    if not strip_tags(body).strip():
        return _refuse(key, parsed, source, "no usable body: " + ("; ".join(notes) or "empty message"))
    incoming = workflow.Incoming(
        channel=Submission.Channel.EMAIL,
        name=parsed.from_name or parsed.from_address.split("@")[0],
        email=parsed.from_address,
        title=parsed.title,
        original_title=parsed.headers.get("Subject") or parsed.subject,  # the title is cleaned in workflow.receive
        body=body,
        images=list(parsed.images),
        captions=dict(parsed.image_captions),
        document=document,
        headers=parsed.headers,
        sender_verification=parsed.auth,
        raw_message=raw,
    )
    submission = workflow.receive(incoming, acknowledge=_may_acknowledge(parsed.from_address))
    for note in [*parsed.notes, *notes]:
        workflow.add_note(submission, note)
    _record(key, parsed, source, Outcome.QUEUED, submission=submission)
    return IngestResult(Outcome.QUEUED, "", submission)


def _body(parsed):
    """The HTML body, or the attached .docx converted; with notes for the editor."""
    notes = []
    body, document = parsed.html, None
    if parsed.docx_bytes:
        document = (parsed.docx_name or "document.docx", parsed.docx_bytes)
        if len(strip_tags(body or "").split()) < 30:
            try:
                converted = docx_to_html(parsed.docx_bytes, name=parsed.docx_name)
            except ValidationError as exc:
                notes.extend(exc.messages)
            else:
                body = converted.html
                parsed.images.extend((f"docx-image-{n}", image) for n, image in enumerate(converted.images))
                notes.extend(converted.messages)
    return body or "", document, notes


def _thread(parsed):
    """The submission this message replies to, if it comes from that submission's contributor."""
    ids = [parsed.in_reply_to, *parsed.references]
    ids = [i for i in ids if i]
    candidates = []
    if ids:
        for reference in OutgoingEmail.objects.filter(message_id__in=ids).values_list("reference", flat=True):
            if reference.startswith("submission:"):
                candidates.append(int(reference.split(":", 1)[1]))
    submission = None
    if candidates:
        submission = Submission.objects.filter(pk__in=candidates).order_by("-received_at").first()
    elif parsed.tracking_marker:
        submission = Submission.objects.filter(token__startswith=parsed.tracking_marker).first()
    if submission and submission.email.lower() == parsed.from_address:
        return submission
    return None  # a stranger quoting our email starts a new submission, never edits someone else's


def _attach_reply(submission, parsed, key, source):
    body, document, notes = _body(parsed)
    if submission.status == Submission.Status.CHANGES_REQUESTED and len(strip_tags(body).split()) >= 50:
        # Its pictures and .docx count as in a first email: added to the piece, the document replacing the old one.
        workflow.revise(
            submission,
            title=submission.title,
            body=body,
            note="Revised version sent by email.",
            images=list(parsed.images),
            document=document,
        )
        for note in [*parsed.notes, *notes]:  # what the parser left out, for the editors
            workflow.add_note(submission, note)
    else:
        workflow.add_note(
            submission,
            "Reply from the contributor by email.",
            kind=SubmissionEvent.Kind.REVISED if body else SubmissionEvent.Kind.NOTE,
            data={"subject": parsed.subject, "body": body[:20000], "notes": notes},
        )
        notifications.submission_revised(submission)
    _record(key, parsed, source, Outcome.REPLY, submission=submission)
    return IngestResult(Outcome.REPLY, "", submission)


def _may_acknowledge(address):
    """At most BYLINE_ACKS_PER_SENDER_PER_DAY receipts to one address a day: no mail loops."""
    since = timezone.now() - timedelta(days=1)
    recent = InboundMessage.objects.filter(from_address=address, outcome=Outcome.QUEUED, received_at__gte=since).count()
    return recent < settings.BYLINE_ACKS_PER_SENDER_PER_DAY
