"""Signatures follow their signer through a merge and lose their personal data in an erasure.

A signature may exist before its signer is a person (it becomes one on confirmation), so an erasure
also finds the coalition's signatures by the person's canonical emails. The signature row stays, so
counts, thresholds and regional totals (country, postal area) do not change; the name, email, postal
code, comment and IP go, and the confirmation and unsubscribe links stop working.
"""

from __future__ import annotations

from django.db.models import Q

from cairn.people.hooks import PersonHooks
from cairn.people.models import Person

from .models import Signature, new_nonce

ERASED_NAME = "(erased)"


def move_signatures(kept: Person, merged: Person) -> int:
    return Signature.objects.filter(person=merged).update(person=kept)


def erase_signatures(person: Person, canonical_emails: frozenset[str]) -> int:
    rows = Signature.objects.for_coalition(person.coalition_id).filter(
        Q(person=person) | Q(canonical_email__in=canonical_emails)
    )
    erased = 0
    for signature in rows.only("pk"):
        signature.name = ERASED_NAME
        signature.email = ""
        signature.canonical_email = f"erased-{signature.pk}"  # keeps (petition, email) unique
        signature.email_domain = ""
        signature.postal_code = ""
        signature.comment = ""
        signature.ip = ""
        signature.person = None
        signature.consent_updates = False
        signature.consent_share = False
        signature.nonce = new_nonce()
        signature.save(
            update_fields=[
                "name",
                "email",
                "canonical_email",
                "email_domain",
                "postal_code",
                "comment",
                "ip",
                "person",
                "consent_updates",
                "consent_share",
                "nonce",
            ]
        )
        erased += 1
    return erased


HOOKS = PersonHooks(name="petition_signatures", merge=move_signatures, erase=erase_signatures)
