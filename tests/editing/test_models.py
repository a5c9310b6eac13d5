import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from blog.models import Article
from editing.models import AutosavedCopy
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def article_type():
    return ContentType.objects.get_for_model(Article)


def data(text):
    return {"fields": {"title": [text]}, "labels": {}}


def test_one_copy_per_user_and_object_overwritten_on_each_autosave(article_type):
    user, other = UserFactory(), UserFactory()
    article = ArticleFactory()
    AutosavedCopy.objects.keep(user, article_type, str(article.pk), data("first"))
    AutosavedCopy.objects.keep(user, article_type, str(article.pk), data("second"))
    AutosavedCopy.objects.keep(other, article_type, str(article.pk), data("theirs"))
    assert AutosavedCopy.objects.count() == 2
    mine = AutosavedCopy.objects.of(user, article_type, str(article.pk)).get()
    assert mine.fields == {"title": ["second"]}


def test_a_new_object_has_one_copy_per_user_too(article_type):
    user = UserFactory()
    AutosavedCopy.objects.keep(user, article_type, None, data("draft one"))
    AutosavedCopy.objects.keep(user, article_type, None, data("draft two"))
    copy = AutosavedCopy.objects.get()
    assert copy.object_id is None
    assert copy.fields == {"title": ["draft two"]}


@pytest.mark.parametrize("object_id", ["7", None])
def test_the_database_refuses_a_second_copy(article_type, object_id):
    user = UserFactory()
    now = timezone.now()
    AutosavedCopy.objects.create(user=user, content_type=article_type, object_id=object_id, saved_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        AutosavedCopy.objects.create(user=user, content_type=article_type, object_id=object_id, saved_at=now)


def test_a_first_copy_prunes_the_expired_ones(article_type, settings):
    settings.BYLINE_AUTOSAVE_KEEP_DAYS = 30
    old_user, user = UserFactory(), UserFactory()
    old = AutosavedCopy.objects.create(
        user=old_user, content_type=article_type, object_id="1", saved_at=timezone.now() - datetime.timedelta(days=31)
    )
    recent = AutosavedCopy.objects.create(
        user=old_user, content_type=article_type, object_id="2", saved_at=timezone.now() - datetime.timedelta(days=29)
    )
    AutosavedCopy.objects.keep(user, article_type, "3", data("new"))
    assert not AutosavedCopy.objects.filter(pk=old.pk).exists()
    assert AutosavedCopy.objects.filter(pk=recent.pk).exists()


def test_the_prune_command(article_type, settings, capsys):
    settings.BYLINE_AUTOSAVE_KEEP_DAYS = 2
    user = UserFactory()
    AutosavedCopy.objects.create(
        user=user, content_type=article_type, object_id="1", saved_at=timezone.now() - datetime.timedelta(days=3)
    )
    AutosavedCopy.objects.create(user=user, content_type=article_type, object_id="2", saved_at=timezone.now())
    call_command("prune_autosaved_copies")
    assert "Deleted 1 autosaved copies older than 2 days." in capsys.readouterr().out
    assert list(AutosavedCopy.objects.values_list("object_id", flat=True)) == ["2"]


def test_an_update_is_one_query(article_type, django_assert_num_queries):
    user = UserFactory()
    AutosavedCopy.objects.keep(user, article_type, "5", data("first"))
    with django_assert_num_queries(1):
        AutosavedCopy.objects.keep(user, article_type, "5", data("second"))
