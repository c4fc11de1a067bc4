"""Pages of letter and call campaigns: the public page (lookup → letter → sent, counted; a split
postal code; calls and their report; rate limit; closed), and the staff pages (create, targets,
district import refused with every problem, replies, print batch, permissions)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cairn.advocacy import services
from cairn.advocacy.models import AdvocacyCampaign, Delivery, DistrictTable, OfficeReply, Outreach
from cairn.coalitions.models import Coalition, Role, StaffMember

from .conftest import POSTAL_CSV, make_campaign, person, target

pytestmark = pytest.mark.django_db


def write_url(row: AdvocacyCampaign) -> str:
    return reverse("advocacy_public:write", args=[row.slug])


def letter(**extra: str) -> dict[str, str]:
    return {
        "given_name": "Ana",
        "family_name": "Lima",
        "email": "ana@example.org",
        "subject": "Fund the beds",
        "body": "Dear {target}, please fund crisis beds. {name}",
        "postal_code": "46201",
        "action": "letter",
        **extra,
    }


def test_supporter_looks_up_writes_and_is_counted(
    client: Any, advocacy: AdvocacyCampaign, django_capture_on_commit_callbacks: Any
) -> None:
    page = client.get(write_url(advocacy), {"postal_code": "46201"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Sam One" in html
    assert "Pat Leader" in html
    assert "Kim Two" not in html
    assert 'name="body"' in html
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(write_url(advocacy), letter())
    assert sent.status_code == 302
    thanks = client.get(sent["Location"])
    text = thanks.content.decode()
    assert "your letter is on its way" in text
    assert ">1</span>" in text
    assert Outreach.objects.get().ip == "127.0.0.1"
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    # posted twice: still one letter
    again = client.post(write_url(advocacy), letter())
    assert again.status_code == 302
    assert Outreach.objects.count() == 1


def test_split_postal_code_asks_for_the_district(client: Any, advocacy: AdvocacyCampaign) -> None:
    page = client.get(write_url(advocacy), {"postal_code": "46204"})
    html = page.content.decode()
    assert "split between districts" in html
    assert 'value="SD-1"' in html
    assert 'value="SD-2"' in html
    unknown = client.get(write_url(advocacy), {"postal_code": "99999"})
    assert unknown.status_code == 404
    assert "could not find" in unknown.content.decode()


def test_a_call_and_its_report(client: Any, advocacy: AdvocacyCampaign) -> None:
    sent = client.post(write_url(advocacy), letter(action="call", district="SD-2", postal_code=""))
    assert sent.status_code == 302
    page = client.get(sent["Location"])
    assert "tel:+1 317 555 0100" in page.content.decode()
    call = Delivery.objects.filter(channel="call").order_by("pk").first()
    assert call is not None
    token = sent["Location"].rstrip("/").split("/")[-1]
    report = client.post(
        reverse("advocacy_public:report", args=[advocacy.slug, token, call.pk]),
        {f"d{call.pk}-result": "voicemail", f"d{call.pk}-position_heard": "undecided"},
    )
    assert report.status_code == 302
    call.refresh_from_db()
    assert (call.call_result, call.position_heard) == ("voicemail", "undecided")


def test_rate_limited_post_is_429(client: Any, coalition: Coalition) -> None:
    row = make_campaign(coalition, hourly_limit_per_ip=1)
    assert client.post(write_url(row), letter()).status_code == 302
    refused = client.post(write_url(row), letter(email="bo@example.org"))
    assert refused.status_code == 429
    assert Outreach.objects.count() == 1


def test_draft_is_not_public_and_closed_says_so(client: Any, coalition: Coalition) -> None:
    draft = make_campaign(coalition, status="draft")
    assert client.get(write_url(draft)).status_code == 404
    services.update_advocacy_campaign(advocacy_campaign=draft, status="closed")
    page = client.get(write_url(draft))
    assert "closed" in page.content.decode()
    assert client.post(write_url(draft), letter()).status_code == 200
    assert Outreach.objects.count() == 0


@pytest.fixture
def steward_client(
    client: Any, coalition: Coalition, staff_factory: Callable[..., StaffMember]
) -> Any:
    staff = staff_factory(coalition, Role.STEWARD)
    client.force_login(staff.user)
    return client


def test_steward_creates_a_campaign_adds_targets_and_logs_a_reply(
    steward_client: Any, coalition: Coalition, advocacy: AdvocacyCampaign
) -> None:
    slug = coalition.slug
    made = steward_client.post(
        reverse("advocacy:new", args=[slug]),
        {"title": "Call the insurers", "kind": "call", "status": "open", "hourly_limit_per_ip": 30},
    )
    assert made.status_code == 302
    row = AdvocacyCampaign.objects.get(title="Call the insurers")
    added = steward_client.post(
        reverse("advocacy:targets", args=[slug, row.pk]),
        {"new_name": "Ida Insurer", "new_title": "CEO", "office_phone": "+1 317 555 0199"},
    )
    assert added.status_code == 302
    assert row.targets.count() == 1
    for name in ("list", "districts"):
        assert steward_client.get(reverse(f"advocacy:{name}", args=[slug])).status_code == 200
    for name in ("detail", "edit", "targets", "replies", "batches"):
        page = steward_client.get(reverse(f"advocacy:{name}", args=[slug, advocacy.pk]))
        assert page.status_code == 200, name
    sam = target(advocacy, "Sam One")
    logged = steward_client.post(
        reverse("advocacy:replies", args=[slug, advocacy.pk]),
        {
            "target": sam.pk,
            "received_on": "2020-01-02",
            "medium": "letter",
            "summary": "Will vote yes.",
            "position": "supportive",
        },
    )
    assert logged.status_code == 302
    assert OfficeReply.objects.get().position_change is not None


def test_print_batch_pages(
    steward_client: Any, coalition: Coalition, advocacy: AdvocacyCampaign
) -> None:
    services.record_outreach(
        advocacy_campaign=advocacy,
        person=person("bo@example.org", "Bo", "Diaz"),
        district="SD-2",
        body="Dear {target}, beds. {name}",
    )
    made = steward_client.post(reverse("advocacy:batches", args=[coalition.slug, advocacy.pk]))
    assert made.status_code == 302
    page = steward_client.get(made["Location"])
    html = page.content.decode()
    assert "Dear Kim Two, beds. Bo Diaz" in html
    assert "200 W Washington St" in html


def test_district_import_refused_with_every_problem(
    steward_client: Any, coalition: Coalition
) -> None:
    url = reverse("advocacy:districts", args=[coalition.slug])
    bad = steward_client.post(
        url,
        {
            "name": "Bad",
            "postal_csv": SimpleUploadedFile("bad.csv", b"zip,district\n46201,\n,SD-1\n"),
        },
    )
    html = bad.content.decode()
    assert bad.status_code == 422
    assert "bad.csv, line 2, district: is empty" in html
    assert "bad.csv, line 3, zip: is empty" in html
    assert not DistrictTable.objects.exists()
    good = steward_client.post(
        url, {"name": "Good", "postal_csv": SimpleUploadedFile("zips.csv", POSTAL_CSV)}
    )
    assert good.status_code == 302
    assert DistrictTable.objects.get().name == "Good"


def test_viewer_sees_but_does_not_change(
    client: Any,
    coalition: Coalition,
    advocacy: AdvocacyCampaign,
    staff_factory: Callable[..., StaffMember],
) -> None:
    viewer = staff_factory(coalition, Role.VIEWER)
    client.force_login(viewer.user)
    slug = coalition.slug
    assert client.get(reverse("advocacy:detail", args=[slug, advocacy.pk])).status_code == 200
    assert client.get(reverse("advocacy:new", args=[slug])).status_code == 403
    refused = client.post(
        reverse("advocacy:replies", args=[slug, advocacy.pk]),
        {
            "target": target(advocacy, "Sam One").pk,
            "received_on": "2020-01-02",
            "medium": "letter",
            "summary": "x",
        },
    )
    assert refused.status_code == 403
    assert not OfficeReply.objects.exists()
    assert client.get(reverse("advocacy:batch", args=[slug, advocacy.pk, 1])).status_code == 403


def test_other_coalition_sees_nothing(
    client: Any,
    advocacy: AdvocacyCampaign,
    coalition_factory: Any,
    staff_factory: Callable[..., StaffMember],
) -> None:
    other = coalition_factory()
    staff = staff_factory(other, Role.STEWARD)
    client.force_login(staff.user)
    assert client.get(reverse("advocacy:detail", args=[other.slug, advocacy.pk])).status_code == 404


def test_a_call_campaign_shows_no_letter(client: Any, coalition: Coalition) -> None:
    row = make_campaign(coalition, kind="call", call_script="Say: fund the beds.")
    page = client.get(write_url(row), {"district": "SD-1"})
    html = page.content.decode()
    assert 'name="body"' not in html
    assert "Show me who to call" in html
    sent = client.post(
        write_url(row),
        {"given_name": "Cy", "email": "cy@example.org", "district": "SD-1", "action": "call"},
    )
    assert sent.status_code == 302
    assert "Say: fund the beds." in client.get(sent["Location"]).content.decode()
    assert set(Delivery.objects.values_list("channel", flat=True)) == {"call"}
