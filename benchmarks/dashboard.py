"""Time the campaign dashboard over a large coalition, and show its query count is bounded.

    .venv/bin/python benchmarks/dashboard.py [--database-url URL] [--scale 1.0] [--requests 50]

What it does, in one run, in a fresh throwaway database (a SQLite file in a temporary directory
under var/ by default; with --database-url, a new PostgreSQL database on that server, created
for the run and dropped at the end — the database named in the URL is only used to connect):

1. migrates, then loads two coalitions by bulk loading (`executemany` in one transaction on
   SQLite, `COPY` on PostgreSQL; no services, no validation): a **large** one with, at
   --scale 1.0, 1,000,000 confirmed signatures on 4 petitions, 200,000 supporters, 100,000
   succeeded donations to a fundraising page (each crediting the host member that brought it, or
   none) and 5 years of daily measurements on 3 objectives, spread over 20 member organizations;
   and a **small** one with 1/100 of each. The donations are counted by fundraising's own
   engagement sources (`cairn.fundraising.engagement`: the amount per day and host member, and
   the donors), registered by the app as in production;
2. counts engagement as the task that keeps the counters fresh in production does
   (`cairn.campaigns.services.refresh_engagement`): a full recount (daily), then a recount of the
   recent days (every few minutes while the dashboard is read), and prints how long each took;
3. for each coalition, through the real Django stack (test Client, production settings, signed
   in as a steward): 5 warm-up requests, then --requests timed GETs of the campaign dashboard;
   prints p50 / p95 / max wall time, the p50 / p95 CPU time of this process per request (Python
   side, plus SQLite's work, which runs in-process; PostgreSQL's runs in its server), the SQL
   query count of one request (counted by an execute wrapper) and the ratio large / small. The
   load average is printed too: other work on the machine moves the wall-clock figures.
   Target: p95 < 150 ms, and the same query count at both sizes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench_setup import ROOT, create_pg_database, drop_pg_database, setup_django

FULL = {"signatures": 1_000_000, "people": 200_000, "donations": 100_000}
YEARS = 5
OBJECTIVES = 3
MEMBERS = 20
PETITIONS = 4
AMOUNTS = ("10", "25", "25", "50", "100", "12.50")  # one gift's amount, chosen per row
WARM_UP = 5
TARGET_P95_MS = 150.0
BENCH_SETTINGS = """
from cairn.settings.production import *  # noqa: F403

# Static files from the apps (no collectstatic for a benchmark); everything else as in production.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument(
        "--database-url",
        default="",
        help="A PostgreSQL server to run on (a throwaway database is created there and dropped).",
    )
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1,000,000 signatures.")
    parser.add_argument("--requests", type=int, default=50, help="Timed requests per size.")
    return parser.parse_args()


# --- bulk loading --------------------------------------------------------------------------------


class Loader:
    """Insert rows of a model by column, without model instances: COPY or executemany.

    Columns the caller does not give take the field's default (a callable default is called per
    row: unique tokens stay unique) or NULL.
    """

    BATCH = 20_000

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.postgres = connection.vendor == "postgresql"

    def value(self, v: Any) -> Any:
        if self.postgres or v is None:
            return v
        if isinstance(v, dt.datetime):
            return self.connection.ops.adapt_datetimefield_value(v)
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, uuid.UUID):
            return v.hex
        return v

    def _per_row(self, field: Any) -> Callable[[], Any]:
        """A new value of the field's callable default for each row, ready for the database."""

        def make() -> Any:
            return field.get_db_prep_save(field.default(), self.connection)

        return make

    def load(self, model: Any, given: list[str], rows: Iterator[tuple[Any, ...]]) -> int:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        by_name = {f.attname: f for f in fields}
        unknown = set(given) - set(by_name)
        if unknown:
            raise SystemExit(f"{model.__name__} has no column {unknown}")
        rest = [f for f in fields if f.attname not in given]
        constant: list[Any] = []
        per_row: list[Callable[[], Any]] = []
        for f in rest:
            if f.has_default() and callable(f.default):
                per_row.append(self._per_row(f))
            else:
                default = f.get_default() if f.has_default() else (None if f.null else "")
                constant.append(f.get_db_prep_save(default, self.connection))
        dynamic = [f for f in rest if f.has_default() and callable(f.default)]
        fixed = [f for f in rest if not (f.has_default() and callable(f.default))]
        columns = [by_name[name].column for name in given] + [f.column for f in dynamic + fixed]
        table = model._meta.db_table
        count = 0
        with self.connection.cursor() as cursor:
            if self.postgres:
                names = ", ".join(f'"{c}"' for c in columns)
                with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row((*row, *(make() for make in per_row), *constant))
                        count += 1
                return count
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" for _ in columns)
            sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608 - our tables
            raw = cursor.connection
            batch: list[tuple[Any, ...]] = []
            for row in rows:
                prepared = tuple(self.value(v) for v in row)
                dyn = tuple(make() for make in per_row)
                batch.append((*prepared, *dyn, *constant))
                if len(batch) >= self.BATCH:
                    raw.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                raw.executemany(sql, batch)
                count += len(batch)
        return count


def moments(n: int, first: dt.datetime, days: int, rng: random.Random) -> Iterator[dt.datetime]:
    """`n` aware datetimes spread over `days` days from `first`, in order."""
    step = days * 86_400 / max(n, 1)
    for i in range(n):
        yield first + dt.timedelta(seconds=i * step + rng.random() * step)


def build(label: str, factor: float, loader: Loader, steward: Any) -> dict[str, Any]:
    """A coalition, its members, a campaign with 3 objectives and its bulk-loaded rows."""
    from django.db import transaction
    from django.utils import timezone

    from cairn.campaigns import services as campaigns
    from cairn.campaigns.models import Direction, Measurement
    from cairn.coalitions import services as coalitions
    from cairn.coalitions.models import StaffMember
    from cairn.fundraising import services as fundraising
    from cairn.fundraising.models import Donation, FundraisingPage
    from cairn.people.models import Person
    from cairn.petitions.models import Petition, Signature

    rng = random.Random(f"dashboard-{label}")
    today = timezone.localdate()
    start = today - dt.timedelta(days=round(365.25 * YEARS))
    span = (today - start).days
    first = dt.datetime.combine(start, dt.time.min, tzinfo=timezone.get_current_timezone())
    counts = {key: max(round(n * factor), 1) for key, n in FULL.items()}
    days = max(round(span * factor), 2)
    with transaction.atomic():
        coalition = coalitions.create_coalition(
            name=f"Dashboard bench {label}",
            mission="Measure the dashboard.",
            horizon_title="Five years",
            horizon_start=start,
            horizon_end=today + dt.timedelta(days=365),
            created_by=steward,
        )
        members = [
            coalitions.add_organization(
                coalition=coalition,
                name=f"{label} member {i}",
                sector="nonprofit",
                status="active",
                added_by=None,
            )
            for i in range(MEMBERS)
        ]
        member_ids = [m.pk for m in members]
        campaign = campaigns.create_campaign(
            coalition=coalition,
            name="Fund the beds",
            theory_of_change="If we show the cost, they fund the beds.",
            starts_on=start,
            ends_on=today + dt.timedelta(days=365),
            created_by=steward,
        )
        objectives = [
            campaigns.add_objective(
                campaign=campaign,
                statement=f"Objective {i}",
                metric=f"Metric {i}",
                unit="beds",
                direction=Direction.UP,
                baseline_value=100,  # type: ignore[arg-type]
                baseline_on=today - dt.timedelta(days=days + 1),
                baseline_source="Census",
                target_value=200,  # type: ignore[arg-type]
                deadline=today + dt.timedelta(days=365),
            )
            for i in range(OBJECTIVES)
        ]
        petitions = [
            Petition.objects.create(
                coalition=coalition,
                owner=members[i],
                slug=f"bench-{label}-{i}",
                title=f"Petition {i}",
                status=Petition.Status.OPEN,
            )
            for i in range(PETITIONS)
        ]
        page = fundraising.create_page(
            coalition=coalition,
            title="Fund the beds",
            by=steward,
            status=FundraisingPage.Status.OPEN,
            campaign=campaign,
        )
        assert StaffMember.objects.filter(coalition=coalition, user=steward).exists()  # noqa: S101
        now = timezone.now()
        started = time.perf_counter()
        loaded: dict[str, int] = {}
        loaded["measurements"] = loader.load(
            Measurement,
            ["coalition_id", "objective_id", "on", "value", "source", "origin", "recorded_at"],
            (
                (coalition.pk, o.pk, today - dt.timedelta(days=d), 100 + (days - d) * 0.05,
                 "Census", "import", now)
                for o in objectives
                for d in range(days, 0, -1)
            ),
        )  # fmt: skip
        person_ids_from = _next_id(Person)
        loaded["people"] = loader.load(
            Person,
            ["coalition_id", "given_name", "source_membership_id", "created_at", "modified_at"],
            (
                (coalition.pk, f"P{i}", rng.choice(member_ids), at, at)
                for i, at in enumerate(moments(counts["people"], first, span, rng))
            ),
        )
        person_ids = range(person_ids_from, person_ids_from + loaded["people"])
        loaded["donations"] = loader.load(
            Donation,
            [
                "coalition_id",
                "page_id",
                "person_id",
                "amount",
                "currency",
                "status",
                "provider",
                "idempotency_key",
                "host_membership_id",
                "succeeded_at",
                "created_at",
                "modified_at",
            ],
            (
                (coalition.pk, page.pk, rng.choice(person_ids), Decimal(rng.choice(AMOUNTS)),
                 "USD", "succeeded", "stripe", f"bench-{i}", rng.choice([*member_ids, None]),
                 at + dt.timedelta(minutes=2), at, at + dt.timedelta(minutes=2))
                for i, at in enumerate(moments(counts["donations"], first, span, rng))
            ),
        )  # fmt: skip
        loaded["signatures"] = loader.load(
            Signature,
            [
                "coalition_id",
                "petition_id",
                "name",
                "email",
                "canonical_email",
                "email_domain",
                "postal_code",
                "country",
                "referring_membership_id",
                "created_at",
                "confirmed_at",
            ],
            (
                (coalition.pk, petitions[i % PETITIONS].pk, f"S{i}", f"s{i}@example.org",
                 f"s{i}@example.org", "example.org", "60601", "US",
                 rng.choice([*member_ids, None]), at, at + dt.timedelta(minutes=5))
                for i, at in enumerate(moments(counts["signatures"], first, span, rng))
            ),
        )  # fmt: skip
        seconds = time.perf_counter() - started
    _analyze(loader)
    return {
        "label": label,
        "coalition": coalition,
        "campaign": campaign,
        "loaded": loaded,
        "days": days,
        "seconds": seconds,
    }


def _next_id(model: Any) -> int:
    """The id the next bulk-loaded row gets (the load runs alone, in one transaction)."""
    from django.db import connection
    from django.db.models import Max

    if connection.vendor == "postgresql":
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            (sequence,) = cursor.fetchone()
            # the sequence's name comes from the catalog, not from input
            sql = f"SELECT last_value + (CASE WHEN is_called THEN 1 ELSE 0 END) FROM {sequence}"  # noqa: S608
            cursor.execute(sql)
            return int(cursor.fetchone()[0])
    return int(model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _analyze(loader: Loader) -> None:
    """Fresh planner statistics (and on PostgreSQL a vacuumed visibility map), as autovacuum
    would have after a real load — and so that it does not start in the middle of the timing."""
    with loader.connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if loader.postgres else "ANALYZE")


# --- timing --------------------------------------------------------------------------------------


def refresh(built: dict[str, Any]) -> tuple[float, float]:
    """Seconds of a full recount of the coalition's engagement, then of a recent-days one (what
    the task does every few minutes while the dashboard is read; a full one runs daily)."""
    from cairn.campaigns import services

    started = time.perf_counter()
    services.refresh_engagement(coalition=built["coalition"], full=True)
    full = time.perf_counter() - started
    started = time.perf_counter()
    services.refresh_engagement(coalition=built["coalition"], full=False)
    return full, time.perf_counter() - started


def measure(built: dict[str, Any], steward: Any, requests: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(steward)
    url = reverse(
        "campaigns:dashboard",
        kwargs={"slug": built["coalition"].slug, "campaign_id": built["campaign"].pk},
    )
    for _ in range(WARM_UP):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    queries: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    times, cpu = [], []
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200  # noqa: S101
    times.sort()
    return {
        "queries": len(queries),
        "p50": statistics.median(times),
        "p95": times[max(round(0.95 * len(times)) - 1, 0)],
        "max": times[-1],
        "cpu": statistics.median(cpu),
        "cpu95": sorted(cpu)[max(round(0.95 * len(cpu)) - 1, 0)],
        "bytes": len(response.content),
    }


def main() -> None:
    args = parse_args()
    (ROOT / "var").mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="dashboard-bench-", dir=ROOT / "var"))
    database_url = (
        create_pg_database(args.database_url, prefix="cairn_dashboard_bench")
        if args.database_url
        else ""
    )
    try:
        setup_django(
            work, database_url, module="cairn_dashboard_bench_settings", settings=BENCH_SETTINGS
        )
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if database_url:
            drop_pg_database(database_url)
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace) -> None:
    from django.core.management import call_command
    from django.db import connection

    from cairn.accounts.models import User

    call_command("migrate", interactive=False, verbosity=0)
    vendor = connection.vendor
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if vendor == "sqlite" else "SHOW server_version")
        (version,) = cursor.fetchone()
    print(f"campaign dashboard benchmark — {vendor} {version}, scale {args.scale}")
    load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"load average at start (1, 5, 15 min): {load} on {os.cpu_count()} CPUs")
    steward = User.objects.create_user(email="steward@bench.example", password="x" * 20)
    loader = Loader()
    results = []
    for label, factor in (("large", args.scale), ("small", args.scale / 100)):
        built = build(label, factor, loader, steward)
        loaded = ", ".join(f"{n:,} {k}" for k, n in built["loaded"].items())
        print(f"[{label}] loaded {loaded} in {built['seconds']:.1f} s")
        full, recent = refresh(built)
        print(
            f"[{label}] engagement counted by the task: full recount {full * 1000:,.0f} ms, "
            f"recent days {recent * 1000:,.0f} ms"
        )
        results.append((label, measure(built, steward, args.requests)))
    print()
    print(
        f"{'size':<6} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
        f"{'CPU p50':>8} {'CPU p95':>8} {'page KB':>8}"
    )
    for label, r in results:
        print(
            f"{label:<6} {r['queries']:>7} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['max']:>8.1f} "
            f"{r['cpu']:>8.1f} {r['cpu95']:>8.1f} {r['bytes'] / 1024:>8.0f}"
        )
    large, small = results[0][1], results[1][1]
    print(
        f"ratio large/small: p50 {large['p50'] / small['p50']:.2f}×, "
        f"p95 {large['p95'] / small['p95']:.2f}×; queries {large['queries']} vs {small['queries']}"
    )
    load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"load average now (1, 5, 15 min): {load} on {os.cpu_count()} CPUs")
    verdict = "met" if large["p95"] < TARGET_P95_MS else "MISSED"
    same = "same" if large["queries"] == small["queries"] else "DIFFERENT"
    print(f"target p95 < {TARGET_P95_MS:.0f} ms: {verdict}; query count at both sizes: {same}")


if __name__ == "__main__":
    main()
