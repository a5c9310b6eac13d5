"""Background work for the blog, run by django-tasks (see TASKS in the settings)."""

from django_tasks import task

from .affiliates import rescan_articles


@task()
def rescan_affiliate_links_task():
    """Re-mark every article's affiliate links after the patterns in the site settings changed."""
    return rescan_articles()
