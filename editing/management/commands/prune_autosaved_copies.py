from django.core.management.base import BaseCommand

from editing.models import AutosavedCopy, keep_days


class Command(BaseCommand):
    help = (
        "Delete autosaved copies older than BYLINE_AUTOSAVE_KEEP_DAYS. Writing a first copy prunes them too, "
        "so this is only needed on a site where nobody has written for a while."
    )

    def handle(self, *args, **options):
        count = AutosavedCopy.objects.prune()
        self.stdout.write(f"Deleted {count} autosaved copies older than {keep_days()} days.")
