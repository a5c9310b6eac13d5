"""What the library tells the apps above it (blog purges the pages that show a picture).

Both are sent synchronously, right after the row is saved, inside the caller's transaction:
a receiver that touches caches should defer its work with `transaction.on_commit`.

- `image_changed(sender=Image, image=...)`: the alt text, caption, credit or focal point
  of `image` changed (its file did not).
- `image_replaced(sender=Image, image=..., old_name=..., new_name=...)`: `image.replace_file`
  stored a new file under `new_name`; `old_name` is still in storage (pages cached
  elsewhere may still point at it).
"""

from django.dispatch import Signal

image_changed = Signal()
image_replaced = Signal()
