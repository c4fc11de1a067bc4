"""CSV import through the web: upload → mapping with preview → review errors → import, inline for
small files and through the task queue with an htmx progress bar for large ones; who may import."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cairn.coalitions.models import Role
from cairn.people import import_views
from cairn.people.models import EmailAddress, ImportJob, Person

from .test_importing import GOOD, counts, csv_bytes

BAD = "nope,Bad,,,,,,,"


def csv_file(data: bytes, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def mapping_post(job: ImportJob, **extra: str) -> dict[str, str]:
    """The mapping form as the page first shows it (the suggested mapping), submitted."""
    data = {f"col_{i}": job.mapping.get(column, "") for i, column in enumerate(job.header)}
    return {**data, **extra}


def test_upload_map_preview_review_skip_and_import(client, coalition, steward, membership_factory):
    org = membership_factory(coalition, name="Harbor House")
    client.force_login(steward.user)
    slug = coalition.slug
    before = counts()
    # when a file with a bad row is uploaded
    response = client.post(
        reverse("people_import:upload", args=[slug]),
        {"file": csv_file(csv_bytes(GOOD, BAD)), "encoding": "", "source": org.pk},
    )
    # then the mapping page follows, with the suggested mapping and the first rows
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("people_import:mapping", args=[slug, job.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'value="email" selected' in page
    assert "ana@example.org" in page
    assert "is not an email" in page  # the preview flags line 3 already
    # when the user confirms the mapping and imports
    response = client.post(
        reverse("people_import:mapping", args=[slug, job.pk]), mapping_post(job, **{"import": "1"})
    )
    # then the review page lists the error by line, column and reason, and nothing is written
    assert response["Location"] == reverse("people_import:job", args=[slug, job.pk])
    review = client.get(response["Location"]).content.decode()
    assert "has errors" in review
    assert '<td class="num">3</td><td>Email Address</td><td>&#x27;nope&#x27; is not an email' in (
        review
    )
    assert "Nothing was imported." in review
    assert counts() == before
    # when they choose to skip the bad rows
    response = client.post(reverse("people_import:skip", args=[slug, job.pk]))
    # then the good row is imported and the summary says so
    done = client.get(response["Location"]).content.decode()
    assert '<dd class="stat__value" data-testid="created">1</dd>' in done
    assert '<dd class="stat__value" data-testid="skipped">1</dd>' in done
    person = EmailAddress.objects.get(canonical="ana@example.org").person
    assert person.source_membership == org
    assert Person.objects.count() == 1


def test_a_large_file_runs_in_the_task_queue_with_a_polled_progress_bar(
    client, coalition, steward, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(import_views, "INLINE_MAX_BYTES", 0)  # every file counts as large
    client.force_login(steward.user)
    slug = coalition.slug
    client.post(reverse("people_import:upload", args=[slug]), {"file": csv_file(csv_bytes(GOOD))})
    job = ImportJob.objects.get()
    # when the import starts, the task is queued on commit (not run yet)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(
            reverse("people_import:mapping", args=[slug, job.pk]),
            mapping_post(job, **{"import": "1"}),
        )
    assert len(callbacks) == 1
    # then the job page shows a progress bar that htmx polls
    progress_url = reverse("people_import:progress", args=[slug, job.pk])
    page = client.get(reverse("people_import:job", args=[slug, job.pk])).content.decode()
    assert f'hx-get="{progress_url}" hx-trigger="every 1s"' in page
    fragment = client.get(progress_url).content.decode()
    assert "Checking every row" in fragment
    assert "hx-trigger" in fragment
    # when the worker runs the task
    callbacks[0]()
    # then the fragment shows the outcome and stops polling
    fragment = client.get(progress_url).content.decode()
    assert "Done: 1 created, 0 updated, 0 skipped." in fragment
    assert "hx-trigger" not in fragment
    assert Person.objects.count() == 1


def test_a_mapping_without_email_or_phone_is_refused_on_the_page(client, coalition, steward):
    client.force_login(steward.user)
    slug = coalition.slug
    client.post(reverse("people_import:upload", args=[slug]), {"file": csv_file(csv_bytes(GOOD))})
    job = ImportJob.objects.get()
    data = mapping_post(job, **{"import": "1", "col_0": "", "col_3": ""})
    response = client.post(reverse("people_import:mapping", args=[slug, job.pk]), data)
    assert response.status_code == 422
    assert "Missing required column" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UPLOADED
    assert Person.objects.count() == 0


def test_an_unreadable_upload_is_refused_with_its_reason(client, coalition, steward):
    client.force_login(steward.user)
    response = client.post(
        reverse("people_import:upload", args=[coalition.slug]),
        {"file": csv_file("email\nana@example.org\n".encode("utf-16"))},
    )
    assert response.status_code == 422
    assert "This file is UTF-16" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_viewers_may_not_import(client, coalition, staff_factory):
    viewer = staff_factory(coalition, Role.VIEWER)
    client.force_login(viewer.user)
    url = reverse("people_import:upload", args=[coalition.slug])
    assert client.get(url).status_code == 403
    assert client.post(url, {"file": csv_file(csv_bytes(GOOD))}).status_code == 403
    assert not ImportJob.objects.exists()


def test_an_organizer_imports_for_their_own_organization_and_sees_only_its_imports(
    client, coalition, steward, staff_factory, membership_factory
):
    # given an organizer of one organization, and a steward's import from another
    own, other = membership_factory(coalition), membership_factory(coalition)
    organizer = staff_factory(coalition, Role.ORGANIZER, membership=own)
    client.force_login(steward.user)
    url = reverse("people_import:upload", args=[coalition.slug])
    client.post(url, {"file": csv_file(csv_bytes(GOOD)), "source": other.pk})
    stewards_job = ImportJob.objects.get()
    # when the organizer tries to upload on behalf of the other organization
    client.force_login(organizer.user)
    response = client.post(url, {"file": csv_file(csv_bytes(GOOD)), "source": other.pk})
    # then the form refuses; with their own organization it works
    assert response.status_code == 422
    response = client.post(url, {"file": csv_file(csv_bytes(GOOD)), "source": own.pk})
    assert response.status_code == 302
    assert ImportJob.objects.exclude(pk=stewards_job.pk).get().source_membership == own
    # and the steward's import is not theirs to see
    job_url = reverse("people_import:job", args=[coalition.slug, stewards_job.pk])
    assert client.get(job_url).status_code == 404
    cancel_url = reverse("people_import:cancel", args=[coalition.slug, stewards_job.pk])
    assert client.post(cancel_url).status_code == 404
    stewards_job.refresh_from_db()
    assert stewards_job.status == ImportJob.Status.UPLOADED


@pytest.mark.parametrize("name", ["upload", "job", "progress", "mapping"])
def test_import_pages_need_a_signed_in_staff_member(client, coalition, name):
    kwargs = {"slug": coalition.slug} | ({} if name == "upload" else {"job_id": 1})
    response = client.get(reverse(f"people_import:{name}", kwargs=kwargs))
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]
