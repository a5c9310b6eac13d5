import pytest
from django.contrib.auth.models import Permission

from tests.factories import AuthorFactory, UserFactory

EDITOR_PERMISSIONS = [
    "blog.view_article", "blog.change_article", "blog.add_article", "blog.publish_article", "blog.delete_article",
    "core.view_page", "core.change_page",
]  # fmt: skip


def staff_with(*codenames, **extra):
    """A staff user with exactly these permissions ("app_label.codename")."""
    user = UserFactory(is_staff=True, **extra)
    for name in codenames:
        app_label, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    AuthorFactory(user=user, name=user.get_full_name())
    return user


@pytest.fixture
def ana(db):
    """An editor who may change any article and page."""
    return staff_with(*EDITOR_PERMISSIONS, first_name="Ana", last_name="Silva")


@pytest.fixture
def ben(db):
    return staff_with(*EDITOR_PERMISSIONS, first_name="Ben", last_name="Okafor")


@pytest.fixture
def viewer(db):
    """Staff who may only look at articles."""
    return staff_with("blog.view_article")


@pytest.fixture
def author_only(db):
    """Staff who may change their own drafts only (no publish permission: blog/admin.py)."""
    return staff_with("blog.view_article", "blog.change_article", "blog.add_article")
