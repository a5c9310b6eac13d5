"""An article's duplicate fingerprint is made after its save commits, as a task, not in the editor's request."""

from django_tasks.signals import task_enqueued

from contributions.models import Fingerprint
from contributions.tasks import fingerprint_article_task
from tests.factories import ArticleFactory


def test_the_fingerprint_waits_for_the_commit_then_follows_the_text(db, django_capture_on_commit_callbacks):
    enqueued = []

    def record(sender, task_result, **kwargs):
        enqueued.append((task_result.task.name, list(task_result.args)))

    task_enqueued.connect(record)
    try:
        with django_capture_on_commit_callbacks() as callbacks:
            article = ArticleFactory(body="<p>" + " ".join(f"first{i}" for i in range(60)) + "</p>")
        assert not Fingerprint.objects.filter(article=article).exists()  # nothing inside the save
        assert ("fingerprint_article_task", [article.pk]) not in enqueued
        for callback in callbacks:
            callback()
    finally:
        task_enqueued.disconnect(record)
    assert ("fingerprint_article_task", [article.pk]) in enqueued
    first = Fingerprint.objects.get(article=article)

    with django_capture_on_commit_callbacks(execute=True):
        article.body = "<p>" + " ".join(f"second{i}" for i in range(60)) + "</p>"
        article.save()
    second = Fingerprint.objects.get(article=article)
    assert second.signature != first.signature
    assert Fingerprint.objects.filter(article=article).count() == 1


def test_the_task_for_an_article_gone_meanwhile_does_nothing(db):
    article = ArticleFactory()
    article_id = article.pk
    article.delete()
    assert fingerprint_article_task.call(article_id) is None
    assert not Fingerprint.objects.filter(article_id=article_id).exists()
