import pytest

from contributions import workflow

PARAGRAPH = (
    "Solid-state batteries promise more range and faster charging, but the first cars to carry them "
    "will be expensive, and the factories that make the cells are still being built. "
)


def article_text(words=120, seed="battery"):
    """Deterministic filler prose of about `words` words."""
    base = (PARAGRAPH + f"We looked at the {seed} question from several sides. ").split()
    out = (base * (words // len(base) + 1))[:words]
    return "<p>" + " ".join(out) + "</p>"


@pytest.fixture
def incoming():
    def make(**overrides):
        data = {
            "channel": "web",
            "name": "Grace Contributor",
            "email": "grace@example.org",
            "title": "What solid-state batteries change",
            "body": article_text(),
            "bio": "Grace builds battery test rigs.",
            "suggested_tags": "batteries, cars",
            "consent": True,
        }
        data.update(overrides)
        return workflow.Incoming(**data)

    return make


@pytest.fixture
def submission(db, incoming, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return workflow.receive(incoming())
