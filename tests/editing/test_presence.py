"""Presence in the cache: who else has a form open, until their heartbeats stop."""

import pytest

from editing import presence
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def clock(timestamp):
    return f"t{int(timestamp)}"


@pytest.fixture
def people():
    return [UserFactory(first_name=name, last_name="Editor") for name in ("Ana", "Ben", "Cleo")]


def test_an_editor_is_present_until_the_heartbeats_stop(people):
    ana, ben, _ = people
    presence.heartbeat(1, "5", ana, now=100)
    assert presence.heartbeat(1, "5", ben, now=100 + presence.PRESENT_SECONDS) == [("Ana Editor", 100)]
    assert presence.heartbeat(1, "5", ben, now=101 + presence.PRESENT_SECONDS) == []


def test_since_is_kept_across_heartbeats_and_objects_are_apart(people):
    ana, ben, _ = people
    presence.heartbeat(1, "5", ana, now=100)
    presence.heartbeat(1, "5", ana, now=120)
    assert presence.heartbeat(1, "5", ben, now=130) == [("Ana Editor", 100)]
    assert presence.heartbeat(1, "6", ben, now=130) == []
    assert presence.heartbeat(2, "5", ben, now=130) == []


def test_leaving(people):
    ana, ben, _ = people
    presence.heartbeat(1, "5", ana, now=100)
    presence.heartbeat(1, "5", ben, now=100)
    assert presence.leave(1, "5", ana, now=101) == [("Ben Editor", 100)]
    assert presence.heartbeat(1, "5", ben, now=102) == []


def test_messages():
    assert presence.message([], "article", clock) == ""
    assert presence.message([("Ana", 1)], "article", clock) == "Ana is editing this article too (since t1)."
    assert (
        presence.message([("Ana", 1), ("Ben", 2)], "page", clock)
        == "Ana (since t1) and Ben (since t2) are editing this page too."
    )
