"""OSDI fundraising pages and donations: pages created, listed, filtered and changed; the record
donation helper (offline, never a charge, idempotent by key and by identifier, in the ledger);
donations under the coalition, a page and a person; refusals; tenant scoping."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from cairn.api import services as api_services
from cairn.api.models import IdempotencyKey
from cairn.coalitions.models import Role
from cairn.fundraising import services as fundraising
from cairn.fundraising.models import Donation, FundraisingPage
from cairn.ledger.models import Entry, LedgerTransaction
from cairn.people.models import Person, Tagging
from cairn.people.services import create_tag

from .conftest import OsdiClient

API = "/api/v2"


def an_id(body: dict[str, Any]) -> str:
    return body["identifiers"][0].split(":", 1)[1]


def gift(email: str, amount: str = "25.00", **extra: Any) -> dict[str, Any]:
    return {
        "person": {"given_name": "Ana", "email_addresses": [{"address": email}]},
        "recipients": [{"display_name": "Fund", "amount": amount}],
        **extra,
    }


@pytest.fixture
def page(osdi) -> dict[str, Any]:
    response = osdi.post(
        f"{API}/fundraising_pages",
        {"title": "Fund the beds", "origin_system": "ActBlue", "description": "<p>Why</p>"},
    )
    assert response.status_code == 200, response.content
    return response.json()


def donate(osdi: OsdiClient, page: dict[str, Any], body: dict[str, Any], **extra: Any) -> Any:
    return osdi.post(f"{API}/fundraising_pages/{an_id(page)}/donations", body, **extra)


# --- pages ---------------------------------------------------------------------------------------


def test_a_page_created_by_a_token_is_open_and_shaped_as_action_networks(osdi, page, coalition):
    row = FundraisingPage.objects.get(uuid=an_id(page))
    assert (row.coalition, row.status, row.origin_system) == (coalition, "open", "ActBlue")
    assert page["title"] == page["name"] == "Fund the beds"
    assert page["description"] == "<p>Why</p>"
    assert (page["total_donations"], page["total_amount"], page["currency"]) == (0, "0.00", "USD")
    assert page["browser_url"] == f"http://testserver/give/{row.slug}/"
    assert page["identifiers"][0] == f"action_network:{row.uuid}"
    links = page["_links"]
    assert links["self"]["href"] == f"http://testserver{API}/fundraising_pages/{row.uuid}"
    assert links["osdi:donations"]["href"] == links["self"]["href"] + "/donations"
    assert links["osdi:record_donation_helper"] == links["osdi:donations"]
    assert osdi.get(f"{API}/fundraising_pages/{row.uuid}/").json() == page
    entry = osdi.get(f"{API}/").json()["_links"]
    assert entry["osdi:fundraising_pages"]["href"].endswith("/fundraising_pages")
    assert entry["osdi:donations"]["href"].endswith("/donations")


def test_a_draft_page_has_no_browser_url_and_takes_no_gifts(osdi):
    draft = osdi.post(
        f"{API}/fundraising_pages", {"title": "Later", "cairn:status": "draft"}
    ).json()
    assert (draft["cairn:status"], draft["browser_url"]) == ("draft", None)
    refused = donate(osdi, draft, gift("a@example.org"))
    assert refused.status_code == 400
    assert "Publish the page" in refused.json()["error"]
    assert not Donation.objects.exists()


def test_put_changes_the_given_fields(osdi, page):
    response = osdi.put(
        f"{API}/fundraising_pages/{an_id(page)}", {"title": "Renamed", "currency": "eur"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["description"], body["currency"]) == (
        "Renamed",
        "<p>Why</p>",
        "EUR",
    )


def test_pages_are_listed_filtered_and_paged(osdi, page):
    for n in range(26):
        osdi.post(f"{API}/fundraising_pages", {"title": f"Page {n:02d}"})
    first = osdi.get(f"{API}/fundraising_pages").json()
    assert (first["total_records"], first["total_pages"], first["per_page"]) == (27, 2, 25)
    assert len(first["_embedded"]["osdi:fundraising_pages"]) == 25
    assert first["_links"]["next"]["href"].startswith("http://testserver/")
    found = osdi.get(f"{API}/fundraising_pages", QUERY_STRING="filter=title eq 'page 07'").json()
    assert [p["title"] for p in found["_embedded"]["osdi:fundraising_pages"]] == ["Page 07"]
    bad = osdi.get(f"{API}/fundraising_pages", QUERY_STRING="filter=amount gt '1'")
    assert bad.status_code == 400


def test_a_page_without_a_title_or_with_a_bad_currency_is_refused(osdi):
    assert osdi.post(f"{API}/fundraising_pages", {"origin_system": "x"}).status_code == 400
    for currency in ("dollars", "GTP"):  # not a code; a code no fund can hold (not ISO 4217)
        bad = osdi.post(f"{API}/fundraising_pages", {"title": "T", "currency": currency})
        assert bad.status_code == 400, currency
    assert not FundraisingPage.objects.exists()


# --- the record donation helper ------------------------------------------------------------------


def test_a_recorded_donation_keeps_the_recurrence_and_referrer_the_client_sent(osdi, page):
    response = donate(
        osdi,
        page,
        gift(
            "mo@example.org",
            "12.00",
            **{
                "action_network:recurrence": {"recurring": True, "period": "Monthly"},
                "action_network:referrer_data": {"source": "email", "referrer": "member-7"},
            },
        ),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    donation = Donation.objects.get(uuid=an_id(body))
    assert (donation.recurrence, donation.referrer) == ("monthly", "member-7")
    assert body["action_network:recurrence"] == {"recurring": True, "period": "Monthly"}
    assert body["action_network:referrer_data"]["referrer"] == "member-7"
    again = osdi.get(f"{API}/donations/{an_id(body)}").json()
    assert again["action_network:recurrence"] == {"recurring": True, "period": "Monthly"}


def test_a_recorded_donation_is_raised_at_once_charges_nothing_and_is_in_the_ledger(osdi, page):
    response = donate(
        osdi,
        page,
        gift(
            "ana@example.org",
            "40.50",
            payment={"method": "Check", "reference_number": "CHK-7"},
            created_date="2026-03-01T10:00:00Z",
        ),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    donation = Donation.objects.get(uuid=an_id(body))
    assert (donation.status, donation.provider, donation.offline_method) == (
        "succeeded",
        "offline",
        "cheque",
    )
    assert (donation.amount, donation.offline_reference) == (Decimal("40.50"), "CHK-7")
    assert donation.checkout_url == donation.provider_payment_id == ""  # no card was charged
    assert body["amount"] == "40.50"
    assert body["created_date"] == "2026-03-01T10:00:00Z"  # when the money came
    assert body["recipients"] == [{"display_name": "Fund the beds", "amount": "40.50"}]
    assert body["payment"] == {
        "method": "Check",
        "reference_number": "CHK-7",
        "authorization_stored": False,
    }
    assert body["action_network:recurrence"] == {"recurring": False}
    assert body["action_network:fundraising_page_id"] == an_id(page)
    person = donation.person
    assert person is not None
    assert body["action_network:person_id"] == str(person.uuid)
    assert body["voided"] is False
    assert body["_links"]["osdi:fundraising_page"]["href"] == page["_links"]["self"]["href"]
    assert body["_links"]["osdi:person"]["href"].endswith(f"/people/{person.uuid}")
    # the ledger holds it once, balanced, and the page counts it
    transactions = LedgerTransaction.objects.filter(source__startswith=f"donation:{donation.pk}:")
    assert transactions.count() == 1
    assert sum(e.amount for e in Entry.objects.filter(transaction__in=transactions)) == Decimal(
        "40.50"
    )
    again = osdi.get(f"{API}/fundraising_pages/{an_id(page)}").json()
    assert (again["total_donations"], again["total_amount"]) == (1, "40.50")


def test_recipients_add_up_and_bracket_keys_work_from_a_query_string(osdi, page, person_factory):
    person = person_factory(email="linked@example.org")
    query = (
        "recipients[0][amount]=3.00&recipients[1][amount]=2.25"
        f"&_links[osdi:person][href]=https://actionnetwork.org/api/v2/people/{person.uuid}"
    )
    response = osdi.post(f"{API}/fundraising_pages/{an_id(page)}/donations", "", QUERY_STRING=query)
    assert response.status_code == 200, response.content
    assert response.json()["amount"] == "5.25"
    assert Donation.objects.get().person == person


def test_a_nested_dict_sent_as_parsons_documents_it_is_refused_saying_how(osdi, page):
    query = "recipients=display_name&recipients=amount&_links=osdi:person"
    response = osdi.post(f"{API}/fundraising_pages/{an_id(page)}/donations", "", QUERY_STRING=query)
    assert response.status_code == 400
    assert "bracket keys" in response.json()["error"]
    assert not Donation.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"recipients": [{"amount": "5"}]},  # no donor
        gift("a@example.org", "0"),
        gift("a@example.org", "-5"),
        gift("a@example.org", "abc"),
        gift("a@example.org", "1.001"),
        {**gift("a@example.org"), "recipients": []},
        {**gift("a@example.org"), "created_date": "yesterday"},
        {"person": {"given_name": "No email"}, "recipients": [{"amount": "5"}]},
    ],
)
def test_a_donation_the_helper_cannot_record_is_refused_and_leaves_nothing(osdi, page, body):
    response = donate(osdi, page, body)
    assert response.status_code == 400, response.content
    assert not Donation.objects.exists()
    assert not Person.objects.exists()


def test_the_same_identifier_or_idempotency_key_records_one_donation(osdi, page):
    body = gift("ana@example.org", identifiers=["actblue:AB-1"])
    first, again = donate(osdi, page, body), donate(osdi, page, body)
    assert an_id(first.json()) == an_id(again.json())
    # the same key, sent again after the API's own replay window, is still the same gift
    keyed = gift("bea@example.org")
    one = donate(osdi, page, keyed, headers={"Idempotency-Key": "k-1"})
    IdempotencyKey.objects.all().delete()  # as if 24 hours had passed
    two = donate(osdi, page, keyed, headers={"Idempotency-Key": "k-1"})
    assert an_id(one.json()) == an_id(two.json())
    # without either, a second gift is a second donation (people give twice)
    donate(osdi, page, gift("ana@example.org"))
    donate(osdi, page, gift("ana@example.org"))
    assert Donation.objects.count() == 4
    assert LedgerTransaction.objects.count() == 4


def test_add_tags_tags_the_donor_with_known_tags_only(osdi, page, coalition):
    create_tag(coalition=coalition, name="Donor")
    response = donate(osdi, page, {**gift("t@example.org"), "add_tags": ["Donor", "Unknown"]})
    assert response.status_code == 200
    person = Donation.objects.get().person
    assert list(Tagging.objects.filter(person=person).values_list("tag__name", flat=True)) == [
        "Donor"
    ]


def test_a_viewers_token_may_not_record_donations(coalition, page, staff_factory):
    viewer = staff_factory(coalition, role=Role.VIEWER)
    token = api_services.create_token(coalition=coalition, name="v", created_by=viewer.user).raw
    response = donate(OsdiClient(token), page, gift("v@example.org"))
    assert response.status_code == 403
    assert not Donation.objects.exists()
    assert OsdiClient(token).get(f"{API}/fundraising_pages/{an_id(page)}").status_code == 200


# --- donations listed ----------------------------------------------------------------------------


def test_donations_are_listed_under_the_coalition_the_page_and_the_person(osdi, page, coalition):
    made = [an_id(donate(osdi, page, gift(f"d{n}@example.org")).json()) for n in range(3)]
    other = osdi.post(f"{API}/fundraising_pages", {"title": "Other"}).json()
    elsewhere = an_id(donate(osdi, other, gift("d0@example.org", "9.00")).json())
    # an unfinished card checkout is not a donation
    pending_page = FundraisingPage.objects.get(uuid=an_id(page))
    Donation.objects.create(
        coalition=coalition,
        page=pending_page,
        amount=Decimal(5),
        currency="USD",
        idempotency_key="pending",
    )

    def ids(path: str) -> list[str]:
        body = osdi.get(f"{API}/{path}").json()
        return [an_id(d) for d in body["_embedded"]["osdi:donations"]]

    assert sorted(ids("donations")) == sorted([*made, elsewhere])
    assert sorted(ids(f"fundraising_pages/{an_id(page)}/donations")) == sorted(made)
    donor = Donation.objects.get(uuid=made[0]).person
    assert donor is not None
    assert sorted(ids(f"people/{donor.uuid}/donations")) == sorted([made[0], elsewhere])
    one = osdi.get(f"{API}/donations/{made[1]}").json()
    assert osdi.get(f"{API}/fundraising_pages/{an_id(page)}/donations/{made[1]}").json() == one
    assert osdi.get(f"{API}/people/{donor.uuid}/donations/{made[1]}").status_code == 404
    assert osdi.get(f"{API}/fundraising_pages/{an_id(other)}/donations/{made[1]}").status_code == (
        404
    )
    missing = osdi.get(f"{API}/donations/not-a-uuid")
    assert missing.status_code == 404
    assert missing.json() == {"error": "Couldn't find donation with id = not-a-uuid"}


def test_a_refunded_donation_is_voided_and_leaves_the_total(osdi, page):
    made = donate(osdi, page, gift("r@example.org", "30.00")).json()
    fundraising.refund_donation(donation=Donation.objects.get(uuid=an_id(made)), by=None)
    body = osdi.get(f"{API}/donations/{an_id(made)}").json()
    assert (body["voided"], body["credited_amount"], body["cairn:status"]) == (
        True,
        "30.00",
        "refunded",
    )
    totals = osdi.get(f"{API}/fundraising_pages/{an_id(page)}").json()
    assert (totals["total_donations"], totals["total_amount"]) == (0, "0.00")


def test_another_coalitions_pages_and_donations_are_not_found(
    osdi, page, coalition_factory, staff_factory
):
    made = donate(osdi, page, gift("x@example.org")).json()
    other = coalition_factory()
    token = api_services.create_token(coalition=other, name="o", created_by=None).raw
    stranger = OsdiClient(token)
    for path in (
        f"fundraising_pages/{an_id(page)}",
        f"fundraising_pages/{an_id(page)}/donations",
        f"donations/{an_id(made)}",
    ):
        assert stranger.get(f"{API}/{path}").status_code == 404, path
    assert stranger.get(f"{API}/donations").json()["total_records"] == 0
    assert stranger.get(f"{API}/fundraising_pages").json()["total_records"] == 0
    posted = stranger.post(f"{API}/fundraising_pages/{an_id(page)}/donations", gift("y@e.org"))
    assert posted.status_code == 404
    assert Donation.objects.count() == 1
