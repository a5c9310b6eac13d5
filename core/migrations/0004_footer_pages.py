"""The pages of the footer menu: About, Affiliate disclosure, Privacy, Contribution guidelines,
Copyright policy and Contact. Existing pages are left as editors wrote them; only the footer
positions are set."""

from django.db import migrations

PAGES = [
    (
        "about",
        "About",
        "<p>We are an independent tech-news blog: news, reviews and how-tos from our own writers and from "
        "guest contributors who know their subject.</p>",
        "Who we are and how we work.",
    ),
    ("affiliate-disclosure", None, None, None),
    (
        "privacy",
        "Privacy",
        "<p>We collect only what a feature needs: the name, email address and optional website you give with a "
        "comment or a guest post, and your IP address for a limited time to stop abuse. Your email address is "
        "never shown. Pages load nothing from other companies: share buttons are plain links, and Facebook's "
        "comments box loads only if you ask for it.</p>"
        "<p>To see, correct or delete what we hold about you, write to us through the contact page.</p>",
        "What we collect, why, and how to have it corrected or deleted.",
    ),
    ("contribution-guidelines", None, None, None),
    (
        "copyright-policy",
        "Copyright policy",
        "<p>Everything we publish is protected by copyright; guest contributors keep the copyright of their "
        "work and license it to us.</p>"
        "<h2>If you believe we published your work</h2>"
        "<p>File a copyright complaint with the form linked at the foot of every page. An editor reviews it; "
        "when it is upheld, the article is taken down and its address answers “unavailable for legal "
        "reasons” (HTTP 451). Both you and the author are told of the decision.</p>",
        "Our copyright policy and how rights holders can file a complaint.",
    ),
    (
        "contact",
        "Contact",
        "<p>Tips, corrections and questions: write to the editors at the address in the guest-post call-out, "
        "or send a guest post through the contribution form.</p>",
        "How to reach the editors.",
    ),
]


def create_pages(apps, schema_editor):
    Page = apps.get_model("core", "Page")
    for position, (slug, title, body, description) in enumerate(PAGES, start=1):
        page = Page.objects.filter(slug=slug).first()
        if page is None and title is not None:
            page = Page.objects.create(slug=slug, title=title, body=body, meta_description=description)
        if page is not None:
            Page.objects.filter(pk=page.pk).update(footer_position=position, in_footer=True)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_settings_for_engagement"), ("contributions", "0002_defaults")]

    operations = [migrations.RunPython(create_pages, migrations.RunPython.noop)]
