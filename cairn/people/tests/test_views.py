import pytest
from django.urls import reverse

from cairn.coalitions.models import Role
from cairn.people import services
from cairn.people.models import ErasureRecord, Person, Tagging
from cairn.people.services import EmailInput, PersonData


def add(coalition, email, name=""):
    return services.upsert_person(
        coalition=coalition, data=PersonData(given_name=name, emails=[EmailInput(email)])
    ).person


@pytest.fixture
def people(coalition, membership_factory):
    org = membership_factory(coalition, name="Harbor House")
    shared = add(coalition, "shared@example.org", "Shared Person")
    services.grant_sharing(person=shared, membership=org)
    private = add(coalition, "private@example.org", "Private Person")
    return {"org": org, "shared": shared, "private": private}


def test_steward_lists_and_searches_everyone(client, steward, people):
    client.force_login(steward.user)
    url = reverse("people:people", args=[steward.coalition.slug])
    page = client.get(url).content.decode()
    assert "Shared Person" in page
    assert "Private Person" in page
    found = client.get(url, {"q": "private@"}).content.decode()
    assert "Private Person" in found
    assert "Shared Person" not in found


def test_organizer_sees_only_people_sharing_with_their_organization(
    client, coalition, staff_factory, people
):
    # given an organizer of the organization one person shares with
    organizer = staff_factory(coalition, Role.ORGANIZER, membership=people["org"])
    client.force_login(organizer.user)
    # then the list shows only that person, and the other's page is not found
    page = client.get(reverse("people:people", args=[coalition.slug])).content.decode()
    assert "Shared Person" in page
    assert "Private Person" not in page
    private_url = reverse("people:person", args=[coalition.slug, people["private"].uuid])
    assert client.get(private_url).status_code == 404
    shared_url = reverse("people:person", args=[coalition.slug, people["shared"].uuid])
    assert client.get(shared_url).status_code == 200


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.VIEWER])
def test_only_stewards_tag_merge_and_erase(client, coalition, staff_factory, people, role):
    staff = staff_factory(coalition, role, membership=people["org"])
    client.force_login(staff.user)
    shared = people["shared"]
    responses = [
        client.post(reverse("people:tag_person", args=[coalition.slug, shared.uuid]), {"tag": "x"}),
        client.post(
            reverse("people:merge", args=[coalition.slug]),
            {"keep": shared.uuid, "merge": people["private"].uuid},
        ),
        client.post(
            reverse("people:erase_person", args=[coalition.slug, shared.uuid]),
            {"confirm": shared.uuid},
        ),
    ]
    assert [r.status_code for r in responses] == [403, 403, 403]
    assert Person.objects.filter(coalition=coalition).count() == 2
    assert Tagging.objects.count() == 0


def test_adding_a_known_email_merges(client, steward, people):
    client.force_login(steward.user)
    response = client.post(
        reverse("people:add_person", args=[steward.coalition.slug]),
        {"given_name": "Shared", "family_name": "Again", "email": "SHARED@example.org"},
    )
    assert response.status_code == 302
    assert Person.objects.filter(coalition=steward.coalition).count() == 2
    people["shared"].refresh_from_db()
    assert people["shared"].family_name == "Again"


def test_adding_without_email_or_phone_is_refused(client, steward):
    client.force_login(steward.user)
    response = client.post(
        reverse("people:add_person", args=[steward.coalition.slug]), {"given_name": "Nobody"}
    )
    assert response.status_code == 422
    assert "Give an email address or a phone number." in response.content.decode()
    assert Person.objects.count() == 0


def test_steward_tags_then_erases(client, steward, people):
    client.force_login(steward.user)
    slug, person = steward.coalition.slug, people["private"]
    client.post(reverse("people:tag_person", args=[slug, person.uuid]), {"tag": "Caller"})
    assert [t.tag.name for t in person.taggings.all()] == ["Caller"]
    # a POST without the confirmation erases nothing
    url = reverse("people:erase_person", args=[slug, person.uuid])
    assert client.post(url).status_code == 200
    assert Person.objects.filter(pk=person.pk).exists()
    # with it, the person is gone and the erasure logged
    assert client.post(url, {"confirm": str(person.uuid)}).status_code == 302
    assert not Person.objects.filter(pk=person.pk).exists()
    assert ErasureRecord.objects.filter(person_uuid=person.uuid).count() == 1


def test_duplicates_page_offers_a_merge(client, steward):
    coalition = steward.coalition
    for email in ("ana@example.org", "ana.lopes@example.org"):
        services.upsert_person(
            coalition=coalition,
            data=PersonData(
                given_name="Ana",
                family_name="Lopes",
                emails=[EmailInput(email)],
                addresses=[services.AddressInput(postal_code="02139")],
            ),
        )
    client.force_login(steward.user)
    page = client.get(reverse("people:duplicates", args=[coalition.slug])).content.decode()
    assert "similar name (100%) at postal code 02139" in page
    keep, merge = Person.objects.order_by("pk")
    response = client.post(
        reverse("people:merge", args=[coalition.slug]), {"keep": keep.uuid, "merge": merge.uuid}
    )
    assert response.status_code == 302
    assert Person.objects.count() == 1
    assert keep.emails.count() == 2


def test_a_list_with_criteria_is_a_saved_filter(client, steward):
    # given two supporters, one tagged and in 021xx
    coalition = steward.coalition
    inside = services.upsert_person(
        coalition=coalition,
        data=PersonData(
            given_name="Inside",
            emails=[EmailInput("in@example.org")],
            addresses=[services.AddressInput(postal_code="02139")],
        ),
    ).person
    services.tag_person(
        tag=services.create_tag(coalition=coalition, name="Caller")[0], person=inside
    )
    add(coalition, "out@example.org", "Outside")
    client.force_login(steward.user)
    # when a list is created with criteria
    response = client.post(
        reverse("people:lists", args=[coalition.slug]),
        {"name": "Cambridge callers", "tags": "caller", "postal_code_prefix": "021"},
    )
    # then it is a saved filter whose members follow from them
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Inside" in page
    assert "Outside" not in page
    add(coalition, "late@example.org", "Late")  # a later supporter who does not match
    assert "Late" not in client.get(response["Location"]).content.decode()


def test_steward_unsubscribes_an_address(client, steward):
    person = add(steward.coalition, "ana@example.org", "Ana")
    email = person.emails.get()
    client.force_login(steward.user)
    url = reverse("people:set_email_status", args=[steward.coalition.slug, person.uuid, email.pk])
    assert client.post(url, {"status": "unsubscribed"}).status_code == 302
    email.refresh_from_db()
    assert email.status == "unsubscribed"
    assert email.history.first().source.startswith("set by ")
