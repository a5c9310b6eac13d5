"""An article's status changes: publishing, withdrawing, taking down and restoring, in one module.

The admin's actions publish and withdraw; the complaints workflow takes down and restores
(complaints/workflow.py keeps the complaint's side: its history, its emails). Publishing and
withdrawing are saves (a revision, `updated_at`, every reaction of blog/receivers.py); taking
down and restoring change the status alone, without save(): the body is not derived again nor
the slug history checked, and the pages that showed the article are refreshed all the same
(blog/invalidation.py).

Publishing checks the article first (blog/checklist.py): one with blockers is refused with
`PublishingBlocked`. Importers and seeds that write published rows directly do not come here
(see blog/checklist.py for why).
"""

from django.utils import timezone

from .checklist import check_article
from .invalidation import update_articles
from .models import Article
from .signals import article_status_changed

Status = Article.Status


class TakenDown(Exception):
    """Raised by the article view for a taken-down article's address; the complaints app answers
    it with its 451 page (complaints/middleware.py), which says why, since when and who blocks it."""

    def __init__(self, article):
        super().__init__(article.slug)
        self.article = article


class PublishingBlocked(Exception):
    """The checklist before publishing has blockers for `article`: `blockers` are its failed Results."""

    def __init__(self, article, blockers):
        self.article = article
        self.blockers = blockers
        super().__init__(" ".join(result.message for result in blockers))  # each message is a sentence


def ensure_publishable(article):
    """Raise PublishingBlocked when `article` (as it is in memory) has blockers on its checklist."""
    blockers = check_article(article).blockers
    if blockers:
        raise PublishingBlocked(article, blockers)


def publish_now(article):
    """Publish `article` now: a scheduled one too; one already live keeps its publication time.
    (Not for a taken-down article: that comes back only through its copyright complaint, restore.)

    Raises PublishingBlocked, changing nothing, when its checklist has blockers."""
    ensure_publishable(article)
    article.status = Status.PUBLISHED
    if not article.published_at or article.published_at > timezone.now():
        article.published_at = timezone.now()
    article.save()


def withdraw(article):
    """Take a published article off the site (it keeps its text; an editor may publish it again)."""
    article.status = Status.WITHDRAWN
    article.save()


def take_down(article):
    """Take `article` down after an upheld copyright complaint: its address answers 451."""
    _set_status(article, Status.TAKEN_DOWN)


def restore(article, status):
    """Lift a takedown: `article` gets back `status`, the one it had before."""
    _set_status(article, status)


def _set_status(article, status):
    update_articles([article.pk], status=status, updated_at=timezone.now())
    article.status = status
    # No save, so no post_save: the apps above the blog hear of it here (blog/signals.py).
    article_status_changed.send(sender=Article, article=article, status=status)
