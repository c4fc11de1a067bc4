"""Use cases of the supporter CRM: the only code that writes its tables.

- find_match / upsert_person: one person per canonical email in a coalition; a record with an
  email is matched by email only, one without by phone (E.164) and only to a person of the same
  name; a match never renames a person (another name waits in a NameReview for a steward), is
  never duplicated, even when two requests race, and never merges two people.
- update_person: merges objects and lists (OSDI PUT): given fields replace, lists gain entries,
  custom fields merge key by key; nothing given, nothing changed.
- resolve_name_review: a steward keeps the stored name or uses the other one.
- create_tag / create_list: names are unique per coalition, case-insensitively; creating an
  existing name returns the existing row.
- tag_person / add_to_list: at most one tagging (list item) per person and tag (list).
- tag_people / add_people_to_list: all or none, and only people the acting staff member may see.
- set_email_status: every change of subscription status is logged with its source.
- grant_sharing / revoke_sharing: at most one consent per person and member organization.
- record_activity: the timeline only grows (merges move it, erasure removes it).
- merge_people: everything of the merged person moves to the kept one; nothing is lost.
- erase_person: no personal data of the person remains in any table; the erasure is logged
  with row counts only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from cairn.accounts.models import User
from cairn.coalitions.models import Coalition, Membership, StaffMember
from cairn.engines.emails import canonical_email, normalize_email
from cairn.engines.phones import PhoneError, to_e164

from . import selectors
from .hooks import registered as registered_hooks
from .models import (
    Activity,
    EmailAddress,
    ErasureRecord,
    ListItem,
    NameReview,
    PeopleList,
    Person,
    PhoneNumber,
    PostalAddress,
    SharingConsent,
    SubscriptionChange,
    Tag,
    Tagging,
)


class PeopleError(Exception):
    """A use case refused: the message is safe to show."""


@dataclass(frozen=True, slots=True)
class EmailInput:
    address: str
    primary: bool = False
    status: str | None = None


@dataclass(frozen=True, slots=True)
class PhoneInput:
    number: str
    primary: bool = False
    number_type: str = ""


@dataclass(frozen=True, slots=True)
class AddressInput:
    primary: bool = False
    address_lines: tuple[str, ...] = ()
    locality: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""


@dataclass(frozen=True, slots=True)
class PersonData:
    """What a caller knows about a person. None means "not given": it changes nothing."""

    given_name: str | None = None
    family_name: str | None = None
    emails: Sequence[EmailInput] = ()
    phones: Sequence[PhoneInput] = ()
    addresses: Sequence[AddressInput] = ()
    languages: Sequence[str] | None = None
    custom_fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class UpsertResult:
    person: Person
    created: bool


class PhoneNumberError(PeopleError):
    """A phone number that cannot be read: the message names it and says why."""


@dataclass(frozen=True, slots=True)
class _Phone:
    key: str  # E.164, the match key
    typed: str  # as written, for display
    number_type: str


def phone_key(number: str, *, region: str = "") -> str:
    """The E.164 key of a number read in `region` (the coalition's default_region)."""
    try:
        return to_e164(number, region)
    except PhoneError as error:
        raise PhoneNumberError(f"The phone number {error}.") from error


def _phones(data: PersonData, region: str) -> list[_Phone]:
    return [
        _Phone(
            key=phone_key(phone.number, region=region),
            typed=phone.number.strip()[:64],
            number_type=phone.number_type,
        )
        for phone in data.phones
        if phone.number.strip()
    ]


def _name_part(value: str | None) -> str:
    return " ".join((value or "").split()).casefold()


def names_differ(person: Person, given_name: str | None, family_name: str | None) -> bool:
    """True when a record names someone other than `person`: a given part differs from a stored,
    non-empty one (case and spacing aside). Filling an empty part is no difference."""
    given, family = _name_part(given_name), _name_part(family_name)
    stored_given, stored_family = _name_part(person.given_name), _name_part(person.family_name)
    if f"{given} {family}".strip() == f"{stored_given} {stored_family}".strip():
        return False
    return bool(
        (given and stored_given and given != stored_given)
        or (family and stored_family and family != stored_family)
    )


@dataclass(frozen=True, slots=True)
class Match:
    person: Person
    by: str  # "email" or "phone"


def find_match(
    *, coalition: Coalition, data: PersonData, phone_keys: Sequence[str] | None = None
) -> Match | None:
    """Action Network's rule, the one matcher of every intake path (form, API, petition, import):

    - a record that carries an email is matched by canonical email only (its phone is data);
    - a record without an email is matched by phone (E.164), and only to a person whose name does
      not differ from the record's: two people sharing a landline stay two people.
    """
    canonicals = [canonical_email(e.address) for e in data.emails if e.address.strip()]
    if canonicals:
        email = (
            EmailAddress.objects.for_coalition(coalition)
            .filter(canonical__in=canonicals)
            .select_related("person")
            .order_by("pk")
            .first()
        )
        return Match(person=email.person, by="email") if email is not None else None
    if phone_keys is None:
        phone_keys = [p.key for p in _phones(data, coalition.default_region)]
    if not phone_keys:
        return None
    candidates = (
        PhoneNumber.objects.for_coalition(coalition)
        .filter(number__in=phone_keys)
        .select_related("person")
        .order_by("pk")
    )
    for phone in candidates:
        if not names_differ(phone.person, data.given_name, data.family_name):
            return Match(person=phone.person, by="phone")
    return None


def find_person(*, coalition: Coalition, data: PersonData) -> Person | None:
    """The person these details identify (`find_match`), if any."""
    match = find_match(coalition=coalition, data=data)
    return match.person if match is not None else None


def upsert_person(
    *,
    coalition: Coalition,
    data: PersonData,
    source_membership: Membership | None = None,
    source_action: str = "",
    source_referral: str = "",
    add_tags: Iterable[str] = (),
    subscription_source: str = "",
) -> UpsertResult:
    """Find the person (`find_match`) and merge `data` into them without changing their name,
    or create them."""
    phones = _phones(data, coalition.default_region)
    if not any(e.address.strip() for e in data.emails) and not phones:
        raise PeopleError("A person needs an email address or a phone number.")
    keys = [p.key for p in phones]
    for attempt in range(2):
        try:
            with transaction.atomic():
                match = find_match(coalition=coalition, data=data, phone_keys=keys)
                created = match is None
                if match is None:
                    now = timezone.now()
                    person = Person.objects.create(
                        coalition=coalition,
                        given_name=(data.given_name or "").strip(),
                        family_name=(data.family_name or "").strip(),
                        languages=list(data.languages or []),
                        custom_fields=dict(data.custom_fields),
                        source_membership=source_membership,
                        source_action=source_action,
                        source_referral=source_referral,
                        created_at=now,
                        modified_at=now,  # one timestamp: clients compare the two
                    )
                    _add_details(person, data, subscription_source, phones, new=True)
                    if source_membership is not None:
                        grant_sharing(
                            person=person, membership=source_membership, source="brought in"
                        )
                else:
                    person = match.person
                    _merge_matched(
                        person,
                        data,
                        source=subscription_source,
                        phones=phones,
                        review_source=source_action or subscription_source,
                    )
                if add_tags:
                    # A new person's tags are part of its creation: one timestamp for both dates.
                    _tag_by_names(person, add_tags, touch_person=not created)
                return UpsertResult(person=person, created=created)
        except IntegrityError:
            # Another request created this email between our lookup and our insert: the
            # database refused the duplicate. The second attempt finds and updates that person.
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _add_details(
    person: Person, data: PersonData, source: str, phones: Sequence[_Phone], *, new: bool = False
) -> bool:
    """Attach the emails, phones and addresses that the person lacks; True if any was added."""
    changed = False
    has_primary_email = person.emails.filter(primary=True).exists()
    for email in data.emails:
        address = normalize_email(email.address)
        if not address:
            continue
        canonical = canonical_email(address)
        existing = EmailAddress.objects.filter(
            coalition_id=person.coalition_id, canonical=canonical
        ).first()
        if existing is not None:
            if existing.person_id != person.pk:
                if new:
                    # Another request created this email's person after our lookup and committed
                    # before our insert (PostgreSQL's read committed sees it now): undo this new
                    # person, so that upsert_person's second attempt matches that one instead of
                    # leaving a person without the email they gave.
                    raise IntegrityError("email created concurrently")
                continue  # belongs to someone else; a merge decides, not an update
            if email.status and email.status != existing.status:
                set_email_status(email=existing, status=email.status, source=source)
                changed = True
            continue
        status = email.status or EmailAddress.Status.SUBSCRIBED
        row = EmailAddress.objects.create(
            coalition_id=person.coalition_id,
            person=person,
            address=address,
            canonical=canonical,
            primary=not has_primary_email,
            status=status,
        )
        has_primary_email = True
        SubscriptionChange.objects.create(
            coalition_id=person.coalition_id, email=row, to_status=status, source=source
        )
        changed = True
    known_numbers = set(person.phones.values_list("number", flat=True))
    for phone in phones:
        if phone.key in known_numbers:
            continue
        PhoneNumber.objects.create(
            coalition_id=person.coalition_id,
            person=person,
            number=phone.key,
            as_typed=phone.typed,
            number_type=phone.number_type,
            primary=not known_numbers,
        )
        known_numbers.add(phone.key)
        changed = True
    known_addresses = {
        (a.postal_code, a.locality.lower(), tuple(a.address_lines)) for a in person.addresses.all()
    }
    for address_input in data.addresses:
        key = (
            address_input.postal_code.strip(),
            address_input.locality.strip().lower(),
            tuple(address_input.address_lines),
        )
        if not any(key[:2]) and not key[2] and not address_input.country:
            continue
        if key in known_addresses:
            continue
        PostalAddress.objects.create(
            coalition_id=person.coalition_id,
            person=person,
            primary=not known_addresses,
            address_lines=list(address_input.address_lines),
            locality=address_input.locality.strip(),
            region=address_input.region.strip(),
            postal_code=address_input.postal_code.strip(),
            country=address_input.country.strip().upper()[:2],
        )
        known_addresses.add(key)
        changed = True
    return changed


def _merge_into(
    person: Person,
    data: PersonData,
    *,
    source: str,
    phones: Sequence[_Phone],
    keep_names: bool,
) -> Person:
    """Merge `data` into the person; with `keep_names`, a name only fills an empty part."""
    fields: list[str] = []
    for name in ("given_name", "family_name"):
        value = getattr(data, name)
        if value is None or value.strip() == getattr(person, name):
            continue
        if keep_names and getattr(person, name):
            continue
        setattr(person, name, value.strip())
        fields.append(name)
    if data.languages is not None:
        languages = list(dict.fromkeys([*person.languages, *data.languages]))
        if languages != person.languages:
            person.languages = languages
            fields.append("languages")
    if data.custom_fields:
        merged = {**person.custom_fields, **data.custom_fields}
        if merged != person.custom_fields:
            person.custom_fields = merged
            fields.append("custom_fields")
    details_changed = _add_details(person, data, source, phones)
    if fields or details_changed:
        person.modified_at = timezone.now()
        person.save(update_fields=[*fields, "modified_at"])
    return person


def _merge_matched(
    person: Person,
    data: PersonData,
    *,
    source: str,
    phones: Sequence[_Phone],
    review_source: str,
) -> None:
    """A matched record joins the person; a name that differs is kept for a steward instead."""
    if names_differ(person, data.given_name, data.family_name):
        NameReview.objects.get_or_create(
            person=person,
            given_name=(data.given_name or "").strip()[:200],
            family_name=(data.family_name or "").strip()[:200],
            defaults={"coalition_id": person.coalition_id, "source": review_source[:200]},
        )
    _merge_into(person, data, source=source, phones=phones, keep_names=True)


@transaction.atomic
def merge_matched_record(
    *, person: Person, data: PersonData, source: str = "", region: str | None = None
) -> Person:
    """Merge a record that `find_match` matched to `person` (the import's bulk path): the stored
    name stays; a different one is kept for review."""
    if region is None:
        region = Coalition.objects.only("default_region").get(pk=person.coalition_id).default_region
    phones = _phones(data, region)
    _merge_matched(person, data, source=source, phones=phones, review_source=source)
    return person


@transaction.atomic
def update_person(*, person: Person, data: PersonData, source: str = "") -> Person:
    """Merge `data` into the person (OSDI PUT semantics: an explicit edit, so given names
    replace the stored ones)."""
    region = Coalition.objects.only("default_region").get(pk=person.coalition_id).default_region
    return _merge_into(person, data, source=source, phones=_phones(data, region), keep_names=False)


@transaction.atomic
def resolve_name_review(*, review: NameReview, use_new_name: bool) -> Person:
    """A steward decides: keep the stored name (the review goes) or use the one given."""
    person = Person.objects.select_for_update().get(pk=review.person_id)
    if use_new_name:
        person.given_name, person.family_name = review.given_name, review.family_name
        person.modified_at = timezone.now()
        person.save(update_fields=["given_name", "family_name", "modified_at"])
        record_activity(
            person=person, kind="name_changed", summary=f"Name set to {review.name} by a steward."
        )
    review.delete()
    return person


def touch(person: Person) -> None:
    person.modified_at = timezone.now()
    person.save(update_fields=["modified_at"])


# --- tags and lists ------------------------------------------------------------------------------


@transaction.atomic
def create_tag(*, coalition: Coalition, name: str) -> tuple[Tag, bool]:
    """The tag with this name (case-insensitive), created if new."""
    name = name.strip()
    if not name:
        raise PeopleError("A tag needs a name.")
    existing = Tag.objects.for_coalition(coalition).filter(name__iexact=name).first()
    if existing is not None:
        return existing, False
    now = timezone.now()
    try:
        with transaction.atomic():
            tag = Tag.objects.create(
                coalition=coalition, name=name, created_at=now, modified_at=now
            )
    except IntegrityError:
        return Tag.objects.for_coalition(coalition).get(name__iexact=name), False
    return tag, True


@transaction.atomic
def tag_person(*, tag: Tag, person: Person, touch_person: bool = True) -> tuple[Tagging, bool]:
    """Tag a person once; tagging again returns the existing tagging."""
    if tag.coalition_id != person.coalition_id:
        raise PeopleError("That tag belongs to another coalition.")
    now = timezone.now()
    tagging, created = Tagging.objects.get_or_create(
        tag=tag,
        person=person,
        defaults={"coalition_id": tag.coalition_id, "created_at": now, "modified_at": now},
    )
    if created and touch_person:
        touch(person)
    return tagging, created


def _tag_by_names(person: Person, names: Iterable[str], *, touch_person: bool = True) -> None:
    """Apply existing tags by name; unknown names are ignored (as Action Network does)."""
    wanted = {n.strip().lower() for n in names if n and n.strip()}
    for tag in Tag.objects.for_coalition(person.coalition_id):
        if tag.name.lower() in wanted:
            tag_person(tag=tag, person=person, touch_person=touch_person)


@transaction.atomic
def untag_person(*, tagging: Tagging) -> None:
    person = tagging.person
    tagging.delete()
    touch(person)


@transaction.atomic
def delete_tag(*, tag: Tag) -> None:
    tag.delete()


@transaction.atomic
def create_list(
    *,
    coalition: Coalition,
    name: str,
    description: str = "",
    kind: str = PeopleList.Kind.STATIC,
    query: dict[str, Any] | None = None,
) -> PeopleList:
    """A new list; its name is unique in the coalition."""
    name = name.strip()
    if not name:
        raise PeopleError("A list needs a name.")
    if kind == PeopleList.Kind.SAVED_FILTER and not query:
        raise PeopleError("A saved filter needs criteria.")
    now = timezone.now()
    try:
        with transaction.atomic():
            return PeopleList.objects.create(
                coalition=coalition,
                name=name,
                description=description.strip(),
                kind=kind,
                query=query or {},
                created_at=now,
                modified_at=now,
            )
    except IntegrityError as exc:
        raise PeopleError(f"A list named {name} exists already.") from exc


@transaction.atomic
def add_to_list(*, people_list: PeopleList, person: Person) -> tuple[ListItem, bool]:
    """Add a person to a static list once."""
    if people_list.kind != PeopleList.Kind.STATIC:
        raise PeopleError("A saved filter's members follow from its criteria.")
    if people_list.coalition_id != person.coalition_id:
        raise PeopleError("That list belongs to another coalition.")
    now = timezone.now()
    return ListItem.objects.get_or_create(
        people_list=people_list,
        person=person,
        defaults={"coalition_id": person.coalition_id, "created_at": now, "modified_at": now},
    )


@transaction.atomic
def remove_from_list(*, item: ListItem) -> None:
    item.delete()


@dataclass(frozen=True, slots=True)
class BulkResult:
    added: int  # people newly tagged (put on the list)
    already: int  # people who had the tag (were on the list) before


def _require_visible(
    people: Sequence[Person], *, coalition: Coalition, by: StaffMember
) -> set[int]:
    """The people's ids, if `by` may see every one of them; otherwise PeopleError."""
    ids = {person.pk for person in people}
    visible = selectors.visible_people(coalition=coalition, staff=by).filter(pk__in=ids)
    if (
        not ids
        or any(p.coalition_id != coalition.pk for p in people)
        or visible.count() != len(ids)
    ):
        raise PeopleError("You may only change people whose details you may see.")
    return ids


@transaction.atomic
def tag_people(
    *, coalition: Coalition, tag_name: str, people: Sequence[Person], by: StaffMember
) -> tuple[Tag, BulkResult]:
    """Tag many people at once (the tag is created if new), all or none: each must be one that
    `by` may see (an organizer: those who share with its organization); a refusal creates no
    tag; a person already tagged stays tagged once."""
    ids = _require_visible(people, coalition=coalition, by=by)
    tag, _ = create_tag(coalition=coalition, name=tag_name)
    had = set(
        Tagging.objects.filter(tag=tag, person_id__in=ids).values_list("person_id", flat=True)
    )
    now = timezone.now()
    new = sorted(ids - had)
    Tagging.objects.bulk_create(
        [
            Tagging(
                coalition_id=tag.coalition_id,
                tag=tag,
                person_id=pk,
                created_at=now,
                modified_at=now,
            )
            for pk in new
        ],
        ignore_conflicts=True,  # tagging_unique_person_per_tag: a racing request tagged them
    )
    Person.objects.filter(pk__in=new).update(modified_at=now)
    return tag, BulkResult(added=len(new), already=len(had))


@transaction.atomic
def add_people_to_list(
    *, people_list: PeopleList, people: Sequence[Person], by: StaffMember
) -> BulkResult:
    """Put many people on a static list at once, all or none: each must be one that `by` may
    see; a person already on the list stays on it once."""
    if people_list.kind != PeopleList.Kind.STATIC:
        raise PeopleError("A saved filter's members follow from its criteria.")
    ids = _require_visible(people, coalition=people_list.coalition, by=by)
    had = set(
        ListItem.objects.filter(people_list=people_list, person_id__in=ids).values_list(
            "person_id", flat=True
        )
    )
    now = timezone.now()
    new = sorted(ids - had)
    ListItem.objects.bulk_create(
        [
            ListItem(
                coalition_id=people_list.coalition_id,
                people_list=people_list,
                person_id=pk,
                created_at=now,
                modified_at=now,
            )
            for pk in new
        ],
        ignore_conflicts=True,  # list_item_unique_person_per_list: a racing request added them
    )
    return BulkResult(added=len(new), already=len(had))


# --- consent -------------------------------------------------------------------------------------


@transaction.atomic
def set_email_status(*, email: EmailAddress, status: str, source: str = "") -> EmailAddress:
    """Change an address's subscription status, logging the change and its source."""
    if status not in EmailAddress.Status.values:
        raise PeopleError(f"Unknown subscription status {status!r}.")
    locked = EmailAddress.objects.select_for_update().get(pk=email.pk)
    if locked.status == status:
        return locked
    SubscriptionChange.objects.create(
        coalition_id=locked.coalition_id,
        email=locked,
        from_status=locked.status,
        to_status=status,
        source=source,
    )
    locked.status = status
    locked.save(update_fields=["status"])
    touch(locked.person)
    return locked


@transaction.atomic
def grant_sharing(*, person: Person, membership: Membership, source: str = "") -> SharingConsent:
    """Record the person's consent to share their record with a member organization."""
    if membership.coalition_id != person.coalition_id:
        raise PeopleError("That organization is not in this coalition.")
    consent, _ = SharingConsent.objects.get_or_create(
        person=person,
        membership=membership,
        defaults={"coalition_id": person.coalition_id, "source": source},
    )
    return consent


@transaction.atomic
def revoke_sharing(*, person: Person, membership: Membership) -> None:
    SharingConsent.objects.filter(person=person, membership=membership).delete()


@transaction.atomic
def record_activity(
    *,
    person: Person,
    kind: str,
    summary: str,
    occurred_at: dt.datetime | None = None,
    ref: str = "",
) -> Activity:
    """Add a line to the person's timeline."""
    return Activity.objects.create(
        coalition_id=person.coalition_id,
        person=person,
        kind=kind,
        summary=summary[:300],
        occurred_at=occurred_at or timezone.now(),
        ref=ref,
    )


# --- merge and erasure ---------------------------------------------------------------------------


@transaction.atomic
def merge_people(*, keep: Person, merge: Person, merged_by: User | None = None) -> Person:
    """Move everything of `merge` onto `keep`, then delete `merge`. Nothing is lost."""
    if keep.pk == merge.pk:
        raise PeopleError("A person cannot be merged with themselves.")
    if keep.coalition_id != merge.coalition_id:
        raise PeopleError("People of different coalitions cannot be merged.")
    keep = Person.objects.select_for_update().get(pk=keep.pk)
    merge = Person.objects.select_for_update().get(pk=merge.pk)
    if keep.emails.filter(primary=True).exists():
        merge.emails.update(person=keep, primary=False)
    else:
        merge.emails.update(person=keep)
    phones = set(keep.phones.values_list("number", flat=True))
    for phone in merge.phones.all():
        if phone.number in phones:
            phone.delete()
        else:
            phone.person, phone.primary = keep, phone.primary and not phones
            phone.save(update_fields=["person", "primary"])
    merge.addresses.update(person=keep, primary=False)
    for tagging in merge.taggings.all():
        if keep.taggings.filter(tag_id=tagging.tag_id).exists():
            tagging.delete()
        else:
            tagging.person = keep
            tagging.save(update_fields=["person"])
    for item in merge.list_items.all():
        if keep.list_items.filter(people_list_id=item.people_list_id).exists():
            item.delete()
        else:
            item.person = keep
            item.save(update_fields=["person"])
    for consent in merge.sharing.all():
        if keep.sharing.filter(membership_id=consent.membership_id).exists():
            consent.delete()
        else:
            consent.person = keep
            consent.save(update_fields=["person"])
    merge.activities.update(person=keep)
    for review in merge.name_reviews.all():
        if keep.name_reviews.filter(
            given_name=review.given_name, family_name=review.family_name
        ).exists():
            review.delete()
        else:
            review.person = keep
            review.save(update_fields=["person"])
    for hooks in registered_hooks():
        hooks.merge(keep, merge)
    keep.given_name = keep.given_name or merge.given_name
    keep.family_name = keep.family_name or merge.family_name
    keep.languages = list(dict.fromkeys([*keep.languages, *merge.languages]))
    keep.custom_fields = {**merge.custom_fields, **keep.custom_fields}
    keep.created_at = min(keep.created_at, merge.created_at)
    keep.modified_at = timezone.now()
    keep.save()
    who = f" by {merged_by}" if merged_by else ""
    record_activity(person=keep, kind="merge", summary=f"Merged with a duplicate record{who}.")
    merge.delete()
    return keep


@transaction.atomic
def erase_person(*, person: Person, erased_by: User | None) -> ErasureRecord:
    """Remove every piece of the person's personal data; log the erasure with counts only."""
    removed = {
        "emails": person.emails.count(),
        "phones": person.phones.count(),
        "addresses": person.addresses.count(),
        "taggings": person.taggings.count(),
        "list_items": person.list_items.count(),
        "sharing_consents": person.sharing.count(),
        "activities": person.activities.count(),
        "name_reviews": person.name_reviews.count(),
    }
    canonicals = frozenset(person.emails.values_list("canonical", flat=True))
    for hooks in registered_hooks():
        removed[hooks.name] = hooks.erase(person, canonicals)
    record = ErasureRecord.objects.create(
        coalition_id=person.coalition_id,
        person_uuid=person.uuid,
        erased_by=erased_by,
        removed=removed,
    )
    person.delete()  # cascades to every table that holds their data
    return record
