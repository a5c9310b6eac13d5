from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """Outgoing email: stored with the change that caused it, sent after commit, retried."""

    name = "outbox"
    verbose_name = "Outgoing email"
