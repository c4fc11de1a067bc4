import pytest
from django.apps import apps
from django.db import models

from cairn.coalitions.models import Role
from cairn.people import selectors, services
from cairn.people.models import (
    Activity,
    EmailAddress,
    ErasureRecord,
    ListItem,
    Person,
    SharingConsent,
    SubscriptionChange,
    Tagging,
)
from cairn.people.services import AddressInput, EmailInput, PeopleError, PersonData, PhoneInput


def add(coalition, email="ana@example.org", **kwargs):
    data = PersonData(emails=[EmailInput(email)] if email else [], **kwargs)
    return services.upsert_person(coalition=coalition, data=data)


def test_a_new_person_is_created_with_one_timestamp(coalition):
    # when
    result = add(coalition, given_name="Ana", phones=[PhoneInput("+1 555 010 0100")])
    # then
    person = result.person
    assert result.created
    assert person.created_at == person.modified_at
    assert [(e.address, e.primary, e.status) for e in person.emails.all()] == [
        ("ana@example.org", True, "subscribed")
    ]
    assert [(p.number, p.as_typed) for p in person.phones.all()] == [
        ("+15550100100", "+1 555 010 0100")
    ]
    assert SubscriptionChange.objects.filter(email__person=person).count() == 1


def test_the_same_canonical_email_is_the_same_person(coalition, coalition_factory):
    # given
    first = add(coalition, email="a.na+news@gmail.com", given_name="Ana").person
    # when the same mailbox signs up again, differently spelled
    again = add(coalition, email="ANA@googlemail.com", family_name="Lopes")
    # then it is the same person, with the new detail merged in
    assert not again.created
    assert again.person.pk == first.pk
    assert (again.person.given_name, again.person.family_name) == ("Ana", "Lopes")
    assert EmailAddress.objects.filter(coalition=coalition).count() == 1
    # while another coalition keeps its own record of the same address
    other = add(coalition_factory(), email="ana@gmail.com")
    assert other.created


def test_a_phone_identifies_a_person_without_email(coalition):
    first = add(coalition, phones=[PhoneInput("+1 (555) 010-0100")])
    again = add(coalition, email="", phones=[PhoneInput("+15550100100")], given_name="Bo")
    assert again.person.pk == first.person.pk
    assert again.person.given_name == "Bo"


def test_a_person_needs_an_email_or_a_phone(coalition):
    with pytest.raises(PeopleError):
        add(coalition, email="")
    assert Person.objects.count() == 0


def test_update_merges_and_nothing_given_changes_nothing(coalition):
    # given
    person = add(coalition, custom_fields={"ward": "3"}, languages=["en"]).person
    before = person.modified_at
    # when nothing is given
    services.update_person(person=person, data=PersonData())
    person.refresh_from_db()
    # then nothing changed, not even the modified date
    assert person.modified_at == before
    # when custom fields and languages are given
    services.update_person(
        person=person, data=PersonData(custom_fields={"role": "nurse"}, languages=["es"])
    )
    person.refresh_from_db()
    assert person.custom_fields == {"ward": "3", "role": "nurse"}
    assert person.languages == ["en", "es"]
    assert person.modified_at > before


def test_add_tags_applies_known_tags_and_ignores_unknown(coalition):
    services.create_tag(coalition=coalition, name="Volunteer")
    person = services.upsert_person(
        coalition=coalition,
        data=PersonData(emails=[EmailInput("ana@example.org")]),
        add_tags=["volunteer", "no-such-tag"],
    ).person
    assert [t.tag.name for t in person.taggings.all()] == ["Volunteer"]


def test_tags_and_list_items_are_unique(coalition):
    person = add(coalition).person
    tag, created = services.create_tag(coalition=coalition, name="Donor")
    again, created_again = services.create_tag(coalition=coalition, name="donor")
    assert (created, created_again, again.pk) == (True, False, tag.pk)
    services.tag_person(tag=tag, person=person)
    _, tagged_again = services.tag_person(tag=tag, person=person)
    assert not tagged_again
    people_list = services.create_list(coalition=coalition, name="Callers")
    services.add_to_list(people_list=people_list, person=person)
    _, listed_again = services.add_to_list(people_list=people_list, person=person)
    assert not listed_again
    with pytest.raises(PeopleError, match="exists already"):
        services.create_list(coalition=coalition, name="CALLERS")


def test_unsubscribing_is_logged(coalition):
    person = add(coalition).person
    email = person.emails.get()
    services.set_email_status(email=email, status="unsubscribed", source="email link")
    history = list(SubscriptionChange.objects.filter(email=email).order_by("pk"))
    assert [(h.from_status, h.to_status, h.source) for h in history] == [
        ("", "subscribed", ""),
        ("subscribed", "unsubscribed", "email link"),
    ]


def test_merge_keeps_everything(coalition, membership_factory):
    # given two records of one supporter, each with its own history
    org = membership_factory(coalition)
    keep = add(coalition, email="ana@example.org", given_name="Ana").person
    other = add(
        coalition,
        email="ana.work@example.org",
        family_name="Lopes",
        phones=[PhoneInput("+15550100100")],
        addresses=[AddressInput(postal_code="02139")],
        custom_fields={"employer": "Harbor House"},
    ).person
    both, only_other = (services.create_tag(coalition=coalition, name=n)[0] for n in ("a", "b"))
    for tag in (both,):
        services.tag_person(tag=tag, person=keep)
    for tag in (both, only_other):
        services.tag_person(tag=tag, person=other)
    people_list = services.create_list(coalition=coalition, name="Callers")
    services.add_to_list(people_list=people_list, person=other)
    services.grant_sharing(person=other, membership=org)
    services.record_activity(person=other, kind="signature", summary="Signed the bed petition")
    # when
    kept = services.merge_people(keep=keep, merge=other)
    # then
    assert not Person.objects.filter(pk=other.pk).exists()
    assert (kept.given_name, kept.family_name) == ("Ana", "Lopes")
    assert sorted(e.address for e in kept.emails.all()) == [
        "ana.work@example.org",
        "ana@example.org",
    ]
    assert kept.emails.filter(primary=True).count() == 1
    assert [p.number for p in kept.phones.all()] == ["+15550100100"]
    assert [a.postal_code for a in kept.addresses.all()] == ["02139"]
    assert sorted(t.tag.name for t in kept.taggings.all()) == ["a", "b"]
    assert ListItem.objects.filter(person=kept).count() == 1
    assert SharingConsent.objects.filter(person=kept, membership=org).count() == 1
    assert kept.custom_fields == {"employer": "Harbor House"}
    assert list(Activity.objects.filter(person=kept).values_list("kind", flat=True)) == [
        "merge",
        "signature",
    ]


def personal_values(person_uuid, strings):
    """Every text value in every table of the project that contains one of `strings`."""
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in {"people", "coalitions", "accounts"}:
            continue
        text_fields = [
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        for row in model._default_manager.values(*text_fields):
            for value in row.values():
                if any(s in str(value) for s in strings):
                    found.append((model.__name__, value))
    return found


def test_erasure_leaves_no_personal_data_anywhere(coalition, membership_factory, steward):
    # given a supporter with data in every people table
    org = membership_factory(coalition)
    person = add(
        coalition,
        email="erase.me@example.org",
        given_name="Erasmus",
        family_name="Gone",
        phones=[PhoneInput("+15559998888")],
        addresses=[AddressInput(address_lines=("1 Secret Lane",), postal_code="04101")],
        custom_fields={"note": "Erasmus likes trains"},
    ).person
    tag, _ = services.create_tag(coalition=coalition, name="keep-this-tag")
    services.tag_person(tag=tag, person=person)
    services.add_to_list(
        people_list=services.create_list(coalition=coalition, name="L"), person=person
    )
    services.grant_sharing(person=person, membership=org)
    services.record_activity(person=person, kind="note", summary="Erasmus called")
    secrets = ["erase.me", "Erasmus", "Gone", "5559998888", "Secret Lane", "04101"]
    assert personal_values(person.uuid, secrets)
    # when
    record = services.erase_person(person=person, erased_by=steward.user)
    # then nothing of theirs remains, the tag (an aggregate) stays, the erasure is logged
    assert personal_values(person.uuid, secrets) == []
    assert Tagging.objects.count() == 0
    assert tag.taggings.count() == 0
    assert ErasureRecord.objects.get() == record
    assert record.removed["emails"] == 1
    assert record.removed["activities"] == 1


def test_organizers_see_only_people_who_share_with_their_organization(
    coalition, membership_factory, staff_factory, steward
):
    # given two supporters, one sharing with the organizer's organization
    org, other_org = membership_factory(coalition), membership_factory(coalition)
    organizer = staff_factory(coalition, Role.ORGANIZER, membership=org)
    sharing = add(coalition, email="shares@example.org").person
    services.grant_sharing(person=sharing, membership=org)
    add(coalition, email="private@example.org")
    elsewhere = add(coalition, email="elsewhere@example.org").person
    services.grant_sharing(person=elsewhere, membership=other_org)
    # then
    visible = selectors.visible_people(coalition=coalition, staff=organizer)
    assert list(visible) == [sharing]
    assert selectors.visible_people(coalition=coalition, staff=steward).count() == 3
    assert selectors.visible_people(coalition=coalition, staff=None).count() == 0


def test_a_new_person_tagged_on_signup_has_one_timestamp(coalition, monkeypatch):
    # given a clock that moves a second at every reading, and a tag
    import datetime as dt

    from django.utils import timezone

    services.create_tag(coalition=coalition, name="Volunteer")
    start = timezone.now()
    ticks = iter(range(1000))
    monkeypatch.setattr(timezone, "now", lambda: start + dt.timedelta(seconds=next(ticks)))
    # when a new person is signed up with the tag
    person = services.upsert_person(
        coalition=coalition,
        data=PersonData(emails=[EmailInput("new@example.org")]),
        add_tags=["volunteer"],
    ).person
    # then the tag is applied and clients see created == modified (Parsons calls it "updated" else)
    person.refresh_from_db()
    assert person.taggings.count() == 1
    assert person.created_at == person.modified_at
    # and tagging a known person later does move modified
    services.upsert_person(
        coalition=coalition,
        data=PersonData(emails=[EmailInput("new@example.org")]),
        add_tags=["volunteer", "other"],
    )
    other, _ = services.create_tag(coalition=coalition, name="Other")
    services.tag_person(tag=other, person=person)
    person.refresh_from_db()
    assert person.modified_at > person.created_at
