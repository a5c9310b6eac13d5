"""Error mail to ADMINS that never holds up a request, and comes once per kind of failure.

Django's AdminEmailHandler sends its mail inside the failing request, through the mail server,
for every failure: with Redis or the database down, every request waited on SMTP and ADMINS got
one mail per request. This handler (LOGGING, config/settings/base.py) gives the mail to a thread
of its own and sends one mail per kind of failure (the exception's type and where it was raised,
or the log message's place) per `interval` seconds: the first within this process, and, while the
cache answers, the first of all processes and servers. The log still has every occurrence.
"""

import hashlib
import logging
import queue
import threading
import time
import traceback
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.utils.log import AdminEmailHandler as DjangoAdminEmailHandler

logger = logging.getLogger(__name__)

PROJECT = Path(__file__).resolve().parent.parent
LIBRARIES = ("site-packages", "dist-packages")


def failure_kind(record):
    """What makes two failures the same: the exception's type, the line that raised it and the
    innermost line of this project on the way (or, without an exception, the log call's place)."""
    if record.exc_info and record.exc_info[0] is not None:
        kind, _exc, tb = record.exc_info
        frames = traceback.extract_tb(tb)
        places = [frames[-1]] if frames else []
        own = [
            frame
            for frame in frames
            if frame.filename.startswith(str(PROJECT)) and not any(part in frame.filename for part in LIBRARIES)
        ]
        if own and own[-1] is not frames[-1]:
            places.append(own[-1])
        where = " via ".join(f"{frame.filename}:{frame.lineno}" for frame in places)
        return f"{kind.__module__}.{kind.__qualname__} at {where}"
    return f"{record.name} at {record.pathname}:{record.lineno}: {record.msg}"


class BackgroundSender:
    """One thread per process that sends what it is given, in order; a full queue drops mail."""

    def __init__(self, size=100):
        self.queue = queue.Queue(maxsize=size)
        self.thread = None
        self.lock = threading.Lock()

    def submit(self, send):
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="error-mail", daemon=True)
                self.thread.start()
        try:
            self.queue.put_nowait(send)
        except queue.Full:
            logger.warning("Error mail dropped: %s are waiting to be sent already.", self.queue.maxsize)

    def _run(self):
        while True:
            send = self.queue.get()
            try:
                send()
            except Exception:
                logger.exception("Error mail could not be sent.")
            finally:
                self.queue.task_done()

    def join(self):
        """Wait until everything submitted was sent (tests; a process about to exit)."""
        self.queue.join()


class AdminEmailHandler(DjangoAdminEmailHandler):
    """Django's handler (same report, same filters), sent in the background, throttled by kind."""

    def __init__(self, interval=3600, clock=time.time, **kwargs):
        super().__init__(**kwargs)
        self.interval = interval
        self.clock = clock
        self.sender = BackgroundSender()
        self._last = {}  # kind -> clock() of its last mail from this process
        self._since = Counter()  # kind -> occurrences not mailed since

    def emit(self, record):
        if not settings.ADMINS:
            return
        kind = failure_kind(record)
        now = self.clock()
        last = self._last.get(kind)  # emit() runs under the handler's lock
        if last is not None and now - last < self.interval:
            self._since[kind] += 1
            return
        self._last[kind] = now
        self._since_last = self._since.pop(kind, 0)
        if not self._first_of_all_processes(kind, now):
            return
        super().emit(record)  # builds the report, then calls send_mail() below

    def _first_of_all_processes(self, kind, now):
        """Whether no other process or server mailed this kind in the current interval. While the
        cache is down its add() answers True (core/cache.py): then each process mails once."""
        digest = hashlib.sha256(kind.encode()).hexdigest()[:32]
        window = int(now // self.interval)
        try:
            return cache.add(f"errormail:{digest}:{window}", True, timeout=self.interval)
        except Exception:  # any other cache backend, failing
            return True

    def send_mail(self, subject, message, *args, **kwargs):
        note = (
            f"\n\nOnly the first failure of this kind is mailed every {self.interval} s"
            + (f"; {self._since_last} more happened in this process since the last mail" if self._since_last else "")
            + " (the log has each one)."
        )
        connection = self.connection()
        self.sender.submit(lambda: mail.mail_admins(subject, message + note, *args, connection=connection, **kwargs))
