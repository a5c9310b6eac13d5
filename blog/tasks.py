"""Background work for the blog, run by django-tasks (see TASKS in the settings)."""

from django_tasks import task

from .affiliates import rescan_articles
from .images import make_article_renditions
from .library_uses import catalogue_article_images
from .models import Article


@task()
def rescan_affiliate_links_task():
    """Re-mark every article's affiliate links after the patterns in the site settings changed."""
    return rescan_articles()


@task()
def make_renditions_task(article_id):
    """Make the responsive-image renditions of an article's images and store their map (blog/images.py).

    Returns how many images the map holds (None when the article is gone).
    """
    renditions = make_article_renditions(article_id)
    return None if renditions is None else len(renditions)


@task()
def catalogue_images_task(article_id):
    """Give every picture article `article_id` shows a row in the image library (blog/library_uses.py).

    Returns how many rows were made (None when the article is gone).
    """
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return None
    return len(catalogue_article_images(article))
