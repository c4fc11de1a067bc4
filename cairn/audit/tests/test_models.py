"""A coalition with audits can be deleted (its thresholds versions go with it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from cairn.audit import services
from cairn.audit.models import Audit, ThresholdVersion
from cairn.coalitions.models import Coalition
from cairn.engines.audit import Thresholds


def half(query: str, docs: Sequence[str]) -> list[float]:
    return [0.5] * len(docs)


@pytest.mark.django_db
def test_a_coalition_with_audits_can_be_deleted(
    coalition: Coalition, membership_factory: Callable[..., Any]
) -> None:
    membership_factory(coalition)
    services.save_thresholds(coalition=coalition, thresholds=Thresholds(), by=None)
    services.audit_partnerships(coalition=coalition, similarities=half)
    assert Audit.objects.get().thresholds_version is not None
    coalition.delete()
    assert not Audit.objects.exists()
    assert not ThresholdVersion.objects.exists()
