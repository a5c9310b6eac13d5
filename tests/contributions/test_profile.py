"""A contributor proposes their author profile from the tracking page; an editor approves or declines it."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from blog.models import Author
from contributions import profiles, workflow
from contributions.models import ProfileChange, SubmissionEvent
from tests.conftest import make_image_file

pytestmark = pytest.mark.django_db
Kind = SubmissionEvent.Kind
SITE = "http://127.0.0.1:8000"


@pytest.fixture
def accepted(submission, editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.accept(submission, editor)
    submission.refresh_from_db()
    mail.outbox.clear()
    return submission


def profile_url(submission):
    return reverse("contributions:profile", kwargs={"token": submission.token})


def propose(client, submission, django_capture_on_commit_callbacks, **data):
    fields = {"bio": "Grace builds battery rigs and writes about them.", "website": "https://grace.example.org/"}
    fields.update(data)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(profile_url(submission), fields)


class TestProposing:
    def test_the_form_shows_once_accepted_only(self, client, submission, editor, django_capture_on_commit_callbacks):
        html = client.get(submission.get_absolute_url()).content.decode()
        assert "Your author profile" not in html
        assert client.post(profile_url(submission), {"bio": "x"}).status_code == 404
        with django_capture_on_commit_callbacks(execute=True):
            workflow.accept(submission, editor)
        html = client.get(submission.get_absolute_url()).content.decode()
        assert "Your author profile" in html
        assert "Grace builds battery test rigs." in html  # the current bio, to edit

    def test_a_proposal_waits_for_an_editor(self, client, accepted, django_capture_on_commit_callbacks, editor):
        editor.email = "desk@example.com"
        editor.save()
        picture = make_image_file("me.png", size=(300, 300))
        response = propose(client, accepted, django_capture_on_commit_callbacks, avatar=picture)
        assert response.status_code == 302
        assert response["Location"] == accepted.get_absolute_url() + "#profile"
        change = ProfileChange.objects.get()
        assert (change.status, change.bio, change.website) == (
            ProfileChange.Status.PENDING,
            "Grace builds battery rigs and writes about them.",
            "https://grace.example.org/",
        )
        assert (change.avatar_width, change.avatar_height) == (300, 300)
        assert change.avatar.name.startswith("submissions/avatars/") and "me" not in change.avatar.name
        author = Author.objects.get(pk=accepted.author_id)
        assert (author.bio, author.website, author.avatar.name) == ("Grace builds battery test rigs.", "", "")
        html = client.get(accepted.get_absolute_url()).content.decode()
        assert "is waiting for an editor." in html
        assert "Profile change proposed" in html  # the history line
        [to_editors] = [email for email in mail.outbox if "desk@example.com" in email.to]
        assert to_editors.subject == f"Profile change to approve: {author.name}"
        assert to_editors.body == (
            f"Grace Contributor proposed a new profile for the author page of {author.name}, from the tracking "
            "page of “What solid-state batteries change”.\n\n"
            f"Approve or decline it: {SITE}/admin/contributions/profilechange/{change.pk}/change/\n"
        )

    def test_a_newer_proposal_replaces_the_pending_one(self, client, accepted, django_capture_on_commit_callbacks):
        propose(client, accepted, django_capture_on_commit_callbacks, bio="First try.")
        propose(client, accepted, django_capture_on_commit_callbacks, bio="Second try.")
        assert list(ProfileChange.objects.order_by("pk").values_list("bio", "status")) == [
            ("First try.", ProfileChange.Status.REPLACED),
            ("Second try.", ProfileChange.Status.PENDING),
        ]
        # The form starts from the pending proposal.
        assert "Second try." in client.get(accepted.get_absolute_url()).content.decode()

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"website": "javascript:alert(1)"}, "Enter a valid URL."),
            ({"website": "ftp://grace.example.org/"}, "Enter an address starting with https:// or http://."),
            ({"bio": "<b>bold</b> claims"}, "This is plain text, and “&lt;b&gt;” is HTML."),
            ({"bio": "x" * 1001}, "Ensure this value has at most 1000 characters"),
            ({"bio": "Grace builds battery test rigs.", "website": ""}, "This is your profile as it is"),
        ],
    )
    def test_bad_input_is_refused_with_the_reason_and_kept(
        self, client, accepted, django_capture_on_commit_callbacks, data, message
    ):
        response = propose(client, accepted, django_capture_on_commit_callbacks, **data)
        assert response.status_code == 400
        html = response.content.decode()
        assert message in html
        assert 'role="alert"' in html
        assert not ProfileChange.objects.exists()

    def test_a_file_that_is_not_a_picture_is_refused(self, client, accepted, django_capture_on_commit_callbacks):
        from django.core.files.uploadedfile import SimpleUploadedFile

        fake = SimpleUploadedFile("me.png", b"<svg onload=alert(1)>", content_type="image/png")
        response = propose(client, accepted, django_capture_on_commit_callbacks, avatar=fake)
        assert response.status_code == 400
        assert "“me.png” is not" in response.content.decode()
        assert not ProfileChange.objects.exists()

    def test_a_new_picture_and_removing_it_at_once_is_refused(
        self, client, accepted, django_capture_on_commit_callbacks
    ):
        author = accepted.author
        author.avatar = "authors/2026/old.png"
        author.save()
        response = propose(
            client, accepted, django_capture_on_commit_callbacks, avatar=make_image_file(), remove_avatar="on"
        )
        assert response.status_code == 400
        assert "Choose either a new picture or no picture, not both." in response.content.decode()

    def test_a_post_too_large_is_refused_unread(self, client, accepted):
        response = client.post(profile_url(accepted), {"bio": "x"}, CONTENT_LENGTH=str(profiles.MAX_REQUEST_BYTES + 1))
        assert response.status_code == 413
        assert "Your picture is too large" in response.content.decode()


class TestDeciding:
    @pytest.fixture
    def change(self, client, accepted, django_capture_on_commit_callbacks):
        propose(client, accepted, django_capture_on_commit_callbacks, avatar=make_image_file(size=(200, 200)))
        mail.outbox.clear()
        return ProfileChange.objects.get()

    def test_approved_is_applied_and_mailed(self, client, accepted, change, editor, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            profiles.approve(change, editor)
        author = Author.objects.get(pk=accepted.author_id)
        assert author.bio == "Grace builds battery rigs and writes about them."
        assert author.website == "https://grace.example.org/"
        assert author.avatar.name.startswith("authors/") and author.avatar.name != change.avatar.name
        change.refresh_from_db()
        assert (change.status, change.decided_by) == (ProfileChange.Status.APPROVED, editor)
        [email] = mail.outbox
        assert email.to == ["grace@example.org"]
        assert email.subject == f"Your profile is updated: {author.name} [#{accepted.token[:8]}]"
        assert email.body == (
            "Hello Grace Contributor,\n\n"
            "An editor approved the profile you proposed: your author page on Byline now shows it.\n"
            f"{SITE}{author.get_absolute_url()}\n\n"
            "You can propose another change at any time from your piece's page:\n"
            f"{SITE}{accepted.get_absolute_url()}\n\n"
            "— The editors of Byline\n"
        )
        html = client.get(accepted.get_absolute_url()).content.decode()
        assert "was approved on" in html
        assert "Profile change approved" in html

        page = client.get(author.get_absolute_url()).content.decode()
        assert "Grace builds battery rigs and writes about them." in page
        assert f'src="{author.avatar.url}"' in page
        assert f'alt="Picture of {author.name}"' in page
        assert 'href="https://grace.example.org/" rel="me nofollow ugc noopener"' in page

    def test_declined_changes_nothing_and_is_mailed(
        self, client, accepted, change, editor, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            profiles.decline(change, editor)
        author = Author.objects.get(pk=accepted.author_id)
        assert (author.bio, author.website, author.avatar.name) == ("Grace builds battery test rigs.", "", "")
        [email] = mail.outbox
        assert email.subject == f"About your profile change: {author.name} [#{accepted.token[:8]}]"
        assert email.body == (
            "Hello Grace Contributor,\n\n"
            "An editor decided not to use the profile you proposed, so your author page on Byline stays as it was:\n"
            f"{SITE}{author.get_absolute_url()}\n\n"
            "You can propose another version from your piece's page, or reply to this email to ask why:\n"
            f"{SITE}{accepted.get_absolute_url()}\n\n"
            "— The editors of Byline\n"
        )
        assert "was declined on" in client.get(accepted.get_absolute_url()).content.decode()
        assert ProfileChange.objects.get().avatar  # kept

    def test_decided_once(self, change, editor):
        profiles.decline(change, editor)
        with pytest.raises(workflow.TransitionError, match="already decided"):
            profiles.approve(change, editor)

    def test_removing_the_picture(self, client, accepted, editor, django_capture_on_commit_callbacks):
        author = accepted.author
        author.avatar = "authors/2026/old.png"
        author.save()
        propose(client, accepted, django_capture_on_commit_callbacks, remove_avatar="on")
        profiles.approve(ProfileChange.objects.get(), editor)
        assert Author.objects.get(pk=author.pk).avatar.name == ""


class TestAdmin:
    def test_list_and_actions(self, client, accepted, editor, django_capture_on_commit_callbacks):
        propose(client, accepted, django_capture_on_commit_callbacks, bio="Approve me.")
        change = ProfileChange.objects.get()
        client.force_login(editor)
        changelist = reverse("admin:contributions_profilechange_changelist")
        response = client.get(changelist)
        assert response.status_code == 200
        assert "Approve me." in response.content.decode()
        assert client.get(reverse("admin:contributions_profilechange_change", args=[change.pk])).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                changelist, {"action": "approve_selected", "_selected_action": [change.pk]}, follow=True
            )
        assert "Approved; the contributors have been emailed: 1." in response.content.decode()
        assert Author.objects.get(pk=accepted.author_id).bio == "Approve me."
        response = client.post(changelist, {"action": "decline_selected", "_selected_action": [change.pk]}, follow=True)
        assert "already decided" in response.content.decode()


class TestQueryCount:
    def test_the_page_with_a_decided_proposal(
        self, client, accepted, editor, django_assert_num_queries, django_capture_on_commit_callbacks
    ):
        propose(client, accepted, django_capture_on_commit_callbacks)
        profiles.approve(ProfileChange.objects.get(), editor)
        client.get(accepted.get_absolute_url())
        cache.clear()
        # site settings, footer menu, submission with article and author, images, public events, latest change
        with django_assert_num_queries(6):
            client.get(accepted.get_absolute_url())


def test_the_change_page_decides_with_its_buttons(client, accepted, editor, django_capture_on_commit_callbacks):
    propose(client, accepted, django_capture_on_commit_callbacks, bio="Decline me.")
    change = ProfileChange.objects.get()
    client.force_login(editor)
    page = client.get(reverse("admin:contributions_profilechange_change", args=[change.pk])).content.decode()
    assert reverse("admin:contributions_profilechange_decline", args=[change.pk]) in page
    assert 'name="_save"' not in page  # nothing to save: the decision has its buttons
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:contributions_profilechange_decline", args=[change.pk]), follow=True)
    assert "Declined: the author&#x27;s page stays as it was" in response.content.decode()
    change.refresh_from_db()
    assert (change.status, change.decided_by) == (ProfileChange.Status.DECLINED, editor)
    assert Author.objects.get(pk=accepted.author_id).bio == "Grace builds battery test rigs."
    page = client.get(reverse("admin:contributions_profilechange_change", args=[change.pk])).content.decode()
    assert reverse("admin:contributions_profilechange_approve", args=[change.pk]) not in page


def test_a_writer_without_the_permission_cannot_decide(client, accepted, writer, django_capture_on_commit_callbacks):
    propose(client, accepted, django_capture_on_commit_callbacks)
    change = ProfileChange.objects.get()
    client.force_login(writer)
    response = client.post(reverse("admin:contributions_profilechange_approve", args=[change.pk]))
    assert response.status_code == 403
    assert ProfileChange.objects.get().status == ProfileChange.Status.PENDING
