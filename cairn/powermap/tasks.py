"""Background work of the power map, enqueued on commit and safe to retry."""

from __future__ import annotations

from django_tasks import task


@task()
def recompute_figures_task(coalition_id: int) -> str:
    """Recompute a coalition's graph figures; a repeated delivery only computes them again."""
    from cairn.coalitions.models import Coalition

    from .analysis import recompute_figures

    coalition = Coalition.objects.filter(pk=coalition_id).first()
    if coalition is None:
        return "gone"
    run = recompute_figures(coalition)
    return f"{run.status}: {run.node_count} nodes, {run.edge_count} edges in {run.duration_ms} ms"
