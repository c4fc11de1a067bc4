"""The power map at 50,000 stakeholders and 250,000 relationships: import, recompute, map page.

    .venv/bin/python benchmarks/powermap.py                        # fresh SQLite file
    .venv/bin/python benchmarks/powermap.py --stakeholders 2000 --relationships 10000  # quick
    .venv/bin/python benchmarks/powermap.py \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres   # PostgreSQL (throwaway db)

What it does, in one run, in a fresh throwaway database (a SQLite file in a temporary directory
under var/, or a new PostgreSQL database `cairn_powermap_bench_<pid>` dropped at the end), with
production settings:

1. a coalition with --members active member organizations (in 4 sectors) and a campaign whose
   --targets decision-makers are its targets; the graph of benchmarks/graph_libraries.py's
   generator (communities of power-law sizes, one dominant sector each, power-law degrees,
   weights 0.1–10, 80 % directed), written as a Kumu-style pair of CSV files (elements:
   Label, ID, Type, Sector, Position, Influence, Description; connections: From, To, Type,
   Weight, Evidence). Some generated elements carry the members' and the decision-makers' names,
   so the import links them to their stakeholders;
2. **raw bulk load**: the same rows into a second coalition with `bulk_create` (stakeholders,
   then relationships; one transaction, no validation, no matching): the floor;
3. **import**: `cairn.powermap.importing.import_map` with the two files, in-process — reading,
   checking every cell, matching by ID and name, one transaction of bulk writes. Both rates in
   rows per second (stakeholders + relationships) and their ratio;
4. **full recompute**: `cairn.powermap.analysis.recompute_figures` (read the graph, PageRank,
   betweenness — sampled: pivots and the stated error printed —, paths and reach to the
   targets, constraint and effective size, communities, echo chamber, 50,000 figure rows
   written) --recomputes times: median and each, wall and CPU, and each step's median;
5. **the map page**: through the real Django stack (test Client, signed in as a steward), the
   map filtered to one sector (more than 2,000 stakeholders, so the view caps it at 2,000: the
   browser never receives 50,000): 3 warm-ups, then --requests timed GETs of the JSON the map
   draws (`map/data.json`) and of the page itself (`map/`); median and p95 server time (wall
   clock of the request in this process), the nodes and edges sent.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_setup import ROOT, create_pg_database, drop_pg_database, setup_django

WARM_UP = 3
BENCH_SETTINGS = """
from cairn.settings.production import *  # noqa: F403

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
"""
SECTORS = [
    "health_care",
    "insurance",
    "government",
    "nonprofit",
    "faith",
    "labor",
    "business",
    "academia",
    "media",
    "philanthropy",
    "community",
    "advocacy",
]
MEMBER_SECTORS = ["nonprofit", "health_care", "advocacy", "community"]
POSITIONS = ["opposed", "skeptical", "neutral", "supportive", "champion", "unknown"]
DIRECTED = ["funds", "board_seat", "employs", "member_of", "regulates", "covers", "votes_on"]
UNDIRECTED = ["allied_with", "personal_tie"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--database-url", default="", help="A PostgreSQL server to run on.")
    parser.add_argument("--stakeholders", type=int, default=50_000)
    parser.add_argument("--relationships", type=int, default=250_000)
    parser.add_argument("--members", type=int, default=12)
    parser.add_argument("--targets", type=int, default=10)
    parser.add_argument("--recomputes", type=int, default=3)
    parser.add_argument("--requests", type=int, default=20, help="Timed requests per page.")
    return parser.parse_args()


def landscape(args: argparse.Namespace, members: list[str], makers: list[str]) -> Any:
    """(element rows, connection rows) of the generated graph; node i is 'Stakeholder i' except
    the best-connected nodes, which carry the members' and decision-makers' names."""
    import numpy as np
    from graph_libraries import generate

    src, dst, weight, directed, sector = generate(args.stakeholders, args.relationships)
    n = args.stakeholders
    degree = np.bincount(np.concatenate([src, dst]), minlength=n)
    ranked = np.argsort(-degree, kind="stable").tolist()
    names = [f"Stakeholder {i:05d}" for i in range(n)]
    kinds = ["organization"] * n
    sectors = [SECTORS[s] for s in sector.tolist()]
    # decision-makers: well-connected people in government; members: organizations in theirs
    for position, name in enumerate(makers):
        i = ranked[position]
        names[i], kinds[i], sectors[i] = name, "person", "government"
    for position, name in enumerate(members):
        i = ranked[len(makers) + position]
        names[i], kinds[i] = name, "organization"
        sectors[i] = MEMBER_SECTORS[position % len(MEMBER_SECTORS)]
    rng = np.random.default_rng(11)
    kind_draw = rng.random(n)
    elements = []
    for i in range(n):
        kind = kinds[i]
        if names[i].startswith("Stakeholder"):
            kind = (
                "organization"
                if kind_draw[i] < 0.85
                else "person"
                if kind_draw[i] < 0.97
                else "office"
            )
        elements.append(
            {
                "Label": names[i],
                "ID": f"s{i}",
                "Type": kind,
                "Sector": sectors[i],
                "Position": POSITIONS[(i * 7919) % len(POSITIONS)],
                "Influence": str((i * 104729) % 101),
                "Description": f"Works on {sectors[i].replace('_', ' ')} in the state.",
            }
        )
    connections = []
    kinds_draw = rng.integers(0, 1_000_000, len(src))
    for a, b, w, d, k in zip(
        src.tolist(),
        dst.tolist(),
        weight.tolist(),
        directed.tolist(),
        kinds_draw.tolist(),
        strict=True,
    ):
        kind = DIRECTED[k % len(DIRECTED)] if d else UNDIRECTED[k % len(UNDIRECTED)]
        connections.append(
            {
                "From": f"s{a}",
                "To": f"s{b}",
                "Type": kind,
                "Weight": f"{w:.1f}",
                "Evidence": f"Annual report {2020 + k % 6}, page {k % 90 + 1}",
            }
        )
    return elements, connections


def as_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def raw_load(
    coalition: Any, elements: list[dict[str, str]], connections: list[dict[str, str]]
) -> tuple[float, float]:
    """bulk_create of the same rows, no checks: (wall, CPU) seconds."""
    from decimal import Decimal

    from django.db import transaction

    from cairn.powermap.models import Relationship, Stakeholder

    started, cpu = time.perf_counter(), time.process_time()
    with transaction.atomic():
        made = Stakeholder.objects.bulk_create(
            [
                Stakeholder(
                    coalition=coalition,
                    name=e["Label"],
                    external_id=e["ID"],
                    kind=e["Type"],
                    sector=e["Sector"],
                    position=e["Position"],
                    influence=int(e["Influence"]),
                    description=e["Description"],
                    origin="imported",
                )
                for e in elements
            ],
            batch_size=2000,
        )
        pk = {e["ID"]: s.pk for e, s in zip(elements, made, strict=True)}
        rows = []
        for c in connections:
            a, b = pk[c["From"]], pk[c["To"]]
            if c["Type"] in UNDIRECTED and a > b:
                a, b = b, a
            rows.append(
                Relationship(
                    coalition=coalition,
                    source_id=a,
                    target_id=b,
                    kind=c["Type"],
                    weight=Decimal(c["Weight"]),
                    evidence=c["Evidence"],
                )
            )
        Relationship.objects.bulk_create(rows, batch_size=2000)
    return time.perf_counter() - started, time.process_time() - cpu


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main() -> None:
    args = parse_args()
    (ROOT / "var").mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="powermap-bench-", dir=ROOT / "var"))
    database_url = (
        create_pg_database(args.database_url, prefix="cairn_powermap_bench")
        if args.database_url
        else ""
    )
    try:
        setup_django(
            work, database_url, module="cairn_powermap_bench_settings", settings=BENCH_SETTINGS
        )
        import sys

        sys.path.insert(0, str(ROOT / "benchmarks"))
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if database_url:
            drop_pg_database(database_url)
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace) -> None:
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from cairn.accounts.models import User
    from cairn.campaigns import services as campaigns
    from cairn.coalitions import services as coalitions
    from cairn.coalitions.models import Role, StaffMember
    from cairn.powermap import analysis
    from cairn.powermap import services as powermap
    from cairn.powermap.importing import Upload, import_map
    from cairn.powermap.models import Stakeholder, StakeholderFigure

    call_command("migrate", interactive=False, verbosity=0)
    vendor = connection.vendor
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if vendor == "sqlite" else "SHOW server_version")
        (version,) = cursor.fetchone()
    print(
        f"power map benchmark — {vendor} {version}, {args.stakeholders:,} stakeholders, "
        f"{args.relationships:,} relationships"
    )
    load_avg = ", ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"load average at start (1, 5, 15 min): {load_avg} on {os.cpu_count()} CPUs\n")
    steward = User.objects.create_user(email="steward@bench.example", password="x" * 20)
    today = timezone.localdate()

    def new_coalition(name: str) -> Any:
        coalition = coalitions.create_coalition(
            name=name,
            mission="Every county has psychiatric beds and crisis teams by the budget vote.",
            horizon_title="Budget vote",
            horizon_start=today,
            horizon_end=today + dt.timedelta(days=365),
            created_by=steward,
        )
        StaffMember.objects.get_or_create(
            coalition=coalition, user=steward, defaults={"role": Role.STEWARD}
        )
        return coalition

    coalition = new_coalition("Power map bench")
    members = [f"Member {i:02d}" for i in range(args.members)]
    for i, name in enumerate(members):
        coalitions.add_organization(
            coalition=coalition,
            name=name,
            sector=MEMBER_SECTORS[i % len(MEMBER_SECTORS)],
            status="active",
            added_by=None,
        )
    campaign = campaigns.create_campaign(
        coalition=coalition,
        name="Beds by the budget vote",
        theory_of_change="Move the committee.",
        starts_on=today,
        ends_on=today + dt.timedelta(days=200),
        created_by=None,
    )
    makers = [f"Decision-maker {i:02d}" for i in range(args.targets)]
    for name in makers:
        maker = campaigns.add_decision_maker(coalition=coalition, name=name)
        campaigns.add_target(
            campaign=campaign,
            decision_maker=maker,
            position="undecided",
            on=today,
            evidence="Hearing",
            recorded_by=None,
        )
    powermap.ensure_stakeholders_for_coalition(coalition=coalition)

    started = time.perf_counter()
    elements, connections = landscape(args, members, makers)
    files = [
        Upload("elements.csv", as_csv(elements)),
        Upload("connections.csv", as_csv(connections)),
    ]
    rows = len(elements) + len(connections)
    print(
        f"generated {len(elements):,} elements and {len(connections):,} connections "
        f"({sum(len(f.data) for f in files) / 1e6:.1f} MB of CSV) in "
        f"{time.perf_counter() - started:.1f} s"
    )

    raw_seconds, raw_cpu = raw_load(new_coalition("Raw bulk load"), elements, connections)
    started, cpu = time.perf_counter(), time.process_time()
    result = import_map(coalition=coalition, uploads=files, by=steward)
    import_seconds, import_cpu = time.perf_counter() - started, time.process_time() - cpu
    if not result.ok:
        raise SystemExit(f"the import refused the file: {result.problems[:5]}")
    print("\nimport (rows = stakeholders + relationships)")
    print(
        f"  raw bulk load (bulk_create)   {raw_seconds:8.1f} s  {rows / raw_seconds:10,.0f} rows/s"
        f"  (CPU {raw_cpu:.1f} s: {rows / raw_cpu:,.0f} rows per CPU second)"
    )
    print(
        f"  import_map (read, check,      {import_seconds:8.1f} s  "
        f"{rows / import_seconds:10,.0f} rows/s"
        f"  (CPU {import_cpu:.1f} s: {rows / import_cpu:,.0f} rows per CPU second)"
    )
    print(
        f"    match, write)               created {result.stakeholders_created:,} + "
        f"updated {result.stakeholders_updated:,} stakeholders, "
        f"{result.relationships_created:,} relationships"
    )
    print(
        f"  import / raw                  {raw_seconds / import_seconds:8.0%} "
        f"(CPU: {raw_cpu / import_cpu:.0%})"
    )

    print("\nfull recompute (recompute_figures)")
    durations, cpus = [], []
    timings: list[dict[str, tuple[float, float]]] = []
    for attempt in range(args.recomputes):
        timings.append({})
        started, cpu = time.perf_counter(), time.process_time()
        figures = analysis.recompute_figures(coalition, timings=timings[-1])
        durations.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
        print(
            f"  run {attempt + 1}: {durations[-1]:.2f} s (CPU {cpus[-1]:.2f} s) — "
            f"{figures.node_count:,} nodes, "
            f"{figures.edge_count:,} edges; betweenness {figures.betweenness_method}"
            + (
                f" from {figures.betweenness_sample_size} pivots, stated error "
                f"{figures.betweenness_error:.1%}"
                if figures.betweenness_method == "sampled"
                else ""
            ),
            flush=True,
        )
    print(
        f"  median {statistics.median(durations):.2f} s, CPU {statistics.median(cpus):.2f} s "
        "(target < 10 s)"
    )
    print("  per step, median of the runs (wall / CPU s):")
    for step in timings[0]:
        wall = statistics.median(t[step][0] for t in timings)
        step_cpu = statistics.median(t[step][1] for t in timings)
        print(f"    {step:<28} {wall:6.2f} / {step_cpu:5.2f}")
    load_avg = ", ".join(f"{n:.2f}" for n in os.getloadavg())
    print(f"  load average after the recomputes (1, 5, 15 min): {load_avg}")
    print(f"  figure rows stored: {StakeholderFigure.objects.filter(run=figures).count():,}")
    ranking = analysis.prospects_for_campaign(campaign)
    print(f"  prospects: {[p.name for p in ranking.prospects]} ({ranking.too_thin or 'ranked'})")

    client = Client()
    client.force_login(steward)
    sector = max(
        SECTORS[4:],
        key=lambda s: Stakeholder.objects.for_coalition(coalition).filter(sector=s).count(),
    )
    shown = Stakeholder.objects.for_coalition(coalition).filter(sector=sector).count()
    print(f"\nmap page filtered to sector {sector!r} ({shown:,} stakeholders, at most 2,000 sent)")
    for label, name in (("map/data.json", "powermap:map_data"), ("map/", "powermap:map")):
        url = reverse(name, args=[coalition.slug])
        times, cpus = [], []
        response = None
        for attempt in range(WARM_UP + args.requests):
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(url, {"sector": sector})
            elapsed = time.perf_counter() - started
            if attempt >= WARM_UP:
                cpus.append(time.process_time() - cpu)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            if attempt >= WARM_UP:
                times.append(elapsed)
        if response is None:
            raise SystemExit("no request was made")
        extra = ""
        if label.endswith(".json"):
            data = response.json()
            extra = (
                f", {len(data.get('nodes', [])):,} nodes and {len(data.get('edges', [])):,} edges"
            )
        print(
            f"  {label:<15} median {statistics.median(times) * 1000:7.1f} ms, "
            f"p95 {percentile(times, 0.95) * 1000:7.1f} ms (target p95 < 300 ms), "
            f"CPU median {statistics.median(cpus) * 1000:.1f} ms, "
            f"{len(response.content) / 1e6:.2f} MB{extra}"
        )


if __name__ == "__main__":
    main()
