"""Donations and monthly gifts follow their donor through a merge and lose their personal data
in an erasure. The rows and their amounts stay (the ledger and the thermometer must not change);
the person link, email, wall name and the donor-wall opt-in go."""

from __future__ import annotations

from cairn.people.hooks import PersonHooks
from cairn.people.models import Person

from .models import Donation, RecurringGift


def move_donations(kept: Person, merged: Person) -> int:
    moved = Donation.objects.filter(person=merged).update(person=kept)
    return moved + RecurringGift.objects.filter(person=merged).update(person=kept)


def erase_donations(person: Person, canonical_emails: frozenset[str]) -> int:
    erased = (
        Donation.objects.for_coalition(person.coalition_id)
        .filter(person=person)
        .update(person=None, email="", wall_name="", show_on_wall=False)
    )
    return erased + RecurringGift.objects.for_coalition(person.coalition_id).filter(
        person=person
    ).update(person=None, email="")


HOOKS = PersonHooks(name="donations", merge=move_donations, erase=erase_donations)
