import pytest

from complaints import workflow
from tests.factories import ArticleFactory, AuthorFactory


@pytest.fixture
def article(db):
    """A live article whose author has an email address."""
    return ArticleFactory(
        title="How to wire a heat pump", author=AuthorFactory(name="Pat Writer", email="pat@example.com")
    )


@pytest.fixture
def complaint_data(article):
    """Keyword arguments for workflow.receive(), overridable."""

    def make(**overrides):
        data = {
            "article": article,
            "article_url": article.get_absolute_url(),
            "claimant_name": "Ada Lovelace",
            "claimant_email": "ada@rights.example",
            "organisation": "Analytical Press",
            "original_work": "“Heat pumps explained”, chapter 3 of our handbook: https://press.example/heat-pumps",
            "signature": "Ada Lovelace",
            "good_faith": True,
            "accuracy": True,
            "ip_address": "10.0.0.1",
        }
        data.update(overrides)
        return data

    return make


@pytest.fixture
def complaint(complaint_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return workflow.receive(**complaint_data())


@pytest.fixture
def receive(complaint_data):
    """Another complaint, about any article."""

    def make(**overrides):
        return workflow.receive(**complaint_data(**overrides))

    return make
