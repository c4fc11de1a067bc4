"""The Django admin is registered for every model and its pages render for a superuser."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from cairn.accounts.models import User

OUR_APPS = {"accounts", "coalitions"}


def our_models():
    return [m for m in apps.get_models() if m._meta.app_label in OUR_APPS]


def test_every_model_is_registered():
    missing = [m.__name__ for m in our_models() if not admin.site.is_registered(m)]
    assert missing == []


@pytest.mark.django_db
def test_admin_pages_render(client, steward, membership_factory, commitment_factory):
    # given a superuser and a row of every kind
    commitment_factory(membership_factory(steward.coalition), delivered=1)
    client.force_login(User.objects.create_superuser("root@example.org", "pw-not-used-here"))
    for model in our_models():
        meta = model._meta
        # when / then the list, the add form and a change form render
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        add = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
        assert client.get(add).status_code == 200, add
        row = model.objects.first()
        if row is not None:
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[row.pk])
            assert client.get(change).status_code == 200, change


@pytest.mark.django_db
def test_creating_a_user_in_the_admin(client):
    client.force_login(User.objects.create_superuser("root@example.org", "pw-not-used-here"))
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "Ops@Example.org",
            "full_name": "Ops",
            "password1": "a long passphrase 1",
            "password2": "a long passphrase 1",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(email="ops@example.org").exists()
