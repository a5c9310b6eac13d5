"""Background work of the page cache, run by django-tasks (see TASKS in the settings)."""

from django_tasks import task

from . import purgers


@task()
def purge_task(tags, urls):
    """Purge the HTTP caches in front of the app (pagecache/purgers.py) of these tags and URLs.

    Queued after the transaction that changed the content commits. If any cache fails, the task
    fails with a PurgeError naming each failure (the other caches were still purged).
    """
    return purgers.purge(tags, urls)
