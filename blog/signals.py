"""What the blog tells the apps above it (it never imports them: they connect here).

- `article_status_changed(sender=Article, article=..., status=...)`: `article`'s status was
  written without save() (blog/publishing.py: a takedown, or its lifting), so no post_save is
  sent. Sent synchronously, inside the caller's transaction, after the row is written: a
  receiver that sends email or starts a task defers it with `transaction.on_commit`.
  Saves (publishing, withdrawing, editing) are followed through post_save on Article.
"""

from django.dispatch import Signal

article_status_changed = Signal()
