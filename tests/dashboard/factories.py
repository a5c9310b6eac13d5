"""Factories for what the desk's panels count, beside the blog's in tests/factories.py."""

import datetime

import factory
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from factory.django import DjangoModelFactory

from blog.models import Article
from complaints.models import Complaint
from contributions.models import Submission
from discussion.models import Comment
from outbox.models import OutgoingEmail
from tests.factories import ArticleFactory


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


class SubmissionFactory(DjangoModelFactory):
    class Meta:
        model = Submission

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"guest{n}@example.org")
    title = factory.Sequence(lambda n: f"Guest post {n}")
    body = "<p>A guest post.</p>"
    status = Submission.Status.RECEIVED


class HeldCommentFactory(DjangoModelFactory):
    class Meta:
        model = Comment

    content_type = factory.LazyFunction(lambda: ContentType.objects.get_for_model(Article))
    object_pk = factory.LazyAttribute(lambda o: str(ArticleFactory().pk))
    site_id = 1
    user_name = factory.Faker("name")
    user_email = factory.Sequence(lambda n: f"reader{n}@example.org")
    comment = factory.Sequence(lambda n: f"Held comment number {n}, waiting for an editor.")
    is_public = False
    held_reason = Comment.HeldReason.FIRST


class ComplaintFactory(DjangoModelFactory):
    class Meta:
        model = Complaint

    article = factory.SubFactory(ArticleFactory)
    article_url = factory.LazyAttribute(lambda o: o.article.get_absolute_url())
    claimant_name = factory.Faker("name")
    claimant_email = factory.Sequence(lambda n: f"rights{n}@example.org")
    original_work = "Chapter 3 of our handbook."
    signature = factory.LazyAttribute(lambda o: o.claimant_name)


class OutgoingEmailFactory(DjangoModelFactory):
    class Meta:
        model = OutgoingEmail

    to = factory.Sequence(lambda n: [f"someone{n}@example.org"])
    subject = factory.Sequence(lambda n: f"Your guest post {n}")
    body = "Hello."
    message_id = factory.Sequence(lambda n: f"<desk-{n}@byline.test>")
    status = OutgoingEmail.Status.FAILED
    attempts = 3
    last_error = "SMTPServerDisconnected: Connection unexpectedly closed"


class FailedTaskFactory(DjangoModelFactory):
    class Meta:
        model = DBTaskResult

    status = TaskResultStatus.FAILED
    args_kwargs = factory.LazyFunction(lambda: {"args": [], "kwargs": {}})
    task_path = "outbox.mail.send_email_task"
    backend_name = "default"
    run_after = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyFunction(timezone.now)
    exception_class_path = "smtplib.SMTPException"
    traceback = "Traceback (most recent call last): ..."
