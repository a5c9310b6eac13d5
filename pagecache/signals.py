"""What the page cache asks of the apps that use it, as signals (it imports none of them).

- `invalidating` is sent with `tags`, the set of tags about to be invalidated, just before
  they are; a receiver returns tags to invalidate with them, or nothing. (blog: the sidebar,
  which is recomputed and invalidated only when it changed.)
- `next_change` is sent when the page cache must know when pages next change by themselves,
  with no save to invalidate them; a receiver returns an aware datetime, or None for never.
  No page is kept past the earliest. (blog: the next scheduled publication.)

Receivers are connected in the apps' ready() (blog/receivers.py).
"""

from django.dispatch import Signal

invalidating = Signal()
next_change = Signal()
