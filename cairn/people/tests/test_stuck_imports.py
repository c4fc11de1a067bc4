"""A stuck import (its worker killed) is found by its stale heartbeat and run again from the start,
or failed with a message after MAX_RUNS; a live one is left alone, and a superseded run that wakes
up writes nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cairn.people import importing
from cairn.people.models import ImportJob, Person

from .test_importing import GOOD, csv_bytes, upload

OTHER = "bea@example.org,Bea,Silva,,Springfield,IL,62701,us,"


def stuck_job(coalition, *, status=ImportJob.Status.VALIDATING, minutes=10, attempts=0):
    """A job whose worker was killed: queued (the task never ran), silent for `minutes`."""
    job = upload(coalition, csv_bytes(GOOD, OTHER))
    importing.set_mapping(job=job, mapping=job.mapping)
    importing.start_import(job=job)  # queued on commit; the test transaction never commits
    ImportJob.objects.filter(pk=job.pk).update(
        status=status,
        rows_processed=1,
        attempts=attempts,
        heartbeat_at=timezone.now() - dt.timedelta(minutes=minutes),
    )
    return ImportJob.objects.get(pk=job.pk)


@pytest.mark.parametrize("status", [ImportJob.Status.VALIDATING, ImportJob.Status.IMPORTING])
def test_a_stuck_import_is_run_again_and_imports_every_row_once(
    coalition, django_capture_on_commit_callbacks, status
):
    # given an import whose worker was killed while it ran
    job = stuck_job(coalition, status=status)
    # when the sweeper runs (its queued task runs at commit)
    with django_capture_on_commit_callbacks(execute=True):
        result = importing.sweep_stuck_imports()
    # then the job was restarted, and its new run imported every row, once
    assert (result.restarted, result.failed) == ([job.pk], [])
    job.refresh_from_db()
    assert (job.status, job.attempts, job.rows_created) == (ImportJob.Status.DONE, 1, 2)
    assert job.message.startswith("Restarted at ")
    assert "the worker running it stopped" in job.message
    assert Person.objects.filter(coalition=coalition).count() == 2


def test_a_live_import_is_left_alone(coalition, django_capture_on_commit_callbacks):
    # given an import that gave a sign of life a minute ago
    job = stuck_job(coalition, minutes=1)
    # when the sweeper runs
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = importing.sweep_stuck_imports()
    # then nothing changed
    assert (result.restarted, result.failed, callbacks) == ([], [], [])
    fresh = ImportJob.objects.get(pk=job.pk)
    assert (fresh.status, fresh.attempts, fresh.heartbeat_at) == (
        job.status,
        job.attempts,
        job.heartbeat_at,
    )


def test_a_large_file_gets_longer_before_it_counts_as_stuck(coalition):
    # SQLite saves no progress while it writes (about a minute a million rows): more time to live
    now = timezone.now()
    six_minutes_ago = now - dt.timedelta(minutes=6)
    small = ImportJob(status=ImportJob.Status.IMPORTING, heartbeat_at=six_minutes_ago, rows_total=2)
    large = ImportJob(
        status=ImportJob.Status.IMPORTING, heartbeat_at=six_minutes_ago, rows_total=1_000_000
    )
    assert (importing.heartbeat_is_fresh(small, now), importing.heartbeat_is_fresh(large, now)) == (
        False,
        True,
    )


def test_an_import_stuck_too_often_fails_with_a_message(coalition):
    # given an import already run MAX_RUNS - 1 times, stuck again
    job = stuck_job(coalition, attempts=importing.MAX_RUNS - 1)
    # when the sweeper runs
    result = importing.sweep_stuck_imports()
    # then it failed, says why and what to do, and its file is gone
    assert (result.restarted, result.failed) == ([], [job.pk])
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.message == (
        "The import stopped 3 times (its worker was stopped or ran out of memory) and changed "
        "nothing. Import the file from the command line (cairn import-people) or split it."
    )
    assert (job.file.name, job.finished_at is not None) == ("", True)
    assert Person.objects.count() == 0


def test_a_superseded_run_that_wakes_up_writes_nothing(
    coalition, django_capture_on_commit_callbacks
):
    # given a stuck import that the sweeper restarted (its new run not started yet)
    job = stuck_job(coalition)
    with django_capture_on_commit_callbacks(execute=False):
        importing.sweep_stuck_imports()
    # when the old run (attempt 0) comes back to life
    importing.run_import(job.pk, attempt=0)
    # then it did nothing: the new run owns the job
    job.refresh_from_db()
    assert (job.status, job.attempts, job.rows_created) == (ImportJob.Status.VALIDATING, 1, 0)
    assert Person.objects.count() == 0
    # and an old run that was already past validation cannot write either
    job.status = ImportJob.Status.IMPORTING
    job.attempts = 0  # what the old run believes
    with pytest.raises(importing._Superseded):
        importing.write_rows(job, set())
    assert Person.objects.count() == 0


def test_the_progress_page_and_the_command_find_stuck_imports(
    client, coalition, steward, django_capture_on_commit_callbacks
):
    job = stuck_job(coalition)
    client.force_login(steward.user)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.get(reverse("people_import:progress", args=[coalition.slug, job.pk]))
    assert response.status_code == 200
    assert "the worker running it stopped" in response.content.decode()
    assert ImportJob.objects.get(pk=job.pk).attempts == 1
    # the command line finds the next one
    other = stuck_job(coalition)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=False):
        call_command("sweep_imports", stdout=out)
    assert out.getvalue() == "Stuck imports: 1 restarted, 0 failed.\n"
    assert ImportJob.objects.get(pk=other.pk).attempts == 1
