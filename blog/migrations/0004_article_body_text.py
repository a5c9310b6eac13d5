"""Article.body_text: the body as plain text, which full-text search indexes (blog/search.py)."""

from django.db import migrations, models


def fill_body_text(apps, schema_editor):
    from core.sanitizer import plain_text

    Article = apps.get_model("blog", "Article")
    batch = []
    for pk, body in Article.objects.values_list("pk", "body").iterator(chunk_size=1000):
        batch.append(Article(pk=pk, body_text=plain_text(body)))
        if len(batch) == 1000:
            Article.objects.bulk_update(batch, ["body_text"])
            batch = []
    Article.objects.bulk_update(batch, ["body_text"])


class Migration(migrations.Migration):
    dependencies = [("blog", "0003_settings_for_engagement")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="body_text",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="For search; kept from the body on save.",
                verbose_name="body as plain text",
            ),
        ),
        migrations.RunPython(fill_body_text, migrations.RunPython.noop, elidable=True),
    ]
