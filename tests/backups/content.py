"""Content for the backup round trips, run inside the throwaway site's own processes.

test_backup.py calls these through `manage.py shell -c`, so they use that site's database
(DATABASE_URL) and media folder (DJANGO_MEDIA_ROOT), never the test database.
"""

import io
import json
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.management import call_command
from PIL import Image

from blog.models import Article
from contributions import workflow
from contributions.models import Submission
from discussion.models import Comment
from tests.factories import ArticleFactory

TITLE = "Backed up with its picture"
BODY = "<p>This article, its picture and its comment must come back from the archive.</p>"


def png_bytes(color):
    buffer = io.BytesIO()
    Image.new("RGB", (320, 180), color).save(buffer, "PNG")
    return buffer.getvalue()


def prepare(snapshot_path):
    """Migrate, add content of every kind that has files or rows, and write a snapshot."""
    call_command("migrate", verbosity=0)
    call_command("seed_demo", articles=5, renditions=False, force=True, verbosity=0)
    article = ArticleFactory(title=TITLE, body=BODY)
    article.featured_image.save("picture.png", ContentFile(png_bytes((200, 40, 40))), save=True)
    comment = Comment(site_id=1, user_name="Ada Reader", user_email="ada@example.org", is_public=True)
    comment.comment = "Glad this survives a restore."
    comment.content_object = article
    comment.save()
    workflow.receive(
        workflow.Incoming(
            channel="email",
            name="Grace Contributor",
            email="grace@example.org",
            title="A guest post with an attachment",
            body="<p>" + "Solid-state batteries are coming, slowly. " * 30 + "</p>",
            consent=True,
            document=("guest-post.docx", b"PK\x03\x04 stands in for a .docx here"),
            raw_message=b"From: grace@example.org\r\nSubject: A guest post\r\n\r\nHello\r\n",
        )
    )
    snapshot(snapshot_path)


def snapshot(path):
    """Write what the round trip compares: every row (dumpdata) and the articles' text, as JSON."""
    out = io.StringIO()
    call_command("dumpdata", format="json", stdout=out)
    data = {
        "dump": json.loads(out.getvalue()),
        "articles": sorted(Article.objects.values_list("slug", "title", "body")),
        "counts": {
            "articles": Article.objects.count(),
            "comments": Comment.objects.count(),
            "submissions": Submission.objects.count(),
        },
    }
    Path(path).write_text(json.dumps(data, indent=1, sort_keys=True, default=str))


def mutate(snapshot_path):
    """What happens after the backup: edits, deletions and new content; then a snapshot."""
    edited = Article.objects.get(title=TITLE)
    edited.title = "Edited after the backup"
    edited.body = "<p>Overwritten.</p>"
    edited.save()
    Article.objects.exclude(pk=edited.pk).order_by("pk").first().delete()
    Comment.objects.all().delete()
    Submission.objects.all().delete()
    # The factory's sequences start again in this process: reuse the author and category.
    ArticleFactory(
        title="Written after the backup", slug="written-after-the-backup", author=edited.author, category=None
    )
    snapshot(snapshot_path)
