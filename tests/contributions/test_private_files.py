"""Raw emails and guest posts' Word documents are private files (core/storage.py): never in the
public media, no URL, served by the admin to those who may view the submission."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from contributions import workflow
from contributions.models import Submission
from core.storage import private_storage
from tests.contributions.docx_factory import make_docx
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
RAW = b"From: grace@example.org\r\nSubject: Zqprivate\r\n\r\nZqprivate raw body"


@pytest.fixture
def submission(incoming):
    return workflow.receive(
        incoming(channel="email", raw_message=RAW, document=("piece.docx", make_docx(paragraphs=["Zqprivate."])))
    )


def files_under(folder):
    return [path for path in Path(folder).rglob("*") if path.is_file()]


def test_they_are_stored_outside_the_public_media(settings, submission):
    for file in (submission.raw_message, submission.original_document):
        path = Path(file.path).resolve()
        assert Path(settings.PRIVATE_MEDIA_ROOT).resolve() in path.parents
        assert not default_storage.exists(file.name)
    assert submission.raw_message.read() == RAW
    public = [path.suffix for path in files_under(settings.MEDIA_ROOT)]
    assert ".eml" not in public and ".docx" not in public


def test_they_have_no_url(submission):
    with pytest.raises(ValueError, match="no public URL"):
        submission.raw_message.url  # noqa: B018


def test_editors_download_the_document_and_others_do_not(editor_client, submission):
    url = reverse("admin:contributions_submission_document", args=[submission.pk])
    response = editor_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == submission.original_document.open("rb").read()
    assert response["Content-Disposition"] == f'attachment; filename="submission-{submission.pk}.docx"'

    client = Client()
    assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(UserFactory(is_staff=True))  # staff, without permission on submissions
    response = client.get(url)
    assert response.status_code == 404
    assert not getattr(response, "streaming", False)


def test_the_admin_page_links_to_the_downloads_not_to_a_file(editor_client, submission):
    page = editor_client.get(reverse("admin:contributions_submission_change", args=[submission.pk])).content.decode()
    assert reverse("admin:contributions_submission_document", args=[submission.pk]) in page
    assert reverse("admin:contributions_submission_raw", args=[submission.pk]) in page
    assert submission.original_document.name not in page


def test_the_migration_moves_files_stored_publicly_before(settings, incoming):
    submission = workflow.receive(incoming(channel="email"))
    name = default_storage.save("submissions/messages/2025/01/old.eml", ContentFile(RAW))
    Submission.objects.filter(pk=submission.pk).update(raw_message=name)

    migration = importlib.import_module("contributions.migrations.0004_private_files")
    migration.move_to_private_storage(apps, None)

    assert not default_storage.exists(name)
    assert private_storage().open(name).read() == RAW
    submission.refresh_from_db()
    assert submission.raw_message.read() == RAW
    # Run again (nothing left to move): no error, nothing lost.
    migration.move_to_private_storage(apps, None)
    assert private_storage().exists(name)
