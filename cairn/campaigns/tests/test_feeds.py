"""Measurement feeds, pulled from a loopback HTTP server serving JSON and CSV."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cairn.campaigns import feeds, services
from cairn.campaigns.models import Measurement, MeasurementFeed
from cairn.coalitions.models import Role

from .conftest import days

Routes = dict[str, tuple[int, dict[str, str], bytes]]


class _Handler(BaseHTTPRequestHandler):
    routes: Routes = {}

    def do_GET(self) -> None:
        status, headers, body = self.routes.get(self.path, (404, {}, b"not found"))
        if headers.get("X-Sleep"):
            time.sleep(float(headers["X-Sleep"]))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, Routes]]:
    routes: Routes = {}
    handler = type("Handler", (_Handler,), {"routes": routes})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", routes
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def _loopback_allowed(settings) -> None:
    # The test server listens on 127.0.0.1, which production refuses (see feeds' docstring).
    settings.CAIRN_FEED_ALLOW_PRIVATE = True


@pytest.fixture
def objective(campaign, objective_factory):
    return objective_factory(campaign)


def _json(records: object) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "application/json"}, json.dumps(records).encode()


def _feed(objective, url: str, **kw) -> MeasurementFeed:
    return services.set_measurement_feed(
        objective=objective, config=services.FeedSettings(url=url, **kw), by=None
    )


def test_a_json_feed_records_its_days(server, objective):
    # given a JSON document with its records under data.items and its own field names
    base, routes = server
    routes["/beds.json"] = _json(
        {
            "data": {
                "items": [
                    {"day": str(days(-3)), "beds": 12.5, "from": "State dashboard"},
                    {"day": str(days(-2)), "beds": 13},
                ]
            }
        }
    )
    feed = _feed(
        objective,
        f"{base}/beds.json",
        format="json",
        date_field="day",
        value_field="beds",
        source_field="from",
        records_path="data.items",
        default_source="Open data portal",
    )
    # when it is pulled
    result = feeds.pull_feed(feed=feed)
    # then both days are recorded, from the feed
    assert (result.outcome, result.created, result.skipped) == ("ok", 2, 0)
    rows = list(
        Measurement.objects.filter(objective=objective).values_list(
            "on", "value", "source", "origin"
        )
    )
    assert rows == [
        (days(-3), Decimal("12.5"), "State dashboard", "feed"),
        (days(-2), Decimal("13"), "Open data portal", "feed"),
    ]
    feed.refresh_from_db()
    assert (feed.outcome, feed.created_count, feed.errors) == ("ok", 2, [])


def test_a_csv_feed_maps_its_columns(server, objective):
    base, routes = server
    body = f"Datum;Wert;Quelle\n{days(-5)};14;Amt\n{days(-4)};15;Amt\n".encode()
    routes["/beds.csv"] = (200, {"Content-Type": "text/csv"}, body)
    feed = _feed(
        objective, f"{base}/beds.csv", date_field="datum", value_field="Wert", source_field="Quelle"
    )
    result = feeds.pull_feed(feed=feed)
    assert (result.outcome, result.created) == ("ok", 2)
    assert list(Measurement.objects.values_list("value", flat=True)) == [Decimal(14), Decimal(15)]


def test_pulling_twice_records_nothing_twice(server, objective):
    # given a feed pulled once, then grown by one day
    base, routes = server
    records = [{"date": str(days(-3)), "value": 12}, {"date": str(days(-2)), "value": 13}]
    routes["/f.json"] = _json(records)
    feed = _feed(objective, f"{base}/f.json", format="json", default_source="Portal")
    feeds.pull_feed(feed=feed)
    routes["/f.json"] = _json([*records, {"date": str(days(-1)), "value": 99}])
    # when it is pulled again (twice)
    second = feeds.pull_feed(feed=feed)
    third = feeds.pull_feed(feed=feed)
    # then only the new day was recorded, once
    assert (second.outcome, second.created, second.skipped) == ("ok", 1, 2)
    assert (third.outcome, third.created, third.skipped) == ("ok", 0, 3)
    assert Measurement.objects.filter(objective=objective).count() == 3


def test_a_bad_feed_records_nothing_and_says_why(client, coalition, steward, server, objective):
    # given a CSV feed with one good line, a bad number and a day in the future
    base, routes = server
    body = (
        f"date,value,source\n{days(-3)},12,census\n{days(-2)},twelve,census\n{days(2)},3,census\n"
    )
    routes["/bad.csv"] = (200, {}, body.encode())
    feed = _feed(objective, f"{base}/bad.csv", source_field="source")
    # when it is pulled
    result = feeds.pull_feed(feed=feed)
    # then nothing is recorded and each problem is kept with its line and field
    assert result.outcome == "failed"
    assert not Measurement.objects.exists()
    feed.refresh_from_db()
    assert [(e["line"], e["column"]) for e in feed.errors] == [(3, "value"), (4, "date")]
    assert "'twelve' is not a number" in feed.errors[0]["reason"]
    assert "is in the future" in feed.errors[1]["reason"]
    # and the objective's page shows them to a steward
    client.force_login(steward.user)
    page = client.get(
        reverse(
            "campaigns:objective", kwargs={"slug": coalition.slug, "objective_id": objective.pk}
        )
    ).content.decode()
    assert "The last pull failed" in page
    assert "&#x27;twelve&#x27; is not a number" in page


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        ((500, {}, b"oops"), "the server answered 500"),
        ((200, {}, b"{not json"), "the document is not JSON"),
        ((200, {}, b'{"rows": []}'), "the document has no 'data'"),
        ((302, {"Location": "file:///etc/passwd"}, b""), "'file:///etc/passwd' is not allowed"),
    ],
)
def test_a_feed_that_cannot_be_read_fails_with_its_reason(server, objective, route, reason):
    base, routes = server
    routes["/x"] = route
    feed = _feed(objective, f"{base}/x", format="json", records_path="data")
    result = feeds.pull_feed(feed=feed)
    assert result.outcome == "failed"
    assert reason in result.errors[0].reason
    assert not Measurement.objects.exists()


def test_only_http_and_https_are_fetched(objective):
    with pytest.raises(services.CampaignError):
        _feed(objective, "file:///etc/passwd")
    for url in ("file:///etc/passwd", "ftp://example.org/x.csv", "data:text/csv,date"):
        with pytest.raises(feeds.FetchError, match="only http and https"):
            feeds.fetch(url)


def test_private_addresses_are_refused_unless_allowed(settings, server, objective):
    settings.CAIRN_FEED_ALLOW_PRIVATE = False
    base, routes = server
    routes["/f.json"] = _json([{"date": str(days(-1)), "value": 1}])
    for url in (f"{base}/f.json", "http://169.254.169.254/latest/meta-data/", "http://[::1]/x"):
        with pytest.raises(feeds.FetchError, match="private or local network"):
            feeds.fetch(url)


def test_the_size_and_the_time_are_limited(settings, server):
    base, routes = server
    routes["/big"] = (200, {}, b"x" * 2000)
    routes["/slow"] = (200, {"X-Sleep": "1.5"}, b"date,value\n")
    with pytest.raises(feeds.FetchError, match="larger than"):
        feeds.fetch(f"{base}/big", limit=1000)
    settings.CAIRN_FEED_TIMEOUT = 0.3
    with pytest.raises(feeds.FetchError):
        feeds.fetch(f"{base}/slow")


def test_due_feeds_are_queued_once_per_interval(
    server, objective, django_capture_on_commit_callbacks
):
    # given a feed pulled every 6 hours
    base, routes = server
    routes["/f.json"] = _json([{"date": str(days(-1)), "value": 11}])
    feed = _feed(objective, f"{base}/f.json", format="json", default_source="P", interval_hours=6)
    # when the scheduler runs twice (the test backend runs the queued pulls at once)
    with django_capture_on_commit_callbacks(execute=True) as first:
        call_command("pull_measurement_feeds")
    with django_capture_on_commit_callbacks(execute=True) as second:
        call_command("pull_measurement_feeds")
    # then the feed was queued and pulled once
    assert (len(first), len(second)) == (1, 0)
    assert Measurement.objects.filter(objective=objective).count() == 1
    # and is due again once its interval has passed
    later = timezone.now() + dt.timedelta(hours=6, minutes=1)
    assert [f.pk for f in services.claim_due_feeds(now=later)] == [feed.pk]


def test_a_steward_sets_a_feed_and_pulls_it_now(
    client, coalition, steward, server, objective, django_capture_on_commit_callbacks
):
    base, routes = server
    routes["/f.csv"] = (200, {}, f"date,value\n{days(-1)},17\n".encode())
    client.force_login(steward.user)
    kw = {"slug": coalition.slug, "objective_id": objective.pk}
    response = client.post(
        reverse("campaigns:set_feed", kwargs=kw),
        {"url": f"{base}/f.csv", "format": "csv", "date_field": "date", "value_field": "value",
         "default_source": "Portal", "interval_hours": "24", "enabled": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("campaigns:pull_feed", kwargs=kw))
    assert response.status_code == 302
    assert list(Measurement.objects.values_list("value", "source")) == [(Decimal(17), "Portal")]
    page = client.get(reverse("campaigns:objective", kwargs=kw)).content.decode()
    assert "1 new measurement, 0 days already recorded" in page


def test_a_bad_address_is_refused_by_the_form(client, coalition, steward, objective):
    client.force_login(steward.user)
    kw = {"slug": coalition.slug, "objective_id": objective.pk}
    response = client.post(
        reverse("campaigns:set_feed", kwargs=kw),
        {"url": "file:///etc/passwd", "format": "csv", "date_field": "date",
         "value_field": "value", "interval_hours": "24"},
    )  # fmt: skip
    assert response.status_code == 422
    assert not MeasurementFeed.objects.exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ORGANIZER])
def test_only_stewards_set_or_pull_feeds(
    client, coalition, staff_factory, membership_factory, objective, role
):
    member = membership_factory(coalition)
    staff = staff_factory(coalition, role, membership=member if role == Role.ORGANIZER else None)
    feed = _feed(objective, "https://example.org/f.csv")
    client.force_login(staff.user)
    kw = {"slug": coalition.slug, "objective_id": objective.pk}
    data = {"url": "https://evil.example/x", "format": "csv", "date_field": "d",
            "value_field": "v", "interval_hours": "1"}  # fmt: skip
    assert client.post(reverse("campaigns:set_feed", kwargs=kw), data).status_code == 403
    assert client.post(reverse("campaigns:pull_feed", kwargs=kw)).status_code == 403
    page = client.get(reverse("campaigns:objective", kwargs=kw)).content.decode()
    assert "example.org/f.csv" not in page  # the address is for stewards only
    feed.refresh_from_db()
    assert (feed.url, feed.queued_at) == ("https://example.org/f.csv", None)
