"""What the narrative app plugs into: governance's authorizable kinds (a decision adopts a
framework version) and, from `cairn.narrative.outcomes`, the campaign dashboard's engagement
sources (signatures and supporters brought through content links)."""

from __future__ import annotations

from django.urls import reverse


def register_all() -> None:
    from cairn.governance import authorizable

    from .models import FrameworkVersion

    authorizable.register(
        authorizable.Kind(
            label="Narrative framework version",
            model=FrameworkVersion,
            # Only versions put forward for adoption (or already adopted) may be linked.
            choices=lambda c: (
                FrameworkVersion.objects.for_coalition(c)
                .filter(
                    status__in=[FrameworkVersion.Status.PROPOSED, FrameworkVersion.Status.ADOPTED]
                )
                .select_related("framework")
                .order_by("-pk")
            ),
            url=lambda slug, row: reverse(
                "narrative:version",
                args=[slug, row.framework_id, row.number],  # type: ignore[attr-defined]
            ),
        )
    )
    from . import outcomes

    outcomes.register_sources()
