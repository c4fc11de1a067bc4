"""A merge moves donations and monthly gifts to the person kept; an erasure removes the donor's
personal data from them but keeps the amounts, so the thermometer and the ledger do not move."""

from __future__ import annotations

from collections.abc import Callable

from cairn.fundraising import selectors, services
from cairn.fundraising.models import Donation, FundraisingPage, RecurringGift
from cairn.fundraising.providers.fake_stripe import FakeStripe
from cairn.people import services as people
from cairn.people.models import Person

from .conftest import donor


def _gifts(page: FundraisingPage, fake_stripe: FakeStripe, deliver: Callable[[], object]) -> None:
    for key, email, recurrence in (
        ("a", "ana@example.org", "monthly"),
        ("b", "b@x.org", "one_off"),
    ):
        start = services.start_donation(
            page=page,
            person=donor(email),
            amount="20",
            recurrence=recurrence,
            idempotency_key=key,
            show_on_wall=True,
            wall_name="Ana L.",
        )
        fake_stripe.complete_checkout(start.donation.provider_checkout_id)
    deliver()


def test_a_merge_moves_donations_and_gifts(
    page: FundraisingPage, fake_stripe: FakeStripe, deliver: Callable[[], object]
) -> None:
    _gifts(page, fake_stripe, deliver)
    ana = Person.objects.get(emails__address="ana@example.org")
    other = Person.objects.get(emails__address="b@x.org")
    people.merge_people(keep=ana, merge=other)
    assert set(Donation.objects.values_list("person", flat=True)) == {ana.pk}
    assert set(RecurringGift.objects.values_list("person", flat=True)) == {ana.pk}


def test_an_erasure_keeps_the_amounts_and_removes_the_donor(
    page: FundraisingPage, fake_stripe: FakeStripe, deliver: Callable[[], object]
) -> None:
    _gifts(page, fake_stripe, deliver)
    raised = selectors.thermometer(page).raised
    ana = Person.objects.get(emails__address="ana@example.org")
    people.erase_person(person=ana, erased_by=None)
    erased = Donation.objects.get(idempotency_key="a")
    assert erased.person is None
    assert erased.email == ""
    assert not erased.show_on_wall
    assert RecurringGift.objects.get().email == ""
    assert selectors.thermometer(page).raised == raised
    assert [w["wall_name"] for w in selectors.donor_wall(page)] == ["Ana L."]  # the other donor
