"""What budgets plugs into: governance's authorizable kinds (a decision adopts a participatory
budgeting round's result, or allocates a budget line directly) and the people app's hooks (a
supporter's ballot follows a merge; an erasure detaches the ballot from the person, whose
approvals still count in a round already counted)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from cairn.people.hooks import PersonHooks, register
from cairn.people.models import Person

from .models import Ballot, BudgetLine, Round


def merge_ballots(kept: Person, merged: Person) -> int:
    """The merged person's ballots become the kept person's, unless the kept person voted in that
    round too (their own ballot stands; the other is removed, so a person counts once)."""
    moved = 0
    theirs = Ballot.objects.filter(person=merged)
    kept_rounds = set(Ballot.objects.filter(person=kept).values_list("round_id", flat=True))
    for ballot in theirs:
        if ballot.round_id in kept_rounds:
            ballot.delete()
            continue
        ballot.person = kept
        ballot.voter_key = f"p{kept.pk}"
        ballot.save(update_fields=["person", "voter_key"])
        moved += 1
    return moved


def erase_ballots(person: Person, emails: frozenset[str]) -> int:
    return Ballot.objects.filter(person=person).update(person=None)


def register_all() -> None:
    from cairn.governance import authorizable

    authorizable.register(
        authorizable.Kind(
            label="Participatory budget (adopt its result)",
            model=Round,
            # Rounds whose ballots are closed and await a decision (or were adopted).
            choices=lambda c: (
                Round.objects.for_coalition(c)
                .filter(status__in=[Round.Status.CLOSED, Round.Status.ADOPTED])
                .order_by("-pk")
            ),
            url=lambda slug, row: reverse("budgets:round", args=[slug, row.pk]),
        )
    )
    authorizable.register(
        authorizable.Kind(
            label="Budget line (allocate its cost)",
            model=BudgetLine,
            # Lines outside any round that await an allocation (or have one).
            choices=lambda c: (
                BudgetLine.objects.for_coalition(c)
                .filter(round__isnull=True)
                .filter(
                    Q(status=BudgetLine.Status.PROPOSED) | Q(status=BudgetLine.Status.ALLOCATED)
                )
                .order_by("-pk")
            ),
            url=lambda slug, row: reverse("budgets:line", args=[slug, row.pk]),
        )
    )
    register(PersonHooks(name="budget_ballots", merge=merge_ballots, erase=erase_ballots))
