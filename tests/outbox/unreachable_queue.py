from django_tasks.backends.base import BaseTaskBackend


class TaskBackend(BaseTaskBackend):
    """A task queue that is down: every enqueue fails, as a database or Redis queue does when unreachable."""

    def enqueue(self, task, args, kwargs):
        raise ConnectionError("task queue unreachable")
