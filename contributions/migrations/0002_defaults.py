"""Contribution guidelines page, default rejection reasons, and the Editors' permissions."""

from django.db import migrations

from core.permissions import grant

GUIDELINES = (
    "<p>We welcome guest posts from readers who know their subject: engineers, researchers, "
    "practitioners and curious people who have tested something properly.</p>"
    "<h2>What we look for</h2>"
    "<ul><li>Original writing that has not appeared anywhere else, 400 to 2,000 words.</li>"
    "<li>Facts you can back up, with links to your sources.</li>"
    "<li>Pictures you took or have the right to publish.</li></ul>"
    "<h2>What we do not publish</h2>"
    "<ul><li>Advertising, paid links or affiliate links you have not told us about.</li>"
    "<li>Text written to rank in search engines rather than to be read.</li></ul>"
    "<h2>What happens next</h2>"
    "<p>An editor reads every submission. We may ask for changes, and we edit accepted pieces for "
    "length and style. Publication is free of charge; we do not pay for guest posts.</p>"
)

REASONS = [
    ("Not a fit for our readers", "Hello {name},\n\nThank you for “{title}”. It is not a fit for what our readers come to us for, so we will not publish it."),
    ("Published elsewhere", "Hello {name},\n\nThank you for “{title}”. We only publish pieces that have not appeared anywhere else, and this one has."),
    ("Promotional", "Hello {name},\n\nThank you for “{title}”. It reads as promotion for a product or service, which we do not publish as a guest post."),
    ("Not enough substance", "Hello {name},\n\nThank you for “{title}”. We need more depth, sources and first-hand detail than this piece offers."),
]

EDITOR_MODELS = {
    "contributions": ["submission", "submissionevent", "rejectionreason", "blockedsender"],
    "outbox": ["outgoingemail"],
}


def create_defaults(apps, schema_editor):
    Page = apps.get_model("core", "Page")
    Page.objects.get_or_create(
        slug="contribution-guidelines",
        defaults={
            "title": "Contribution guidelines",
            "body": GUIDELINES,
            "meta_description": "What we look for in guest posts and how we handle them.",
        },
    )
    RejectionReason = apps.get_model("contributions", "RejectionReason")
    for position, (title, message) in enumerate(REASONS):
        RejectionReason.objects.get_or_create(title=title, defaults={"message": message, "position": position})

    for app_label, models in EDITOR_MODELS.items():
        grant(apps, "Editors", app_label, models=models)


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0001_initial"),
        ("core", "0002_default_pages"),
        ("blog", "0002_editorial_groups"),
        ("outbox", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
