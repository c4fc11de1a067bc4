from cairn.coalitions.demo import load_demo
from cairn.people import selectors
from cairn.people.demo import CALL_LIST, load_demo_supporters
from cairn.people.models import EmailAddress, PeopleList, Person, SharingConsent, Tagging


def test_demo_supporters_are_deterministic_and_idempotent(db):
    # given the demo coalition
    coalition = load_demo()
    # when supporters are loaded twice
    first = load_demo_supporters(coalition=coalition, count=300)
    emails = sorted(EmailAddress.objects.values_list("address", flat=True))
    counts = (Tagging.objects.count(), SharingConsent.objects.count())
    again = load_demo_supporters(coalition=coalition, count=300)
    # then the second run creates nothing and changes nothing
    assert (first.created, first.total) == (300, 300)
    assert (again.created, again.total) == (0, 300)
    assert sorted(EmailAddress.objects.values_list("address", flat=True)) == emails
    assert (Tagging.objects.count(), SharingConsent.objects.count()) == counts


def test_demo_supporters_look_like_a_real_base(db):
    coalition = load_demo()
    load_demo_supporters(coalition=coalition, count=300)
    people = Person.objects.for_coalition(coalition)
    # every supporter came through a member organization, which may see them
    assert people.filter(source_membership__isnull=True).count() == 0
    assert SharingConsent.objects.count() >= 300
    # tags, lists and unsubscribes are present
    assert Tagging.objects.count() > 100
    statuses = set(EmailAddress.objects.values_list("status", flat=True))
    assert {"subscribed", "unsubscribed"} <= statuses
    call_list = PeopleList.objects.get(name=CALL_LIST)
    assert call_list.items.count() > 0
    caregivers = PeopleList.objects.get(name="Subscribed caregivers")
    members = selectors.list_members(people_list=caregivers, people=people)
    assert 0 < members.count() < 300
