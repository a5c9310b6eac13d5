"""Background work for guest posts, run by django-tasks (see TASKS in the settings)."""

from django.db import transaction
from django.utils.dateparse import parse_datetime
from django_tasks import task

from blog.models import Article

from . import progress
from .duplicates import store_fingerprint
from .models import SubmissionEvent


@task()
def fingerprint_article_task(article_id):
    """Keep article `article_id`'s duplicate fingerprint current (submissions are checked against it).

    Reads the article as it is when the task runs, its row locked, so that of two saves in quick
    succession the fingerprint ends up the one of the text saved last. Returns the article's id
    (None when it is gone).
    """
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(pk=article_id).only("pk", "title", "body").first()
        if article is None:
            return None
        store_fingerprint(article=article)
    return article_id


@task()
def record_progress_task(article_id):
    """Bring the history of article `article_id`'s submission up to date with the article (progress.record).

    When the article was just scheduled and the backend can defer ("database" can, "immediate"
    cannot), the same task is queued again for the scheduled time: the piece goes live by time
    alone, and the contributor is told then. Returns the number of history lines written.
    """
    recorded = progress.record(article_id)
    scheduled = [event for event in recorded if event.kind == SubmissionEvent.Kind.SCHEDULED]
    if scheduled and record_progress_task.get_backend().supports_defer:
        run_after = parse_datetime(scheduled[-1].data["published_at"])
        transaction.on_commit(lambda: record_progress_task.using(run_after=run_after).enqueue(article_id), robust=True)
    return len(recorded)
