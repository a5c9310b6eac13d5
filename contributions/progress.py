"""What became of an accepted piece: its article's stage, and the contributor's history and emails about it.

`stage(article)` says where the article stands now, from the article alone (no query), so the
tracking page is always true: being prepared, scheduled for a time, published (and updated),
withdrawn or taken down. A scheduled article goes live by time alone, with no save: its stage
changes all the same, at that time.

The history lines (SubmissionEvent.PROGRESS_KINDS) and the emails they cause are written by one
function, `record(article_id)`, which compares the article with what its submission's history
already says (`pending`) and writes only what is missing: calling it again changes nothing. It
runs after every save of an article commits and after a takedown or its lifting
(contributions/signals.py, as a task: tasks.record_progress_task), at the scheduled time when
the task backend can defer, and from the tracking page whenever the page finds the history
behind the article (a piece that went live by time alone with the "immediate" backend).

Each line's data keeps the stage it records, the article's publication time and the `updated_at`
it saw, so that a later edit is told apart from the change that was recorded.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from blog.models import Article

from . import notifications
from .models import Submission, SubmissionEvent

Kind = SubmissionEvent.Kind

# The stages of an accepted piece's article.
PREPARING = "preparing"
SCHEDULED = "scheduled"
PUBLISHED = "published"
UPDATED = "updated"
WITHDRAWN = "withdrawn"
TAKEN_DOWN = "taken_down"

# Edits within this time of the publication are part of publishing it, not an update.
UPDATE_MARGIN = timedelta(hours=1)

# The history lines that say where the article is (UPDATED only adds to "live").
_POSITION_KINDS = {Kind.SCHEDULED, Kind.PUBLISHED, Kind.WITHDRAWN, Kind.TAKEN_DOWN, Kind.RESTORED}


@dataclass(frozen=True)
class Stage:
    key: str  # one of the stages above
    published_at: datetime | None = None  # scheduled or published at
    updated_at: datetime | None = None  # UPDATED: the last edit; WITHDRAWN, TAKEN_DOWN: when
    url: str = ""  # PUBLISHED, UPDATED: the article's address on the site

    @property
    def is_live(self):
        return self.key in (PUBLISHED, UPDATED)


def stage(article):
    """Where `article` (a submission's, or None when it was deleted) stands now. No query."""
    if article is None:
        return Stage(WITHDRAWN)
    if article.status == Article.Status.TAKEN_DOWN:
        return Stage(TAKEN_DOWN, article.published_at, article.updated_at)
    if article.status == Article.Status.WITHDRAWN:
        return Stage(WITHDRAWN, article.published_at, article.updated_at)
    if article.is_scheduled:
        return Stage(SCHEDULED, article.published_at)
    if article.is_live:
        url = article.get_absolute_url()
        if _edited_after_publication(article):
            return Stage(UPDATED, article.published_at, article.updated_at, url)
        return Stage(PUBLISHED, article.published_at, url=url)
    return Stage(PREPARING)


def _edited_after_publication(article):
    return article.updated_at is not None and article.updated_at > article.published_at + UPDATE_MARGIN


def _position(current):
    """What a history line records of a stage: "live" for published and updated."""
    return "live" if current.is_live else current.key


def _when(value):
    return parse_datetime(value) if value else None


@dataclass(frozen=True)
class Change:
    """A history line `record` is to write: its kind, data, and when it happened."""

    kind: str
    data: dict
    at: datetime


def pending(article, events):
    """The history lines the submission of `article` lacks, given its `events` (any kinds, in order).

    Pure: `events` are those already loaded (the tracking page has them). A list of Change.
    """
    events = [event for event in events if event.kind in SubmissionEvent.PROGRESS_KINDS]
    now = timezone.now()
    current = stage(article)
    position = _position(current)
    last = next((event for event in reversed(events) if event.kind in _POSITION_KINDS), None)
    recorded = last.data.get("stage", PREPARING) if last else PREPARING
    data = {
        "stage": position,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "updated_at": article.updated_at.isoformat() if article.updated_at else None,
    }
    changes = []
    if recorded == TAKEN_DOWN and position != TAKEN_DOWN:
        changes.append(Change(Kind.RESTORED, data, article.updated_at or now))
    elif position == SCHEDULED and (recorded != SCHEDULED or last.data.get("published_at") != data["published_at"]):
        changes.append(Change(Kind.SCHEDULED, data, now))
    elif position in (WITHDRAWN, TAKEN_DOWN) and recorded != position:
        changes.append(Change(Kind.WITHDRAWN if position == WITHDRAWN else Kind.TAKEN_DOWN, data, article.updated_at))
    elif position == "live" and recorded != "live":
        changes.append(Change(Kind.PUBLISHED, data, article.published_at))
    elif position == "live" and _edited_after_publication(article):
        seen = max(filter(None, (_when(event.data.get("updated_at")) for event in events)), default=None)
        updates = [_when(event.data.get("updated_at")) for event in events if event.kind == Kind.UPDATED]
        same_day = any(when and timezone.localdate(when) == timezone.localdate(article.updated_at) for when in updates)
        if (seen is None or article.updated_at > seen) and not same_day:  # at most one a day
            changes.append(Change(Kind.UPDATED, data, article.updated_at))
    if position == "live" and not any(event.kind == Kind.PUBLISHED for event in events):
        if not any(change.kind == Kind.PUBLISHED for change in changes):
            changes.append(Change(Kind.PUBLISHED, data, article.published_at))  # restored before it ever went live
    return changes


def absolute_url(article):
    return settings.BYLINE_SITE_URL + article.get_absolute_url()


@transaction.atomic
def record(article_id):
    """Write the history lines (and queue the emails) that article `article_id`'s submission lacks.

    Idempotent: the submission's row is locked while its history is compared with the article,
    so of two calls at once (the deferred task and a page view) one writes and the other finds
    nothing missing. Returns the new events (none for an article no submission became).
    """
    submission = Submission.objects.select_for_update(of=("self",)).filter(article_id=article_id).first()
    if submission is None:
        return []
    article = Article.objects.select_related("author").filter(pk=article_id).first()
    if article is None:
        return []
    events = list(submission.events.order_by("created_at", "pk"))
    latest = events[-1].created_at if events else None
    had_published = any(event.kind == Kind.PUBLISHED for event in events)
    created = []
    for change in pending(article, events):
        # When it happened, as far as the history can say: never before the line above, never later than now.
        at = min(max(change.at, latest) if latest else change.at, timezone.now())
        event = SubmissionEvent.objects.create(
            submission=submission,
            kind=change.kind,
            from_status=submission.status,
            to_status=submission.status,
            data=change.data,
            created_at=at,
        )
        latest = at
        created.append(event)
        _notify(submission, article, event, first_publication=not had_published)
        had_published = had_published or change.kind == Kind.PUBLISHED
    return created


def _notify(submission, article, event, *, first_publication):
    if event.kind == Kind.SCHEDULED:
        notifications.scheduled(submission, article.published_at)
    elif event.kind == Kind.PUBLISHED and first_publication:
        notifications.published(submission, absolute_url(article))
    elif event.kind in (Kind.TAKEN_DOWN, Kind.RESTORED) and not _told_by_complaints(submission, article):
        if event.kind == Kind.TAKEN_DOWN:
            notifications.taken_down(submission)
        else:
            notifications.restored(submission, absolute_url(article) if article.is_live else "")


def _told_by_complaints(submission, article):
    """The complaints app writes to the article's author about a takedown and its lifting
    (complaints/notifications.py): when that is the contributor's own address, once is enough."""
    return bool(article.author.email) and article.author.email.strip().lower() == submission.email.strip().lower()
