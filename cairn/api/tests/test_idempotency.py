"""`Idempotency-Key` on every POST: the same key and request within 24 h get the first answer back
without the work being done again; another request with the key is 422; a retry while the first
is at work waits for its answer or gets 409; failures give the key up; old keys are deleted."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import RequestFactory, override_settings
from django.utils import timezone

from cairn.api import services as api_services
from cairn.api.models import ApiToken, IdempotencyKey
from cairn.api.osdi import idempotency
from cairn.api.osdi.idempotency import request_hash
from cairn.people import services as people_services
from cairn.people.models import ListItem, Person, Tag, Tagging
from cairn.petitions.models import Petition, Signature

from .conftest import OsdiClient

pytestmark = pytest.mark.django_db


def keyed(key: str) -> dict[str, Any]:
    return {"headers": {"Idempotency-Key": key}}


def person(email: str = "ana@example.org", **fields: Any) -> dict[str, Any]:
    return {"person": {"given_name": "Ana", "email_addresses": [{"address": email}], **fields}}


@pytest.fixture
def owner(coalition, membership_factory):
    return membership_factory(coalition, name="Harbor House")


def test_a_retried_post_gets_the_first_answer_and_does_the_work_once(osdi, owner):
    # given a petition created with a key (every POST /petitions creates a new one)
    first = osdi.post("/api/v2/petitions", {"title": "Fund 40 beds"}, **keyed("k-1"))
    # when the client retries it with the same key and body
    again = osdi.post("/api/v2/petitions", {"title": "Fund 40 beds"}, **keyed("k-1"))
    # then the answer is the first one, status and body, marked as a replay
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"] == "application/json; charset=utf-8"
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    # and one petition exists
    assert Petition.objects.count() == 1
    # and a POST without a key still does the work every time
    osdi.post("/api/v2/petitions", {"title": "Fund 40 beds"})
    assert Petition.objects.count() == 2


def test_the_same_body_in_another_key_order_or_slash_form_is_the_same_request(osdi, owner):
    # given a keyed petition
    first = osdi.post(
        "/api/v2/petitions", {"title": "Beds", "description": "Why"}, **keyed("k-order")
    )
    # when retried with the JSON keys in another order, and the route's other slash form
    again = osdi.post(
        "/api/v2/petitions/", '{"description": "Why", "title": "Beds"}', **keyed("k-order")
    )
    # then it is a replay
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert Petition.objects.count() == 1


def test_the_same_key_with_another_body_is_422_and_does_nothing(osdi):
    # given a person signed up with a key
    assert osdi.post("/api/v2/people", person(), **keyed("k-2")).status_code == 200
    # when the key is sent again with another person
    other = osdi.post("/api/v2/people", person("bo@example.org"), **keyed("k-2"))
    # then 422 with the reason, and nobody new
    assert other.status_code == 422
    assert other.json() == {
        "error": "This Idempotency-Key was used with a different request; use a new key."
    }
    assert list(Person.objects.values_list("emails__address", flat=True)) == ["ana@example.org"]


def test_the_same_key_on_another_route_is_422(osdi, owner):
    osdi.post("/api/v2/tags", {"name": "Volunteer"}, **keyed("k-route"))
    # when the key is reused for a petition with the same body
    other = osdi.post("/api/v2/petitions", {"name": "Volunteer"}, **keyed("k-route"))
    # then refused: a key names one request
    assert other.status_code == 422
    assert not Petition.objects.exists()


def test_keys_belong_to_their_token(osdi, coalition, owner):
    # given a key used by one token
    osdi.post("/api/v2/petitions", {"title": "Beds"}, **keyed("shared"))
    other_token = api_services.create_token(coalition=coalition, name="b", created_by=None).raw
    # when another token sends the same key and body
    answer = OsdiClient(other_token).post("/api/v2/petitions", {"title": "Beds"}, **keyed("shared"))
    # then its request is its own
    assert answer.status_code == 200
    assert not answer.has_header("Idempotent-Replayed")
    assert Petition.objects.count() == 2


@pytest.mark.parametrize(
    "key",
    ["", "x" * 256, "naïve", "tab\there"],
    ids=["empty", "too-long", "non-ascii", "control"],
)
def test_a_malformed_key_is_400_and_does_nothing(osdi, key):
    answer = osdi.post("/api/v2/tags", {"name": "Volunteer"}, **keyed(key))
    assert answer.status_code == 400
    assert answer.json() == {"error": "An Idempotency-Key is 1 to 255 printable ASCII characters."}
    assert not Tag.objects.exists()


def test_an_answer_that_refuses_is_replayed_too(osdi):
    # given a refused signup (no email, no phone) with a key
    first = osdi.post("/api/v2/people", {"person": {"given_name": "Ana"}}, **keyed("k-400"))
    again = osdi.post("/api/v2/people", {"person": {"given_name": "Ana"}}, **keyed("k-400"))
    # then the refusal is the answer to the key
    assert first.status_code == again.status_code == 400
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"


def test_a_failed_request_gives_its_key_up(osdi, monkeypatch):
    # given a signup that crashes in the middle of its work
    real = people_services.upsert_person

    def crash(**kwargs: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(people_services, "upsert_person", crash)
    with pytest.raises(RuntimeError):
        osdi.post("/api/v2/people", person(), **keyed("k-crash"))
    assert not IdempotencyKey.objects.exists()
    # when the client retries with the same key once the server is well
    monkeypatch.setattr(people_services, "upsert_person", real)
    again = osdi.post("/api/v2/people", person(), **keyed("k-crash"))
    # then the work is done
    assert again.status_code == 200
    assert not again.has_header("Idempotent-Replayed")
    assert Person.objects.count() == 1


def test_a_rate_limited_answer_is_not_kept(osdi):
    # given a token over its limit
    with override_settings(CAIRN_API_RATE_LIMIT=0):
        refused = osdi.post("/api/v2/tags", {"name": "Volunteer"}, **keyed("k-429"))
    assert refused.status_code == 429
    # when it retries once the window allows it
    again = osdi.post("/api/v2/tags", {"name": "Volunteer"}, **keyed("k-429"))
    # then the tag is made
    assert again.status_code == 200
    assert not again.has_header("Idempotent-Replayed")
    assert list(Tag.objects.values_list("name", flat=True)) == ["Volunteer"]


def test_a_retry_while_the_first_is_at_work_gets_409_after_the_wait(osdi, raw_token):
    # given a key claimed by a request that has not answered yet
    token = ApiToken.objects.get(token_hash=api_services.hash_token(raw_token))
    api_services.claim_idempotency_key(
        token=token,
        key="k-busy",
        request_hash=_hash_of("/api/v2/tags", {"name": "Volunteer"}),
        lease=dt.timedelta(minutes=2),
    )
    # when the client retries and the first does not answer within the wait
    with override_settings(CAIRN_API_IDEMPOTENCY_WAIT_SECONDS=0.2):
        busy = osdi.post("/api/v2/tags", {"name": "Volunteer"}, **keyed("k-busy"))
    # then 409, try again shortly; nothing was done twice
    assert busy.status_code == 409
    assert busy["Retry-After"] == "1"
    assert "still in progress" in busy.json()["error"]
    assert not Tag.objects.exists()


def test_a_retry_while_the_first_is_at_work_waits_and_gets_its_answer(osdi, raw_token, monkeypatch):
    # given a key claimed by a request still at work
    token = ApiToken.objects.get(token_hash=api_services.hash_token(raw_token))
    held = api_services.claim_idempotency_key(
        token=token,
        key="k-wait",
        request_hash=_hash_of("/api/v2/tags", {"name": "Volunteer"}),
        lease=dt.timedelta(minutes=2),
    ).row
    assert held is not None
    waits: list[float] = []

    def first_request_answers(seconds: float) -> None:
        # the first request finishes while the retry waits
        waits.append(seconds)
        api_services.record_idempotent_answer(
            row=held, status_code=200, content_type="application/json", body='{"name": "first"}'
        )

    monkeypatch.setattr("cairn.api.osdi.idempotency.time.sleep", first_request_answers)
    # when the client retries
    answer = osdi.post("/api/v2/tags", {"name": "Volunteer"}, **keyed("k-wait"))
    # then it waited once and got the first request's answer, without doing the work
    assert waits == [idempotency.POLL_SECONDS]
    assert (answer.status_code, answer.json()) == (200, {"name": "first"})
    assert answer["Idempotent-Replayed"] == "true"
    assert not Tag.objects.exists()


def test_a_claim_whose_request_died_is_taken_over_after_the_lease(osdi, raw_token):
    # given a key claimed three minutes ago by a request that never answered (a killed worker)
    token = ApiToken.objects.get(token_hash=api_services.hash_token(raw_token))
    long_ago = timezone.now() - dt.timedelta(minutes=3)
    api_services.claim_idempotency_key(
        token=token,
        key="k-dead",
        request_hash=_hash_of("/api/v2/tags", {"name": "Volunteer"}),
        lease=dt.timedelta(minutes=2),
        now=long_ago,
    )
    # when the client retries
    answer = osdi.post("/api/v2/tags", {"name": "Volunteer"}, **keyed("k-dead"))
    # then this retry does the work and its answer is kept
    assert answer.status_code == 200
    assert list(Tag.objects.values_list("name", flat=True)) == ["Volunteer"]
    row = IdempotencyKey.objects.get()
    assert row.status_code == 200
    assert row.started_at > long_ago


def test_a_key_older_than_24_hours_is_forgotten(osdi, owner):
    # given a keyed petition made 25 hours ago, and another key of yesterday morning
    osdi.post("/api/v2/petitions", {"title": "Beds"}, **keyed("k-old"))
    osdi.post("/api/v2/petitions", {"title": "Other"}, **keyed("k-other"))
    IdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    # when the key is sent again
    again = osdi.post("/api/v2/petitions", {"title": "Beds"}, **keyed("k-old"))
    # then it is a new request, and every expired key is gone
    assert not again.has_header("Idempotent-Replayed")
    assert Petition.objects.count() == 3
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["k-old"]


def test_purge_deletes_only_expired_keys(osdi):
    osdi.post("/api/v2/tags", {"name": "A"}, **keyed("k-a"))
    osdi.post("/api/v2/tags", {"name": "B"}, **keyed("k-b"))
    IdempotencyKey.objects.filter(key="k-a").update(
        created_at=timezone.now() - dt.timedelta(hours=24, seconds=1)
    )
    assert api_services.purge_idempotency_keys() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["k-b"]


def test_put_ignores_the_header(osdi):
    made = osdi.post("/api/v2/people", person()).json()
    pid = made["identifiers"][0].split(":", 1)[1]
    for name in ("Bea", "Cy"):
        answer = osdi.put(f"/api/v2/people/{pid}", {"given_name": name}, **keyed("k-put"))
        assert answer.status_code == 200
    assert Person.objects.get().given_name == "Cy"
    assert not IdempotencyKey.objects.exists()


def test_every_post_route_replays(osdi, coalition, owner, person_factory):
    # given the API's POST routes, each with a body that does work
    ana = person_factory(email="ana@example.org")
    href = f"http://testserver/api/v2/people/{ana.uuid}"
    tag = osdi.post("/api/v2/tags", {"name": "Volunteer"}).json()
    tag_id = tag["identifiers"][0].split(":", 1)[1]
    people_list = people_services.create_list(coalition=coalition, name="Callers")
    list_id = people_list.uuid
    petition = osdi.post("/api/v2/petitions", {"title": "Beds"}).json()
    petition_id = petition["identifiers"][0].split(":", 1)[1]
    link = {"_links": {"osdi:person": {"href": href}}}
    posts = [
        ("/api/v2/people", person("bo@example.org")),
        ("/api/v2/tags", {"name": "Donor"}),
        (f"/api/v2/tags/{tag_id}/taggings", link),
        (f"/api/v2/lists/{list_id}/items", link),
        ("/api/v2/petitions", {"title": "Clinics"}),
        (f"/api/v2/petitions/{petition_id}/signatures", person("cy@example.org")),
    ]
    for n, (path, body) in enumerate(posts):
        # when each is sent twice with its key
        first = osdi.post(path, body, **keyed(f"route-{n}"))
        again = osdi.post(path, body, **keyed(f"route-{n}"))
        # then the second is the first's answer
        assert first.status_code == 200, (path, first.content)
        assert again["Idempotent-Replayed"] == "true", path
        assert again.content == first.content, path
    assert Petition.objects.count() == 2
    assert Signature.objects.count() == 1
    assert Tagging.objects.filter(tag__name="Volunteer").count() == 1
    assert ListItem.objects.filter(people_list=people_list).count() == 1
    assert IdempotencyKey.objects.filter(status_code=200).count() == len(posts)


def _hash_of(path: str, body: dict[str, Any]) -> str:
    """The request hash the server computes for this POST."""
    return request_hash(RequestFactory().post(path, body, content_type="application/json"))
