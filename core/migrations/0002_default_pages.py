"""The affiliate-disclosure page and the site-settings record that links to it."""

from django.db import migrations

AFFILIATE_BODY = (
    "<p>Some of our articles contain affiliate links: links to shops and services that pay us a small "
    "commission when a reader buys something after following them. The price you pay is the same.</p>"
    "<h2>What this means for our writing</h2>"
    "<p>Commissions never decide what we cover or what we recommend. Editors choose stories and products on "
    "their merits, and guest contributors must tell us about any relationship with a company they write about.</p>"
    "<h2>How to recognise them</h2>"
    "<p>Affiliate links look like any other link. Every page carries a short notice at its foot reminding readers "
    "that such links may appear.</p>"
)


def create_defaults(apps, schema_editor):
    Page = apps.get_model("core", "Page")
    SiteSettings = apps.get_model("core", "SiteSettings")
    page, _ = Page.objects.get_or_create(
        slug="affiliate-disclosure",
        defaults={
            "title": "Affiliate disclosure",
            "body": AFFILIATE_BODY,
            "meta_description": "How affiliate links work on this site and how they do not affect what we write.",
        },
    )
    settings, _ = SiteSettings.objects.get_or_create(pk=1)
    if settings.affiliate_page_id is None:
        settings.affiliate_page = page
        settings.save()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
