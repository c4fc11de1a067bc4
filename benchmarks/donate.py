"""Donation intake and webhook processing per second, against the same server's minimal view and a
one-INSERT view, in one run.

    .venv/bin/python benchmarks/donate.py [--seconds 10] [--concurrency 32] [--database-url URL]

What it does, in one run, against one database (a fresh SQLite file in a temporary directory by
default; with --database-url, a new PostgreSQL database on that server, created for the run and
dropped at the end). The server and the load generators are `benchmarks/sign.py`'s (imported,
not copied): gunicorn with production settings and `CAIRN_WORKERS` workers, separate
load-generator processes.

1. migrates, creates a coalition, a member organization and an open fundraising page (through
   the services), and starts the local fake of Stripe's API (`fake_stripe.FakeStripe`, on
   127.0.0.1 in this process) that the server's workers call for checkout sessions;
2. for --seconds each:
   - **minimal**: GET a view that returns "ok" — the ceiling of this server on this machine;
   - **insert**: POST the donation form's fields (CSRF token and all) to a bench-only view that
     validates the amount and email and makes one INSERT (a row with a unique idempotency key),
     then redirects — the floor of any donation intake on this stack with one durable write;
   - **donate**: POST the real donation form (CSRF token, a new donor and idempotency key each
     time): the view validates, finds or creates the supporter (`upsert_person`), inserts the
     pending donation and asks the provider (the fake Stripe, over HTTP) for its checkout
     session, then redirects the donor there;
   - **insert-event**: POST a signed webhook body to a bench-only view that makes one INSERT of
     its event id (ON CONFLICT DO NOTHING) — the floor of any webhook on this stack;
   - **webhook**: POST Stripe's signed `checkout.session.completed` for each donation the
     donate phase made (its donors paid; the fake signs the events), each once, until they are
     all answered or the time is up: the webhook verifies the signature with the `stripe`
     library, stores the event once, marks the donation succeeded and posts it to the pooled
     fund's ledger, in one transaction (insert-event gets as many bodies);
3. prints requests/s, p50 and p99 latency and the CPU per request of each phase, and the ratios
   donate / minimal, donate / insert, webhook / minimal and webhook / insert-event; then checks
   that every 302 of donate made one donation and one checkout session, and every 200 of webhook
   one succeeded donation and one ledger transaction.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# A port of its own unless told (sign.py's 8765 may be another benchmark's), before sign reads it.
os.environ.setdefault("CAIRN_BENCH_PORT", str(_free_port()))

import sign  # noqa: E402 - the signing benchmark's server and load machinery, after its port
from bench_setup import create_pg_database, drop_pg_database  # noqa: E402

SLUG = "benchmark-give"
WEBHOOK = "/give/webhooks/stripe/"
WEBHOOK_SECRET = "whsec_donate_benchmark"  # noqa: S105 - the local fake's test secret
BENCH_URLS = """
from decimal import Decimal, InvalidOperation

from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

TABLE = "bench_gift"


def minimal(request):
    return HttpResponse("ok")


def insert(request):
    # the floor with one durable write: the donation form's amount and email checked, one INSERT
    # (its idempotency key unique, as a donation's is), a redirect
    try:
        amount = Decimal(request.POST.get("amount", ""))
    except InvalidOperation:
        return HttpResponse("invalid", status=422)
    email = request.POST.get("email", "")
    if amount <= 0 or "@" not in email:
        return HttpResponse("invalid", status=422)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (idempotency_key, email, amount) VALUES (%s, %s, %s)"
            " ON CONFLICT DO NOTHING",
            [request.POST.get("idempotency_key", ""), email, str(amount)],
        )
    return HttpResponseRedirect("/bench/minimal/")


@csrf_exempt
def insert_event(request):
    # the floor of a webhook: its body read, one INSERT of its event id, 200
    import json

    event = json.loads(request.body)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (idempotency_key, email, amount) VALUES (%s, '', 0)"
            " ON CONFLICT DO NOTHING",
            ["event:" + event["id"]],
        )
    return HttpResponse("ok")


urlpatterns = [
    path("bench/minimal/", minimal),
    path("bench/insert/", insert),
    path("bench/insert-event/", insert_event),
    path("", include("cairn.urls")),
]
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="Duration of each phase.")
    parser.add_argument("--concurrency", type=int, default=32, help="Requests in flight.")
    parser.add_argument("--processes", type=int, default=4, help="Load-generator processes.")
    parser.add_argument(
        "--database-url", default="", help="PostgreSQL URL (default: a fresh SQLite file)."
    )
    return parser.parse_args()


# --- what the load generators ask for -----------------------------------------------------------


def _form_token() -> tuple[str, str]:
    """The CSRF cookie and the form's token, as a donor's browser gets them from the page."""
    _, cookie, body = sign._request("GET", f"/give/{SLUG}/")
    cookie_token = re.search(r"csrftoken=([^;]+)", cookie)
    form_token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if cookie_token is None or form_token is None:
        raise SystemExit("no CSRF token on the fundraising page")
    return cookie_token.group(1), form_token.group(1).decode()


class DonatePlan(sign.Plan):
    def prepare(self, phase: str) -> Any:
        return _form_token() if phase in {"insert", "donate"} else None

    def request(self, phase: str, index: int, t: int, n: int, state: Any, take: Any) -> Any:
        if phase == "minimal":
            return ("GET", "/bench/minimal/", "", {})
        if phase in {"insert", "donate"}:
            cookie, token = state
            key = f"bench-{index}-{t}-{n}-{uuid.uuid4().hex[:8]}"
            body = urlencode(
                {
                    "csrfmiddlewaretoken": token,
                    "amount": "25",
                    "given_name": "Ana",
                    "family_name": "Lima",
                    "email": f"donor.{index}.{t}.{n}@example.org",
                    "idempotency_key": key,
                }
            )
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookie}",
                # one address per request: the page limits gifts started per address and hour
                "X-Forwarded-For": f"10.{index}.{(n >> 8) & 255}.{n & 255}",
            }
            target = "/bench/insert/" if phase == "insert" else f"/give/{SLUG}/donate/"
            return ("POST", target, body, headers)
        item = take()
        if item is None:
            return None
        payload, signature = json.loads(item)
        headers = {"Content-Type": "application/json", "Stripe-Signature": signature}
        return ("POST", WEBHOOK if phase == "webhook" else "/bench/insert-event/", payload, headers)


# --- set-up --------------------------------------------------------------------------------------


def create_page() -> Any:
    from django.core.management import call_command
    from django.utils import timezone

    from cairn.coalitions import services as coalitions
    from cairn.coalitions.models import Coalition
    from cairn.fundraising import services
    from cairn.fundraising.models import FundraisingPage

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    Coalition.objects.filter(slug="donate-benchmark").delete()
    today = timezone.localdate()
    coalition = Coalition.objects.create(
        name="Donate benchmark",
        slug="donate-benchmark",
        mission="Measure.",
        horizon_title="Now",
        horizon_start=today,
        horizon_end=today,
    )
    coalitions.add_organization(
        coalition=coalition, name="Bench House", sector="nonprofit", status="active", added_by=None
    )
    return services.create_page(
        coalition=coalition,
        title="Benchmark page",
        by=None,
        slug=SLUG,
        status=FundraisingPage.Status.OPEN,
        goal="100000",
        suggested_amounts=["10", "25", "50"],
    )


def create_table() -> None:
    from django.db import connection

    drop_table()
    key = (
        "id BIGSERIAL PRIMARY KEY"
        if connection.vendor == "postgresql"
        else "id INTEGER PRIMARY KEY AUTOINCREMENT"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE bench_gift ({key}, idempotency_key VARCHAR(100) NOT NULL UNIQUE,"
            " email VARCHAR(254) NOT NULL, amount DECIMAL(12, 2) NOT NULL)"
        )


def drop_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_gift")


def count_rows(like: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM bench_gift WHERE idempotency_key LIKE %s", [like])
        return int(cursor.fetchone()[0])


def paid_events(fake: Any, page: Any) -> list[str]:
    """The donors of the donate phase pay: the fake's signed checkout.session.completed each."""
    from cairn.fundraising.models import Donation

    sessions = Donation.objects.filter(page=page, status=Donation.Status.PENDING).values_list(
        "provider_checkout_id", flat=True
    )
    events = []
    for session_id in sessions:
        for payload, signature in fake.complete_checkout(session_id, deliver=False):
            events.append(json.dumps([payload.decode(), signature]))
    return events


def floor_events(count: int) -> list[str]:
    """As many signed bodies for the one-INSERT webhook floor (distinct event ids)."""
    from cairn.fundraising.providers.fake_stripe import sign as sign_payload

    events = []
    for _ in range(count):
        body = {"id": f"evt_{uuid.uuid4().hex}", "type": "checkout.session.completed"}
        payload = json.dumps(body).encode()
        events.append(json.dumps([payload.decode(), sign_payload(payload, WEBHOOK_SECRET)]))
    return events


def ratio(a: dict[str, Any], b: dict[str, Any]) -> str:
    return f"{a['rate'] / b['rate']:.0%}" if b["rate"] else "n/a"


def main() -> None:
    args = parse_args()
    # a SIGTERM (a timeout, a kill) stops the server and the fake too, through `finally`
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    work = Path(tempfile.mkdtemp(prefix="cairn-donate-bench-"))
    server = fake = None
    # On PostgreSQL a throwaway database on that server, created for the run and dropped after it
    database_url = (
        create_pg_database(args.database_url, prefix="cairn_donate_bench")
        if args.database_url
        else ""
    )
    plan = DonatePlan()
    try:
        from cairn.fundraising.providers.fake_stripe import FakeStripe

        fake = FakeStripe(webhook_secret=WEBHOOK_SECRET).start()
        os.environ.update(
            {
                "CAIRN_PAYMENTS": "fake",
                "CAIRN_STRIPE_API_BASE": fake.api_base,
                "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
                "CAIRN_SITE_URL": f"http://{sign.HOST}:{sign.PORT}",
            }
        )
        # A worker's first requests build the URLconf and the API's models: on a loaded machine
        # that outlasts gunicorn's default 30 s worker timeout, and the worker is killed.
        os.environ.setdefault("GUNICORN_CMD_ARGS", "--timeout 180")
        env = sign.setup_django(work, database_url, urls=BENCH_URLS)
        page = create_page()
        create_table()
        from cairn.fundraising.models import Donation
        from cairn.ledger.models import LedgerTransaction

        database = "PostgreSQL" if args.database_url else "SQLite"
        workers = env.get("CAIRN_WORKERS", str(2 * (os.cpu_count() or 1) + 1))
        print(
            f"{database}, gunicorn {workers} workers, {args.processes} load processes x "
            f"{max(1, args.concurrency // args.processes)} clients, {args.seconds:g} s per phase"
        )
        load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
        print(f"load average at start (1, 5, 15 min): {load} on {os.cpu_count()} CPUs")
        server = sign.start_server(env)
        warm = argparse.Namespace(**{**vars(args), "seconds": min(3.0, args.seconds)})
        for phase in ("minimal", "insert", "donate"):
            sign.run_phase(phase, warm, plan=plan)  # imports, URL resolvers, templates, stripe
        minimal = sign.measure("minimal", args, server, plan=plan)
        sign.report(minimal)
        warmed = count_rows("bench-%")  # the warm-up's rows are not the phase's
        insert = sign.measure("insert", args, server, plan=plan)
        sign.report(insert)
        before = Donation.objects.filter(page=page).count(), fake.created["checkout.session"]
        donate = sign.measure("donate", args, server, plan=plan)
        sign.report(donate)
        print(
            f"{'':>12}donate / minimal: {ratio(donate, minimal)}, / insert: {ratio(donate, insert)}"
        )
        made = Donation.objects.filter(page=page).count() - before[0]
        events = paid_events(fake, page)
        floor = sign.measure("insert-event", args, server, floor_events(len(events)), plan=plan)
        sign.report(floor)
        webhook = sign.measure("webhook", args, server, events, plan=plan)
        sign.report(webhook)
        print(
            f"{'':>12}webhook / minimal: {ratio(webhook, minimal)}, "
            f"/ insert-event: {ratio(webhook, floor)}"
        )
        print(
            f"ratios: donate / minimal {ratio(donate, minimal)}, donate / insert "
            f"{ratio(donate, insert)}; webhook / minimal {ratio(webhook, minimal)}, "
            f"webhook / insert-event {ratio(webhook, floor)}"
        )
        # the checks: one donation and one checkout per redirect; one succeeded donation and one
        # ledger transaction per webhook answered 200; the floors' rows likewise
        redirects = donate["statuses"].get(302, 0)
        sessions = fake.created["checkout.session"] - before[1]
        succeeded = Donation.objects.filter(page=page, status=Donation.Status.SUCCEEDED).count()
        posted = LedgerTransaction.objects.filter(source__endswith=":succeeded").count()
        answered = webhook["statuses"].get(200, 0)
        print(
            f"donations: {made:,} rows for {redirects:,} redirects, {sessions:,} checkout sessions;"
            f" {succeeded:,} succeeded and {posted:,} ledger transactions for {answered:,} webhooks"
        )
        floor_rows = count_rows("bench-%") - warmed, count_rows("event:%")
        print(
            f"floors: {floor_rows[0]:,} rows for {insert['statuses'].get(302, 0):,} redirects, "
            f"{floor_rows[1]:,} for {floor['statuses'].get(200, 0):,} events"
        )
        load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
        print(f"load average now (1, 5, 15 min): {load} on {os.cpu_count()} CPUs")
        if not (made == redirects == sessions and succeeded == posted == answered):
            raise SystemExit("MISMATCH")
        if floor_rows != (insert["statuses"].get(302, 0), floor["statuses"].get(200, 0)):
            raise SystemExit("MISMATCH (floors)")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if fake is not None:
            fake.stop()
        if database_url:  # the run's own database: dropped whole (donations are protected rows)
            from django.db import connections

            connections.close_all()
            drop_pg_database(database_url)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
