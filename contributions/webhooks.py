"""The email providers' webhooks (django-anymail): inbound email, which becomes guest posts
(contributions/signals.py), and delivery events. Anymail checks each provider's signature;
before that, every POST is limited per address and in size (core.ratelimit.limit_posts), so a
flood of unsigned or huge posts costs no parsing. Providers retry a 429 later, so a message
refused for the rate is delayed, not lost.

A provider sends the whole email as one value: a JSON document (Postmark, SES, SparkPost), one
urlencoded field (Mandrill) or one multipart field (Mailgun's body-mime, SendGrid's raw email).
Django refuses any of those over DATA_UPLOAD_MAX_MEMORY_SIZE (10 MB, meant for browsers' forms)
with a 400, which providers retry and then drop: an email with a few megabytes of attachments
would be lost. So, once limit_posts has bounded the body by BYLINE_WEBHOOK_MAX_REQUEST_BYTES,
the body is read and parsed here with that bound instead.

Every provider that sends the raw message hands it to AnymailInboundMessage.parse_raw_mime (or
its _bytes and _chunks forms) before our signal handler runs. Those are replaced here
(`keep_raw_mime`) so that the bytes the provider sent stay on the message (`raw_mime`): the
handler ingests them as they came, never a re-serialisation of the parsed message (which the email
package cannot write for a message nested hundreds of levels deep: RecursionError, a 500, and the
provider retried, then dropped it). A message nested deeper than the parser reads
(emails.mime_depth), or one the email package cannot parse, is not parsed here at all: anymail gets
an empty message, and ingest refuses the bytes with the reason.
"""

import functools
from email import policy
from email.parser import BytesParser

from anymail import urls as anymail_urls
from anymail.inbound import AnymailInboundMessage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.urls import URLPattern
from django.utils.datastructures import MultiValueDict

from core.ratelimit import limit_posts

from .emails import MAX_DEPTH, MAX_MESSAGE_BYTES, mime_depth

webhook_limits = limit_posts(
    "webhook", per_hour="BYLINE_WEBHOOK_POSTS_PER_HOUR", max_bytes="BYLINE_WEBHOOK_MAX_REQUEST_BYTES"
)


def raw_mime(message):
    """The bytes the provider sent for an inbound message, or None (a provider that sent it parsed into
    fields, which anymail put together into a message)."""
    return getattr(message, "byline_raw_mime", None)


def _parse_keeping_raw(cls, data):
    if len(data) > MAX_MESSAGE_BYTES or mime_depth(data, MAX_DEPTH) > MAX_DEPTH:
        message = cls()  # not parsed: ingest refuses the bytes for their size or nesting
    else:
        try:
            message = BytesParser(cls, policy=policy.default).parsebytes(data)
        except Exception:  # RecursionError, or a bug of the email package: ingest refuses the bytes
            message = cls()
    message.byline_raw_mime = data
    return message


def keep_raw_mime():
    """Make anymail's inbound parsing keep the raw bytes on the message and skip what is nested too deep."""
    if getattr(AnymailInboundMessage, "byline_keeps_raw_mime", False):
        return

    def parse_raw_mime(cls, s):
        # As anymail does: a str is encoded as UTF-8 (https://bugs.python.org/issue18271).
        return _parse_keeping_raw(cls, s.encode("utf-8", "surrogateescape") if isinstance(s, str) else bytes(s))

    def parse_raw_mime_bytes(cls, b):
        return _parse_keeping_raw(cls, bytes(b))

    def parse_raw_mime_chunks(cls, chunks):
        return _parse_keeping_raw(cls, b"".join(bytes(chunk) for chunk in chunks if chunk))

    AnymailInboundMessage.parse_raw_mime = classmethod(parse_raw_mime)
    AnymailInboundMessage.parse_raw_mime_bytes = classmethod(parse_raw_mime_bytes)
    AnymailInboundMessage.parse_raw_mime_chunks = classmethod(parse_raw_mime_chunks)
    AnymailInboundMessage.byline_keeps_raw_mime = True


keep_raw_mime()


def parse_multipart(body, content_type, encoding="utf-8"):
    """The fields and files of a multipart/form-data `body`, as Django's request.POST and
    request.FILES hold them, parsed by the standard library's MIME parser with no size limit
    of its own (the caller bounds the body)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    fields, files = QueryDict(mutable=True, encoding=encoding), MultiValueDict()
    if not message.is_multipart():
        raise ValueError("the body is not multipart/form-data")
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            files.appendlist(name, SimpleUploadedFile(filename, payload, part.get_content_type()))
        else:
            fields.appendlist(name, payload.decode(part.get_content_charset() or encoding, "replace"))
    fields._mutable = False
    return fields, files


def read_bounded_body(view):
    """Read and parse the request body before the view, bounded by limit_posts' check, not by
    DATA_UPLOAD_MAX_MEMORY_SIZE. Apply inside webhook_limits."""

    @functools.wraps(view)
    def reading(request, *args, **kwargs):
        if request.method == "POST" and not hasattr(request, "_body"):
            request._body = request.read()  # at most CONTENT_LENGTH bytes, already checked
            if request.content_type == "multipart/form-data":
                try:
                    request.POST, request._files = parse_multipart(
                        request._body, request.headers["content-type"], request.encoding or "utf-8"
                    )
                except ValueError:
                    pass  # left to Django's parser, which answers 400
        return view(request, *args, **kwargs)

    return reading


urlpatterns = [
    URLPattern(pattern.pattern, webhook_limits(read_bounded_body(pattern.callback)), pattern.default_args, pattern.name)
    for pattern in anymail_urls.urlpatterns
]
