import datetime
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from discussion.forms import FRESH, CommentForm
from discussion.models import Comment
from tests.factories import ArticleFactory

POST_URL = reverse("discussion:post")


def comment_data(article, *, age=60, kind=FRESH, **fields):
    """A filled-in "Leave a Reply" form as a browser sends it, `age` seconds after its token was
    issued: by the token endpoint (FRESH, what static/js/comments.js puts in, and what the form
    shown again after a refused post carries) or with the page (PAGE, the form as the page's HTML
    holds it, which never passes on its own)."""
    timestamp = str(int(time.time()) - age)
    data = {
        "content_type": "blog.article",
        "object_pk": str(article.pk),
        "timestamp": timestamp,
        "security_hash": CommentForm(article).generate_security_hash("blog.article", str(article.pk), timestamp, kind),
        "token_kind": kind,
        "name": "Ada Reader",
        "email": "ada@example.org",
        "url": "",
        "comment": "Thanks, this helped me choose a laptop.",
        "honeypot": "",
    }
    data.update(fields)
    return data


def approved_comment(article, email="known@example.org", **fields):
    """A published comment, saved directly (as after an editor's approval)."""
    defaults = {
        "content_type_id": None,
        "site_id": 1,
        "user_name": "Known Reader",
        "user_email": email,
        "comment": "An earlier, approved comment.",
        "is_public": True,
    }
    defaults.update(fields)
    comment = Comment(**defaults)
    comment.content_object = article
    comment.save()
    return comment


@pytest.fixture
def article(db):
    # Published an hour ago: the factory's default dates drift back an hour per article created
    # in the session, and comments close 30 days after publication.
    return ArticleFactory(published_at=timezone.now() - datetime.timedelta(hours=1))


@pytest.fixture
def post_comment(client):
    def post(article, **fields):
        return client.post(POST_URL, comment_data(article, **fields))

    return post
