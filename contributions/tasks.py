"""Background work for guest posts, run by django-tasks (see TASKS in the settings)."""

from django.db import transaction
from django_tasks import task

from blog.models import Article

from .duplicates import store_fingerprint


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
