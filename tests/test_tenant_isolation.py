"""Walk every URL of the app as a steward of another coalition: nothing of coalition B may be read
or changed. A new URL parameter fails this test until the walker knows what to put in it."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cairn.coalitions import services
from cairn.coalitions.models import (
    Coalition,
    Commitment,
    Delivery,
    Invitation,
    Membership,
    MembershipStatusChange,
    Organization,
    Role,
    StaffMember,
)
from cairn.people import services as people_services
from cairn.people.models import (
    Activity,
    EmailAddress,
    ListItem,
    PeopleList,
    Person,
    PhoneNumber,
    PostalAddress,
    SharingConsent,
    Tag,
    Tagging,
)

# Parameters whose URLs are capabilities or belong to no coalition: the walker leaves them alone.
CAPABILITY_PARAMS = {"token", "uidb64"}
# Namespaces outside the app: the Django admin is for site operators (is_staff) only.
SKIPPED_NAMESPACES = {"admin"}
SECRET = "Zebra Foundation"  # appears only in coalition B's data

POST_DATA = {
    "name": "Hijacked",
    "sector": "labor",
    "mission": "hijacked",
    "status": "left",
    "vote_weight": "9",
    "email": "intruder@example.org",
    "role": "steward",
    "quantity": "5",
    "delivered_on": str(timezone.localdate()),
    "kind": "funding",
    "description": "hijacked",
    "unit": "USD",
    "due_date": str(timezone.localdate()),
    "horizon_title": "hijacked",
    "horizon_start": "2026-01-01",
    "horizon_end": "2026-12-31",
    "charter": "hijacked",
}


def walk(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, set[str]]]:
    """(qualified URL name, parameter names) for every named URL, resolvers included."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            for name, params in walk(entry.url_patterns, inner):
                yield name, params | set(entry.pattern.converters)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", set(entry.pattern.converters)


def snapshot(coalition: Coalition) -> dict[str, list[dict[str, Any]]]:
    models: list[type[Any]] = [
        Organization,
        Membership,
        MembershipStatusChange,
        StaffMember,
        Invitation,
        Commitment,
        Delivery,
        Person,
        EmailAddress,
        PhoneNumber,
        PostalAddress,
        Tag,
        Tagging,
        PeopleList,
        ListItem,
        SharingConsent,
        Activity,
    ]
    rows = {
        m.__name__: [model_to_dict(r) for r in m.objects.for_coalition(coalition)] for m in models
    }
    rows["Coalition"] = [model_to_dict(Coalition.objects.get(pk=coalition.pk))]
    return rows


@pytest.fixture
def other_coalition(coalition_factory, membership_factory, staff_factory, commitment_factory):
    """Coalition B, with a row of every kind."""
    b = coalition_factory(name=f"{SECRET} Coalition", mission=f"{SECRET} mission")
    steward = staff_factory(b, Role.STEWARD)
    member = membership_factory(b, name=SECRET)
    organizer = staff_factory(b, Role.ORGANIZER, membership=member)
    commitment = commitment_factory(member, quantity=100, delivered=10)
    invitation = services.invite_staff(
        coalition=b,
        email="zebra@example.org",
        role=Role.VIEWER,
        invited_by=steward.user,
        site_url="http://testserver/",
    ).invitation
    zebra = people_services.upsert_person(
        coalition=b,
        data=people_services.PersonData(
            given_name=SECRET,
            emails=[people_services.EmailInput("zebra.person@example.org")],
            phones=[people_services.PhoneInput("+15550001111")],
            addresses=[people_services.AddressInput(postal_code="99999")],
        ),
        source_membership=member,
    ).person
    twin = people_services.upsert_person(
        coalition=b,
        data=people_services.PersonData(
            given_name=SECRET, emails=[people_services.EmailInput("zebra.twin@example.org")]
        ),
    ).person
    tag, _ = people_services.create_tag(coalition=b, name=f"{SECRET} tag")
    people_services.tag_person(tag=tag, person=zebra)
    people_list = people_services.create_list(coalition=b, name=f"{SECRET} list")
    people_services.add_to_list(people_list=people_list, person=zebra)
    people_services.record_activity(person=zebra, kind="note", summary=f"{SECRET} activity")
    POST_DATA.update(keep=str(zebra.uuid), merge=str(twin.uuid), confirm=str(zebra.uuid))
    return {
        "coalition": b,
        "person_id": zebra.uuid,
        "email_id": zebra.emails.get().pk,
        "tag_id": tag.uuid,
        "list_id": people_list.uuid,
        "member_id": member.pk,
        "organization_id": member.organization_id,
        "commitment_id": commitment.pk,
        "invitation_id": invitation.pk,
        "staff_id": organizer.pk,
        "delivery": Delivery.objects.get(commitment=commitment),
    }


def test_a_steward_of_another_coalition_reads_and_changes_nothing(
    client, coalition, steward, other_coalition
):
    # given a steward of coalition A, signed in, and coalition B with data of every kind
    mine = coalition
    theirs = other_coalition["coalition"]
    before = snapshot(theirs)
    checked: list[str] = []
    # when they request every URL of the app, with B's slug or their own and B's ids
    for name, params in sorted(walk(get_resolver().url_patterns)):
        if name.split(":")[0] in SKIPPED_NAMESPACES or params & CAPABILITY_PARAMS:
            continue
        unknown = params - {"slug"} - set(other_coalition)
        assert not unknown, f"{name}: teach the tenant walker about {unknown}"
        ids = {p: other_coalition[p] for p in params if p != "slug"}
        slugs = [theirs.slug, mine.slug] if "slug" in params else [None]
        for slug in slugs:
            kwargs = {**ids, **({"slug": slug} if slug else {})}
            url = reverse(name, kwargs=kwargs)
            for method in ("get", "post"):
                client.force_login(steward.user)  # a walked logout URL must not end the walk
                response = getattr(client, method)(url, POST_DATA)
                body = response.content.decode(errors="replace")
                # then B's data never shows up ...
                assert SECRET not in body, f"{method.upper()} {url} shows coalition B's data"
                # ... and B's pages are not found (or refused), whichever slug was used
                if params - {"slug"} or slug == theirs.slug:
                    assert response.status_code in {403, 404, 405}, (
                        f"{method.upper()} {url} answered {response.status_code}"
                    )
                checked.append(f"{method.upper()} {url}")
    # then nothing of B changed, and the walk really covered the coalition pages
    assert snapshot(theirs) == before
    assert sum("/c/" in c for c in checked) >= 30


def test_the_walker_sees_every_coalition_page():
    names = {name for name, _ in walk(get_resolver().url_patterns)}
    assert {"coalitions:home", "coalitions:member", "coalitions:record_delivery"} <= names


def test_delivery_amounts_are_unchanged_by_the_walk(client, steward, other_coalition):
    # a narrower restatement of the snapshot check, for the money that matters most
    client.force_login(steward.user)
    url = reverse(
        "coalitions:record_delivery",
        kwargs={"slug": steward.coalition.slug, "commitment_id": other_coalition["commitment_id"]},
    )
    response = client.post(url, {"quantity": "5", "delivered_on": str(timezone.localdate())})
    assert response.status_code == 404
    assert list(Delivery.objects.values_list("quantity", flat=True)) == [Decimal("10.00")]
