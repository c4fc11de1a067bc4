"""OSDI people: the collection (with filters), one person, the signup helper (POST) and PUT."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from cairn.api import selectors
from cairn.api.auth import coalition_of
from cairn.coalitions.models import Coalition
from cairn.engines.emails import normalize_phone
from cairn.people import services
from cairn.people.models import EmailAddress, Person

from . import hal
from .body import parse_payload, request_body
from .errors import ApiError, not_found
from .filters import DATES, FilterField, Kind, apply_filter
from .pagination import CollectionQuery, paginate
from .schemas import ERRORS, PeopleCollection, PersonIn, PersonOut, SignupIn

router = Router(tags=["people"])

PEOPLE_FILTERS = {
    **DATES,
    "email_address": FilterField("emails__canonical", Kind.EMAIL, related=True),
    "phone_number": FilterField("phones__number", Kind.PHONE, related=True),
    "given_name": FilterField("given_name", Kind.TEXT),
    "family_name": FilterField("family_name", Kind.TEXT),
}

# Action Network's statuses beyond ours, mapped to the nearest one we keep.
EMAIL_STATUSES = {
    "subscribed": EmailAddress.Status.SUBSCRIBED,
    "unsubscribed": EmailAddress.Status.UNSUBSCRIBED,
    "bouncing": EmailAddress.Status.BOUNCING,
    "previous bounce": EmailAddress.Status.BOUNCING,
    "spam complaint": EmailAddress.Status.UNSUBSCRIBED,
    "previous spam complaint": EmailAddress.Status.UNSUBSCRIBED,
}


def render_person(request: HttpRequest, person: Person) -> dict[str, Any]:
    return hal.resource(
        request,
        public_id=person.uuid,
        created=person.created_at,
        modified=person.modified_at,
        self_path=("people", person.uuid),
        links={"osdi:taggings": ("people", person.uuid, "taggings")},
        fields={
            "given_name": person.given_name,
            "family_name": person.family_name,
            "email_addresses": [
                {"address": e.address, "primary": e.primary, "status": e.status}
                for e in person.emails.all()
            ],
            "phone_numbers": [
                {"number": p.number, "primary": p.primary, "number_type": p.number_type}
                for p in person.phones.all()
            ],
            "postal_addresses": [
                {
                    "primary": a.primary,
                    "address_lines": list(a.address_lines),
                    "locality": a.locality,
                    "region": a.region,
                    "postal_code": a.postal_code,
                    "country": a.country,
                }
                for a in person.addresses.all()
            ],
            "languages_spoken": list(person.languages),
            "custom_fields": dict(person.custom_fields or {}),
        },
    )


def person_data(payload: PersonIn) -> services.PersonData:
    """The service's input from the API's: None stays "not given"."""
    emails = []
    for email in payload.email_addresses or []:
        status = None
        if email.status:
            status = EMAIL_STATUSES.get(email.status.strip().lower())
            if status is None:
                raise ApiError(400, f"Unknown email status {email.status!r}.")
        emails.append(
            services.EmailInput(address=email.address, primary=bool(email.primary), status=status)
        )
    return services.PersonData(
        given_name=payload.given_name,
        family_name=payload.family_name,
        emails=emails,
        phones=[
            services.PhoneInput(
                number=str(p.number), primary=bool(p.primary), number_type=p.number_type or ""
            )
            for p in payload.phone_numbers or []
        ],
        addresses=[
            services.AddressInput(
                primary=bool(a.primary),
                address_lines=tuple(a.address_lines),
                locality=a.locality,
                region=a.region,
                postal_code=str(a.postal_code),
                country=a.country,
            )
            for a in payload.postal_addresses or []
        ],
        languages=payload.languages_spoken,
        custom_fields=dict(payload.custom_fields or {}),
    )


def find_person(coalition: Coalition, public_id: str) -> Person:
    person = selectors.person(coalition=coalition, public_id=public_id)
    if person is None:
        raise not_found("person", public_id)
    return person


def person_from_href(coalition: Coalition, href: str) -> Person:
    """A person link resolves by its last path segment, whatever the host (clients send
    `https://actionnetwork.org/api/v2/people/<id>`)."""
    public_id = href.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return find_person(coalition, public_id)


@router.get(
    "/people",
    response={200: PeopleCollection, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="List people",
)
def list_people(request: HttpRequest, query: Query[CollectionQuery]) -> dict[str, Any]:
    coalition = coalition_of(request)
    rows = apply_filter(
        selectors.people(coalition=coalition),
        query.filter,
        PEOPLE_FILTERS,
        region=coalition.default_region,
    )
    return paginate(
        request,
        rows,
        rel="osdi:people",
        render=lambda p: render_person(request, p),
        query=query,
    )


@router.post(
    "/people",
    response={200: PersonOut, **ERRORS},
    by_alias=True,
    summary="Person signup helper: find by email (by phone without one), merge or create, tag",
    openapi_extra=request_body(SignupIn),
)
def signup_person(request: HttpRequest) -> dict[str, Any]:
    coalition = coalition_of(request)
    payload = parse_payload(request, SignupIn)
    data = person_data(payload.person)
    # The person must be findable again, or a retried POST would create a second one.
    if not any(normalize_phone(p.number) for p in data.phones) and not data.emails:
        raise ApiError(400, "A person needs an email address or a phone number.")
    result = services.upsert_person(
        coalition=coalition,
        data=data,
        add_tags=payload.add_tags or (),
        subscription_source="api",
    )
    return render_person(request, find_person(coalition, str(result.person.uuid)))


@router.get(
    "/people/{person_id}", response={200: PersonOut, **ERRORS}, by_alias=True, summary="A person"
)
def get_person(request: HttpRequest, person_id: str) -> dict[str, Any]:
    return render_person(request, find_person(coalition_of(request), person_id))


@router.put(
    "/people/{person_id}",
    response={200: PersonOut, **ERRORS},
    by_alias=True,
    summary="Update a person: given fields replace, lists gain entries, custom fields merge",
    openapi_extra=request_body(PersonIn),
)
def update_person(request: HttpRequest, person_id: str) -> dict[str, Any]:
    coalition = coalition_of(request)
    person = find_person(coalition, person_id)
    payload = parse_payload(request, PersonIn)
    services.update_person(person=person, data=person_data(payload), source="api")
    return render_person(request, find_person(coalition, person_id))
