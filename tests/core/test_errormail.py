"""Error mail to ADMINS (core/errormail.py, LOGGING): sent off the request's thread, and once per
kind of failure however many requests fail."""

import logging
import threading

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client

from core.errormail import AdminEmailHandler

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


class ThreadRecordingBackend(EmailBackend):
    """The locmem backend, noting the thread each message was sent from."""

    threads = []

    def send_messages(self, messages):
        self.threads.append(threading.get_ident())
        return super().send_messages(messages)


@pytest.fixture
def handler(settings):
    """The handler LOGGING installs for Django's errors, with a clock the test moves."""
    settings.ADMINS = [("Ops", "ops@example.com")]
    settings.EMAIL_BACKEND = "tests.core.test_errormail.ThreadRecordingBackend"
    [installed] = [h for h in logging.getLogger("django").handlers if isinstance(h, AdminEmailHandler)]
    saved = installed.clock, installed._last, installed._since
    installed.clock = Clock()
    installed._last, installed._since = {}, type(installed._since)()
    cache.clear()
    ThreadRecordingBackend.threads = []
    yield installed
    installed.sender.join()
    installed.clock, installed._last, installed._since = saved


def fail_home_with(monkeypatch, error):
    def view(self, request, *args, **kwargs):
        raise error

    monkeypatch.setattr("blog.views.HomeView.get", view)


def storm(requests=20):
    client = Client(raise_request_exception=False)
    for _ in range(requests):
        assert client.get("/").status_code == 500


def test_a_storm_of_one_failure_sends_one_mail(handler, monkeypatch):
    fail_home_with(monkeypatch, ConnectionError("Error 111 connecting to 127.0.0.1:6379"))
    storm()
    handler.sender.join()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ops@example.com"]
    assert "ConnectionError" in mail.outbox[0].body
    assert "Only the first failure of this kind is mailed" in mail.outbox[0].body


def test_another_kind_of_failure_is_mailed_too_and_the_first_again_after_the_interval(handler, monkeypatch):
    fail_home_with(monkeypatch, ConnectionError("Redis down"))
    storm(5)
    fail_home_with(monkeypatch, KeyError("missing"))
    storm(5)
    handler.sender.join()
    assert len(mail.outbox) == 2

    handler.clock.now += handler.interval
    fail_home_with(monkeypatch, ConnectionError("Redis down"))
    storm(5)
    handler.sender.join()
    assert len(mail.outbox) == 3
    assert "4 more happened in this process since the last mail" in mail.outbox[2].body


def test_other_processes_do_not_mail_a_kind_already_mailed(handler, monkeypatch):
    fail_home_with(monkeypatch, ConnectionError("Redis down"))
    storm(1)
    # Another worker process: its own handler, the same shared cache.
    other = AdminEmailHandler(clock=handler.clock)
    logging.getLogger("django.request").addHandler(other)
    try:
        storm(3)
    finally:
        logging.getLogger("django.request").removeHandler(other)
    handler.sender.join()
    other.sender.join()
    assert len(mail.outbox) == 1


def test_the_mail_is_sent_off_the_request_thread(handler, monkeypatch):
    fail_home_with(monkeypatch, RuntimeError("boom"))
    storm(1)
    handler.sender.join()
    assert len(mail.outbox) == 1
    assert ThreadRecordingBackend.threads and threading.get_ident() not in ThreadRecordingBackend.threads
