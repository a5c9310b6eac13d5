"""The editorial desk on the admin's front page: what waits for an editor, across the apps.

Each panel is a small function of (request, now) that returns a `Panel`: how many items wait,
the first few of them with their ages, and a link to the changelist filtered to exactly those
items. A panel is shown only to a user whom the model's admin lets view it (`panels_for`).

Queries are fixed whatever the data: one per panel (the count rides on the rows' query as a
window function, COUNT(*) OVER ()), two for guest posts (the counts by state, then the oldest).
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import Count, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from blog.models import Article
from complaints.models import Complaint
from contributions.models import Submission
from discussion.models import Comment
from outbox.models import OutgoingEmail

ROWS = 5  # items listed per panel; the count covers them all
SCHEDULE_DAYS = 7


@dataclass(frozen=True)
class Item:
    label: str
    url: str
    when: datetime.datetime
    age: str  # "3 days" (waiting), or "in 2 days" (scheduled)
    detail: str = ""


@dataclass(frozen=True)
class State:
    """One state's share of a queue (guest posts by state), with its own filtered link."""

    label: str
    count: int
    url: str


@dataclass
class Panel:
    key: str
    title: str
    count: int
    items: list
    link: str  # the changelist filtered to what the panel counts
    link_label: str
    empty: str  # said when nothing waits
    states: list = field(default_factory=list)

    @property
    def more(self):
        """How many counted items the panel does not list."""
        return max(self.count - len(self.items), 0)


def age(when, now):
    """How long ago `when` was, in its largest unit: "3 days", "1 hour", "under a minute"."""
    if (now - when).total_seconds() < 60:
        return gettext("under a minute")
    return timesince(when, now, depth=1)


def changelist_url(model, **filters):
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def counted(queryset):
    """The first ROWS rows of `queryset`, each carrying the whole queryset's count as `total`."""
    return list(queryset.annotate(total=Window(Count("pk")))[:ROWS])


def total(rows):
    return rows[0].total if rows else 0


def guest_posts(request, now):
    counts = Submission.objects.counts_by_status()
    rows = list(Submission.objects.awaiting_review().order_by("received_at", "pk")[:ROWS])
    labels = dict(Submission.Status.choices)
    return Panel(
        key="submissions",
        title=gettext("Guest posts waiting"),
        count=sum(counts[status] for status in Submission.OPEN_STATUSES),
        states=[
            State(labels[status], counts[status], changelist_url(Submission, status__exact=status))
            for status in Submission.OPEN_STATUSES
        ],
        items=[
            Item(row.title, change_url(row), row.received_at, age(row.received_at, now), labels[row.status])
            for row in rows
        ],
        link=changelist_url(Submission, status__in=",".join(Submission.OPEN_STATUSES)),
        link_label=gettext("All waiting guest posts"),
        empty=gettext("No guest post waits for a decision."),
    )


def held_comments(request, now):
    rows = counted(Comment.objects.held().order_by("submit_date", "pk"))
    reasons = dict(Comment.HeldReason.choices)
    return Panel(
        key="comments",
        title=gettext("Held comments"),
        count=total(rows),
        items=[
            Item(
                Truncator(row.comment).words(12),
                change_url(row),
                row.submit_date,
                age(row.submit_date, now),
                " · ".join(filter(None, [row.user_name, str(reasons.get(row.held_reason, ""))])),
            )
            for row in rows
        ],
        link=changelist_url(Comment, status="held"),
        link_label=gettext("All held comments"),
        empty=gettext("No comment waits for approval."),
    )


def open_complaints(request, now):
    rows = counted(Complaint.objects.open().select_related("article").order_by("created_at", "pk"))
    labels = dict(Complaint.Status.choices)
    return Panel(
        key="complaints",
        title=gettext("Open complaints"),
        count=total(rows),
        items=[
            Item(
                str(row),
                change_url(row),
                row.created_at,
                age(row.created_at, now),
                f"{labels[row.status]} · {row.article.title}",
            )
            for row in rows
        ],
        link=changelist_url(Complaint, status__in=",".join(Complaint.OPEN_STATUSES)),
        link_label=gettext("All open complaints"),
        empty=gettext("No copyright complaint is open."),
    )


def scheduled_articles(request, now):
    start = now.replace(microsecond=0)
    end = start + datetime.timedelta(days=SCHEDULE_DAYS)
    rows = counted(
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=start, published_at__lte=end)
        .select_related("author")
        .order_by("published_at", "pk")
    )
    return Panel(
        key="scheduled",
        title=gettext("Scheduled in the next %(days)d days") % {"days": SCHEDULE_DAYS},
        count=total(rows),
        items=[
            Item(
                row.title,
                change_url(row),
                row.published_at,
                gettext("in %(time)s") % {"time": timeuntil(row.published_at, now, depth=1)},
                row.author.name,
            )
            for row in rows
        ],
        link=changelist_url(
            Article,
            status__exact=Article.Status.PUBLISHED,
            published_at__gt=start.isoformat(),
            published_at__lte=end.isoformat(),
        ),
        link_label=gettext("All scheduled in these days"),
        empty=gettext("Nothing is scheduled for the coming week."),
    )


def my_drafts(request, now):
    rows = counted(
        Article.objects.filter(status=Article.Status.DRAFT, author__user=request.user).order_by("-updated_at", "-pk")
    )
    if rows:
        link = changelist_url(Article, status__exact=Article.Status.DRAFT, author__id__exact=rows[0].author_id)
        link_label = gettext("All my drafts")
    else:
        link, link_label = reverse("admin:blog_article_add"), gettext("Write an article")
    return Panel(
        key="drafts",
        title=gettext("My drafts"),
        count=total(rows),
        items=[
            Item(
                row.title,
                change_url(row),
                row.updated_at,
                age(row.updated_at, now),
                gettext("edited %(time)s ago") % {"time": age(row.updated_at, now)},
            )
            for row in rows
        ],
        link=link,
        link_label=link_label,
        empty=gettext("You have no drafts."),
    )


def failed_emails(request, now):
    rows = counted(OutgoingEmail.objects.filter(status=OutgoingEmail.Status.FAILED).order_by("created_at", "pk"))
    return Panel(
        key="emails",
        title=gettext("Failed emails"),
        count=total(rows),
        items=[
            Item(
                row.subject,
                change_url(row),
                row.created_at,
                age(row.created_at, now),
                Truncator(row.last_error).chars(80) or ", ".join(row.to),
            )
            for row in rows
        ],
        link=changelist_url(OutgoingEmail, status__exact=OutgoingEmail.Status.FAILED),
        link_label=gettext("All failed emails"),
        empty=gettext("Every email went out."),
    )


def failed_tasks(request, now):
    # Newest first, unlike the queues: a failed task stays failed (it is not retried), so the
    # oldest ones are history, and the latest failures are what an editor needs to see.
    rows = counted(DBTaskResult.objects.failed().order_by("-finished_at", "-enqueued_at"))
    return Panel(
        key="tasks",
        title=gettext("Failed tasks"),
        count=total(rows),
        items=[
            Item(
                row.task_path.rsplit(".", 1)[-1],
                change_url(row),
                row.finished_at or row.enqueued_at,
                age(row.finished_at or row.enqueued_at, now),
                row.exception_class_path.rsplit(".", 1)[-1],
            )
            for row in rows
        ],
        link=changelist_url(DBTaskResult, status__exact=TaskResultStatus.FAILED),
        link_label=gettext("All failed tasks"),
        empty=gettext("No background task failed."),
    )


# (model, panel): the panel shows only to users the model's admin lets view it.
PANELS = [
    (Submission, guest_posts),
    (Comment, held_comments),
    (Complaint, open_complaints),
    (Article, scheduled_articles),
    (Article, my_drafts),
    (OutgoingEmail, failed_emails),
    (DBTaskResult, failed_tasks),
]


def may_view(request, model, site=admin.site):
    if not site.is_registered(model):
        return False
    return site.get_model_admin(model).has_view_permission(request)


def panels_for(request, now=None, site=admin.site):
    """The panels `request.user` may see, in desk order."""
    now = now or timezone.now()
    return [panel(request, now) for model, panel in PANELS if may_view(request, model, site)]
