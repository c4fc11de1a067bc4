"""Outreaches follow their supporter through a merge and lose their personal data in an erasure.

Merge: the merged person's outreaches and deliveries move to the kept person. Where the kept
person already has an outreach for the same campaign and action (the dedup rule: one per
supporter), the merged one's deliveries join the kept outreach when the kept person had none to
that target; a delivery that would repeat one of the kept person's (the office got two letters
from one human) stays counted, detached from any person, as does the emptied outreach (linked
to the kept one by `merged_into`, so that an erasure of the kept person reaches it).

Erasure: the rows stay (tallies, engagement counts and the campaign dashboard do not change);
the letter's text, subject, postal code, IP, referral code and call notes go, and the person
link is cut.
"""

from __future__ import annotations

from django.db.models import Q

from cairn.people.hooks import PersonHooks
from cairn.people.models import Person

from .models import Delivery, Outreach


def move_outreaches(kept: Person, merged: Person) -> int:
    moved = 0
    for outreach in Outreach.objects.filter(person=merged).order_by("pk"):
        twin = Outreach.objects.filter(
            advocacy_campaign_id=outreach.advocacy_campaign_id,
            person=kept,
            action=outreach.action,
        ).first()
        if twin is None:
            outreach.person = kept
            outreach.save(update_fields=["person"])
            moved += 1 + Delivery.objects.filter(outreach=outreach).update(person=kept)
            continue
        taken = set(
            Delivery.objects.filter(
                advocacy_campaign_id=outreach.advocacy_campaign_id,
                person=kept,
                action=outreach.action,
            ).values_list("target_id", flat=True)
        )
        moved += (
            Delivery.objects.filter(outreach=outreach)
            .exclude(target_id__in=taken)
            .update(outreach=twin, person=kept)
        )
        Delivery.objects.filter(outreach=outreach).update(person=None)
        outreach.person, outreach.merged_into = None, twin
        outreach.save(update_fields=["person", "merged_into"])
    return moved


def erase_outreaches(person: Person, canonical_emails: frozenset[str]) -> int:
    rows = Outreach.objects.for_coalition(person.coalition_id).filter(
        Q(person=person) | Q(merged_into__person=person)
    )
    ids = list(rows.values_list("pk", flat=True))
    Delivery.objects.filter(outreach_id__in=ids).update(person=None, call_notes="")
    return Outreach.objects.filter(pk__in=ids).update(
        person=None, subject="", body="", postal_code="", ip="", referrer=""
    )


HOOKS = PersonHooks(name="advocacy_outreaches", merge=move_outreaches, erase=erase_outreaches)
