"""Background work of the supporter CRM, enqueued on commit and safe to retry."""

from __future__ import annotations

from django_tasks import task


@task()
def run_import_task(job_id: int) -> str:
    """Validate and import a CSV file; a second delivery of the same job does nothing."""
    from .importing import run_import

    return str(run_import(job_id).status)
