"""The Editors group can open every part of the admin the README says editors manage.

The group's permissions come from data migrations (one per app); a model registered in the
admin that no migration grants answers Editors 403. Here every registered model is either
reachable by an Editor or named below as kept from them, with the reason.
"""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.urls import reverse

from wordpress.models import ImportedObject

# Registered in the admin, and not for editors: who may sign in and what they may do, the one
# site record, and the task queue (operations, not editorial work).
NOT_FOR_EDITORS = {"auth.group", "sites.site", "django_tasks_database.dbtaskresult"}


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def registered_models():
    return sorted(admin.site._registry, key=lambda model: model._meta.label_lower)


@pytest.mark.parametrize(
    "model",
    [model for model in registered_models() if model._meta.label_lower not in NOT_FOR_EDITORS],
    ids=lambda model: model._meta.label_lower,
)
def test_editors_open_every_list_the_readme_says_they_manage(editor_client, model):
    # Follows the site settings' list, which sends to its one record.
    response = editor_client.get(changelist(model), follow=True)

    assert response.status_code == 200
    assert response.request["PATH_INFO"].startswith(f"/admin/{model._meta.app_label}/{model._meta.model_name}/")


@pytest.mark.parametrize("model", [Redirect, AccessAttempt, AccessLog, AccessFailureLog, ImportedObject])
def test_the_admin_index_shows_editors_the_redirects_lockouts_and_import_map(editor_client, model):
    assert changelist(model) in editor_client.get(reverse("admin:index")).content.decode()


def test_editors_add_a_redirect_of_their_own(editor_client):
    response = editor_client.post(
        reverse("admin:redirects_redirect_add"),
        {"site": Site.objects.get_current().pk, "old_path": "/old-address/", "new_path": "/new-address/"},
    )

    assert response.status_code == 302
    assert Redirect.objects.get(old_path="/old-address/").new_path == "/new-address/"


def test_editors_unlock_a_locked_out_sign_in(editor_client):
    attempt = AccessAttempt.objects.create(
        username="ada", ip_address="203.0.113.7", user_agent="test", failures_since_start=5
    )

    response = editor_client.post(
        changelist(AccessAttempt),
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()


def test_editors_cannot_manage_who_signs_in(editor_client):
    for label in NOT_FOR_EDITORS:
        model = next(model for model in registered_models() if model._meta.label_lower == label)
        assert editor_client.get(changelist(model)).status_code == 403, label
