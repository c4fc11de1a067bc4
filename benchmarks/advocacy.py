"""Outreach intake per second — a supporter's letter through the public letter form — against the
same server's minimal view and the durable floor of `benchmarks/sign.py`, in one run.

    .venv/bin/python benchmarks/advocacy.py [--seconds 10] [--concurrency 32] [--database-url URL]

What it does, in one run, against one database (a fresh SQLite file in a temporary directory by
default; the PostgreSQL database named by --database-url otherwise, created if missing). The
server, its bench-only views and the load generators are `benchmarks/sign.py`'s (imported, not
copied): gunicorn with production settings and `CAIRN_WORKERS` workers, separate load-generator
processes, the same minimal and durable views.

1. migrates and sets up sign.py's petition and durable-floor table (`sign.create_petition`,
   `sign.create_durable_table`), then an open letter campaign (through the advocacy services)
   aimed at one decision-maker at large, whose office is emailed, with its per-address limit
   high enough to be counted on every request but never to refuse;
2. for --seconds each:
   - **minimal**: GET the view that returns "ok" — the ceiling of this server on this machine;
   - **durable**: sign.py's durable floor — its signing form POSTed (CSRF and all), validated,
     one INSERT under a unique index and one task row, a redirect;
   - **outreach**: POST the public letter form (`advocacy_public:write`) with the CSRF token its
     page gave and a new supporter each time: the view validates, resolves the targets, finds or
     creates the supporter (`upsert_person`), counts the address's letters in the last hour,
     inserts the outreach and one delivery per target, adds a timeline line and queues the email
     to the office (a task row, as in production), then redirects to the "sent" page;
3. prints requests/s, p50 and p99 latency and the CPU per request of each phase and the ratios
   outreach / minimal and outreach / durable; then checks that every 302 of the outreach phase
   made exactly one outreach (and one delivery and one queued email per target), and every 302
   of the durable phase one row.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# A port of its own (sign.py reads CAIRN_BENCH_PORT when imported; the load processes inherit
# it), so that this benchmark may run beside another of sign.py's family.
os.environ.setdefault("CAIRN_BENCH_PORT", str(_free_port()))

import sign  # noqa: E402 - the server and load machinery of the signing benchmark

SLUG = "benchmark-letter"
WRITE = f"/a/{SLUG}/"


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


def _letter_token() -> tuple[str, str]:
    """The CSRF cookie and token, as a supporter's browser gets them from the letter page."""
    _, cookie, body = sign._request("GET", WRITE)
    cookie_token = re.search(r"csrftoken=([^;]+)", cookie)
    form_token = re.search(rb'"X-CSRFToken": *"([^"]+)"', body) or re.search(
        rb'name="csrfmiddlewaretoken" value="([^"]+)"', body
    )
    if cookie_token is None or form_token is None:
        raise SystemExit("no CSRF token on the letter page")
    return cookie_token.group(1), form_token.group(1).decode()


class AdvocacyPlan(sign.Plan):
    """minimal and durable as sign.py asks for them; outreach: the public letter form."""

    def prepare(self, phase: str) -> Any:
        return _letter_token() if phase == "outreach" else super().prepare(phase)

    def request(self, phase: str, index: int, t: int, n: int, state: Any, take: Any) -> Any:
        if phase != "outreach":
            return super().request(phase, index, t, n, state, take)
        cookie, token = state
        body = urlencode(
            {
                "csrfmiddlewaretoken": token,
                "given_name": "Ana",
                "family_name": "Lima",
                "email": f"writer.{index}.{t}.{n}@example.org",
                "subject": "Fund the crisis beds",
                "body": "Dear Senator, please fund 40 psychiatric crisis beds this session.",
                "action": "letter",
                "postal_code": "",
                "district": "",
                "ref": "",
            }
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}",
            "X-Forwarded-For": f"10.{index}.{(n >> 8) & 255}.{n & 255}",
        }
        return ("POST", WRITE, body, headers)


# --- set-up --------------------------------------------------------------------------------------


def create_campaign() -> Any:
    """An open letter campaign of sign.py's coalition, to one decision-maker at large."""
    from cairn.advocacy import services
    from cairn.advocacy.models import AdvocacyCampaign
    from cairn.campaigns import services as campaigns
    from cairn.coalitions.models import Coalition

    AdvocacyCampaign.objects.filter(slug=SLUG).delete()
    coalition = Coalition.objects.get(slug="sign-benchmark")
    senator = campaigns.add_decision_maker(
        coalition=coalition, name="Sen. Patricia Holloway", title="Majority Leader"
    )
    campaign = services.create_advocacy_campaign(
        coalition=coalition,
        title="Benchmark letter",
        by=None,
        letter_subject="Fund the crisis beds",
        letter_body="Dear Senator, please fund 40 psychiatric crisis beds.",
        status=AdvocacyCampaign.Status.OPEN,
        hourly_limit_per_ip=10**9,  # counted on every request, never reached
    )
    AdvocacyCampaign.objects.filter(pk=campaign.pk).update(slug=SLUG)
    services.add_target(
        advocacy_campaign=campaign, decision_maker=senator, office_email="office@example.org"
    )
    return AdvocacyCampaign.objects.get(pk=campaign.pk)


def counts(campaign: Any) -> tuple[int, int, int]:
    """Outreaches, deliveries and queued office emails of the campaign."""
    from django_tasks_db.models import DBTaskResult

    from cairn.advocacy.models import Delivery, Outreach

    outreaches = Outreach.objects.filter(advocacy_campaign=campaign).count()
    deliveries = Delivery.objects.filter(advocacy_campaign=campaign).count()
    emails = DBTaskResult.objects.filter(task_path__contains="send_delivery_email").count()
    return outreaches, deliveries, emails


def main() -> None:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="cairn-advocacy-bench-"))
    server = None
    plan = AdvocacyPlan()
    try:
        env = sign.setup_django(work, args.database_url)
        sign.create_petition()  # migrates; the durable floor's form token comes from its page
        sign.create_durable_table()
        campaign = create_campaign()
        targets = campaign.targets.count()
        database = "PostgreSQL" if args.database_url else "SQLite"
        workers = env.get("CAIRN_WORKERS", str(2 * (os.cpu_count() or 1) + 1))
        print(
            f"{database}, gunicorn {workers} workers, {args.processes} load processes x "
            f"{max(1, args.concurrency // args.processes)} clients, {args.seconds:g} s per phase"
        )
        server = sign.start_server(env)
        # warm every worker up (imports, URL resolvers, templates), unmeasured
        warm = argparse.Namespace(**{**vars(args), "seconds": min(3.0, args.seconds)})
        for phase in ("minimal", "form"):  # sign.py's: nothing written
            sign.run_phase(phase, warm, plan=plan)
        before = counts(campaign)
        minimal = sign.measure("minimal", args, server, plan=plan)
        sign.report(minimal)
        durable = sign.measure("durable", args, server, plan=plan)
        sign.report(durable)
        outreach = sign.measure("outreach", args, server, plan=plan)
        sign.report(outreach)
        print(
            f"ratios: outreach / minimal {outreach['rate'] / minimal['rate']:.0%}, "
            f"outreach / durable {outreach['rate'] / durable['rate']:.0%}; "
            f"durable / minimal {durable['rate'] / minimal['rate']:.0%}"
        )
        if outreach.get("cpu_ms") and minimal.get("cpu_ms"):
            print(
                "server CPU ms per request: "
                f"minimal {minimal['cpu_ms']:.2f}, durable {durable['cpu_ms']:.2f}, "
                f"outreach {outreach['cpu_ms']:.2f}"
            )
        # the checks: one outreach per accepted POST, one delivery and one email per target
        after = counts(campaign)
        made = [a - b for a, b in zip(after, before, strict=True)]
        accepted = outreach["statuses"].get(302, 0)
        print(
            f"outreaches: {made[0]:,} rows for {accepted:,} redirects; "
            f"{made[1]:,} deliveries and {made[2]:,} queued emails for {targets} target(s)"
        )
        if not (made[0] == accepted and made[1] == made[2] == accepted * targets):
            raise SystemExit("MISMATCH")
        durable_rows, durable_made = sign.count_durable_rows(), durable["statuses"].get(302, 0)
        print(f"durable floor: {durable_rows:,} rows for {durable_made:,} redirects")
        if durable_rows != durable_made:
            raise SystemExit("MISMATCH (durable floor)")
        if set(minimal["statuses"]) != {200}:
            raise SystemExit("the minimal view answered other than 200")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if args.database_url:
            from cairn.coalitions.models import Coalition

            Coalition.objects.filter(slug="sign-benchmark").delete()
            sign.drop_durable_table()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
