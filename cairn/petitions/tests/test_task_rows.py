"""With the production task backend (rows in the database), signing and confirming queue their
work with their own writes: the row exists if and only if the write happened, and running it
does the work. On PostgreSQL the signing statement writes both rows at once (one round trip)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from cairn.people.models import EmailAddress, Person
from cairn.petitions import services, tasks
from cairn.petitions.models import Signature

from .conftest import signer

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
NEW_SIGNATURE = tasks.send_new_signature_confirmation.module_path
CRM = tasks.record_confirmed_signer.module_path


@pytest.fixture
def database_tasks() -> Iterator[None]:
    with override_settings(TASKS=DATABASE_TASKS):
        assert services._task_rows_in_statement(
            tasks.send_new_signature_confirmation, connection
        ) == (connection.vendor == "postgresql")
        yield


def queued(path: str) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=path).order_by("enqueued_at"))


def run(row: DBTaskResult) -> object:
    return row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])


@pytest.mark.django_db
def test_a_new_signature_and_its_email_task_are_written_together(petition, database_tasks):
    result = services.sign_petition(petition=petition, signer=signer("Ana.Lima+x@GMail.com"))

    [row] = queued(NEW_SIGNATURE)
    assert row.status == "READY"
    # the task finds the signature by its random referral code: no personal data in the queue
    assert row.args_kwargs["args"][0] == result.signature.ref_code
    assert "gmail" not in str(row.args_kwargs)
    assert Signature.objects.get().pk == result.signature.pk
    assert mail.outbox == []  # queued, not sent
    assert run(row) is True
    [message] = mail.outbox
    assert message.to == [result.signature.email]
    assert "/p/confirm/" in str(message.body)


@pytest.mark.django_db
def test_no_task_row_when_no_signature_is_written(petition, database_tasks):
    services.sign_petition(petition=petition, signer=signer())
    # the same canonical email: no second signature and no second "new signature" task
    services.sign_petition(petition=petition, signer=signer("ANA@example.org"))
    assert Signature.objects.count() == 1
    assert len(queued(NEW_SIGNATURE)) == 1

    services.close_petition(petition=petition)
    petition.status = petition.Status.OPEN  # a stale copy (the view's cache) still says open
    with pytest.raises(services.SignRefused):
        services.sign_petition(petition=petition, signer=signer("other@example.org"))
    assert Signature.objects.count() == 1
    assert len(queued(NEW_SIGNATURE)) == 1


@pytest.mark.django_db
def test_a_confirmed_signer_joins_the_crm_through_a_task_once(petition, database_tasks):
    result = services.sign_petition(petition=petition, signer=signer(consent_updates=True))
    token = services.confirmation_token(result.signature)

    confirmed = services.confirm_signature(token=token)
    assert confirmed.outcome == services.ConfirmOutcome.CONFIRMED
    assert services.current_count(petition) == 1  # counted at once
    assert not Person.objects.exists()  # the CRM's part is queued
    [row] = queued(CRM)

    assert run(row) is True
    person = Person.objects.get()
    assert Signature.objects.get().person_id == person.pk
    assert EmailAddress.objects.get(person=person).status == EmailAddress.Status.SUBSCRIBED
    assert run(row) is False  # a retry adds nothing
    assert Person.objects.count() == 1
    # a second click neither counts nor queues again
    assert services.confirm_signature(token=token).outcome == "already_confirmed"
    assert len(queued(CRM)) == 1
