"""Background work of the supporter CRM, enqueued on commit and safe to retry."""

from __future__ import annotations

from django_tasks import task


@task()
def run_import_task(job_id: int, attempt: int = 0) -> str:
    """Validate and import a CSV file; a second delivery of the same job (or a delivery for a run
    that the sweeper replaced) does nothing. Each run first looks for stuck imports."""
    from .importing import run_import, sweep_stuck_imports

    sweep_stuck_imports()
    return str(run_import(job_id, attempt=attempt).status)
