from django.core.management.base import BaseCommand

from outbox.mail import MAX_ATTEMPTS, send_unsent


class Command(BaseCommand):
    help = (
        "Send emails that are still queued or whose sending failed (at most "
        f"{MAX_ATTEMPTS} attempts each). Safe to run every few minutes from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="At most this many emails per run.")

    def handle(self, *args, limit, **options):
        sent, failed = send_unsent(limit=limit)
        self.stdout.write(f"Sent {sent}, failed {failed}.")
