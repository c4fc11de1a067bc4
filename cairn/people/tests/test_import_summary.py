"""The import summary counts problems and the rows that have them, each pluralized."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cairn.people.import_views import problems_summary
from cairn.people.models import ImportJob

from .test_importing import GOOD, csv_bytes

TWO_ERRORS = "nope,Bad,,,,,,Usa,"  # not an email, not a country code
ONE_ERROR = "nope,Bad,,,,,,,"
OTHER_GOOD = "bea@example.org,Bea,Silva,,Springfield,IL,62701,us,"


def review_page(client, steward, *rows):
    slug = steward.coalition.slug
    client.force_login(steward.user)
    client.post(
        reverse("people_import:upload", args=[slug]),
        {"file": SimpleUploadedFile("people.csv", csv_bytes(*rows), content_type="text/csv")},
    )
    job = ImportJob.objects.get()
    data = {f"col_{i}": job.mapping.get(column, "") for i, column in enumerate(job.header)}
    client.post(reverse("people_import:mapping", args=[slug, job.pk]), {**data, "import": "1"})
    return client.get(reverse("people_import:job", args=[slug, job.pk])).content.decode()


def test_five_problems_in_three_rows(client, steward):
    # given a file of five rows: one good, two with two errors each, one with one error
    page = review_page(client, steward, GOOD, TWO_ERRORS, TWO_ERRORS, ONE_ERROR, OTHER_GOOD)
    # then the review counts the problems and the rows that have them, of all the rows
    assert '<span data-testid="problems">5 problems in 3 rows</span> of 5.' in page
    assert "Skip 3 bad rows and import the rest" in page
    job = ImportJob.objects.get()
    assert (job.error_count, job.rows_with_errors) == (5, 3)


def test_one_problem_in_one_row(client, steward):
    page = review_page(client, steward, GOOD, ONE_ERROR)
    assert '<span data-testid="problems">1 problem in 1 row</span> of 2.' in page
    assert "Skip 1 bad row and import the rest" in page


@pytest.mark.parametrize(
    ("errors", "error_count", "rows_with_errors", "expected"),
    [
        ([], 2, 1, "2 problems in 1 row"),
        ([], 1_234, 1_001, "1,234 problems in 1,001 rows"),
        # a job validated before rows were counted: the stored errors' lines tell
        ([{"line": 3}, {"line": 3}, {"line": 7}], 3, 0, "3 problems in 2 rows"),
    ],
)
def test_the_summary_text(errors, error_count, rows_with_errors, expected):
    job = ImportJob(errors=errors, error_count=error_count, rows_with_errors=rows_with_errors)
    assert problems_summary(job) == expected
