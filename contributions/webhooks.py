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
"""

import functools
from email import policy
from email.parser import BytesParser

from anymail import urls as anymail_urls
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.urls import URLPattern
from django.utils.datastructures import MultiValueDict

from core.ratelimit import limit_posts

webhook_limits = limit_posts(
    "webhook", per_hour="BYLINE_WEBHOOK_POSTS_PER_HOUR", max_bytes="BYLINE_WEBHOOK_MAX_REQUEST_BYTES"
)


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
                        request._body, request.META["CONTENT_TYPE"], request.encoding or "utf-8"
                    )
                except ValueError:
                    pass  # left to Django's parser, which answers 400
        return view(request, *args, **kwargs)

    return reading


urlpatterns = [
    URLPattern(pattern.pattern, webhook_limits(read_bounded_body(pattern.callback)), pattern.default_args, pattern.name)
    for pattern in anymail_urls.urlpatterns
]
