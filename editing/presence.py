"""Who else has an object's change form open: heartbeats kept in Django's cache, one key per object.

Each open form posts a heartbeat every HEARTBEAT_SECONDS; an editor counts as present until
PRESENT_SECONDS pass without one (a closed laptop, a lost connection), or at once when the page
says it is leaving. The entry of an object is a small dict {user id: (name, since, seen)}, read
and written whole: two heartbeats at the same instant may drop one of them, which the next
heartbeat puts back. With the cache unavailable (core/cache.py fails open) nobody is shown.
"""

import hashlib
import time

from django.core.cache import cache
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

HEARTBEAT_SECONDS = 20
PRESENT_SECONDS = 60


def presence_key(content_type_id, object_id):
    digest = hashlib.sha256(str(object_id).encode()).hexdigest()[:24]
    return f"editing:presence:{content_type_id}:{digest}"


def _current(entries, now):
    return {user_id: entry for user_id, entry in (entries or {}).items() if now - entry[2] <= PRESENT_SECONDS}


def _name(user):
    return user.get_full_name() or user.get_username()


def heartbeat(content_type_id, object_id, user, now=None):
    """Note `user` as editing the object now; return the others editing it: [(name, since)]."""
    now = time.time() if now is None else now
    key = presence_key(content_type_id, object_id)
    entries = _current(cache.get(key), now)
    since = entries[user.pk][1] if user.pk in entries else now
    entries[user.pk] = (_name(user), since, now)
    cache.set(key, entries, PRESENT_SECONDS * 2)
    return others(entries, user)


def leave(content_type_id, object_id, user, now=None):
    """`user` closed the form: forget them at once; return the others still editing."""
    now = time.time() if now is None else now
    key = presence_key(content_type_id, object_id)
    entries = _current(cache.get(key), now)
    if entries.pop(user.pk, None) is not None:
        cache.set(key, entries, PRESENT_SECONDS * 2)
    return others(entries, user)


def others(entries, user):
    """[(name, since)] of the entries that are not `user`'s, the longest-present first."""
    found = [(name, since) for user_id, (name, since, _seen) in entries.items() if user_id != user.pk]
    return sorted(found, key=lambda entry: entry[1])


def message(editors, verbose_name, clock):
    """ "Ana is editing this article too (since 14:01)." or "" when nobody else is; `clock(timestamp)` formats."""
    if not editors:
        return ""
    people = get_text_list([f"{name} ({_('since')} {clock(since)})" for name, since in editors], _("and"))
    if len(editors) == 1:
        name, since = editors[0]
        return _("%(name)s is editing this %(what)s too (since %(time)s).") % {
            "name": name,
            "what": verbose_name,
            "time": clock(since),
        }
    return ngettext(
        "%(people)s is editing this %(what)s too.", "%(people)s are editing this %(what)s too.", len(editors)
    ) % {"people": people, "what": verbose_name}
