"""The email providers' webhooks (django-anymail): inbound email, which becomes guest posts
(contributions/signals.py), and delivery events. Anymail checks each provider's signature;
before that, every POST is limited per address and in size (core.ratelimit.limit_posts), so a
flood of unsigned or huge posts costs no parsing. Providers retry a 429 later, so a message
refused for the rate is delayed, not lost.
"""

from anymail import urls as anymail_urls
from django.urls import URLPattern

from core.ratelimit import limit_posts

webhook_limits = limit_posts(
    "webhook", per_hour="BYLINE_WEBHOOK_POSTS_PER_HOUR", max_bytes="BYLINE_WEBHOOK_MAX_REQUEST_BYTES"
)

urlpatterns = [
    URLPattern(pattern.pattern, webhook_limits(pattern.callback), pattern.default_args, pattern.name)
    for pattern in anymail_urls.urlpatterns
]
