"""Import a generated CSV of N supporters (1,000,000 by default) through the real import path.

    .venv/bin/python benchmarks/import_people.py [--rows N] [--database-url URL]

What it does, in one run, against one database (a fresh SQLite file in a temporary directory by
default; the PostgreSQL database named by --database-url otherwise, created if missing):

1. migrates, creates a coalition and a member organization, writes a deterministic CSV of N rows
   (email, names, phone, city, state, zip, country, 0-2 of 6 tags);
2. **raw bulk load**: reads the same CSV with `csv.reader` and inserts the same rows into the same
   tables (person, email, subscription history, phone, address, sharing consent, timeline line,
   taggings) in one transaction, with ids reserved up front, by `executemany` (SQLite) or `COPY`
   (PostgreSQL): no validation, no dedup lookup, no ORM. This is the floor: what a loader that
   trusts its input costs. Its rows are then deleted (and, on PostgreSQL, the tables vacuumed),
   so the import that follows meets the same empty tables;
3. **import**: runs `cairn import-people FILE --coalition SLUG --source ORG` in a child process
   (upload → mapping → validation of every row → one-transaction bulk write), and measures its
   wall-clock time (process start to exit, Django start-up included) and its peak memory: the
   child's maximum resident set size (`ru_maxrss` from `os.wait4`);
   Both also report their CPU seconds (user + system; this process's for the raw load, the
   child's for the import; on PostgreSQL the server's CPU is in neither): on a shared machine
   the wall-clock figures move with the neighbours' load, the CPU figures much less;
4. checks that N people arrived, prints the figures and the ratio import rate / raw rate, then
   removes the benchmark's rows (PostgreSQL) or its temporary directory (SQLite).

Targets: import at ≥ 30 % of the raw rate, peak memory < 500 MB.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CAIRN = str(Path(sys.executable).with_name("cairn"))
BATCH = 2000
HEADER = ["Email", "First Name", "Last Name", "Phone", "City", "State", "Zip", "Country", "Tags"]
TAGS = ["volunteer", "donor", "caregiver", "nurse", "parent", "student"]
GIVEN = ["Maria", "Jose", "Aisha", "James", "Mei", "Olumide", "Priya", "Daniel", "Sofia", "Noah"]
FAMILY = ["Garcia", "Smith", "Okafor", "Nguyen", "Johnson", "Patel", "Kowalski", "Haddad", "Rossi"]
CITIES = [("Springfield", "IL"), ("Chicago", "IL"), ("Peoria", "IL"), ("Madison", "WI")]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--database-url", default="", help="PostgreSQL URL (default: a fresh SQLite file)."
    )
    return parser.parse_args()


def setup_django(data_dir: Path, database_url: str) -> dict[str, str]:
    """Production settings (DEBUG off), data in `data_dir`; the same environment for the child."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cairn.settings.production",
        "CAIRN_SECRET_KEY": "benchmark-only-" + "x" * 50,
        "CAIRN_DATA_DIR": str(data_dir),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
        ensure_postgres_database(database_url)
    os.environ.clear()
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return env


def ensure_postgres_database(url: str) -> None:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    params: dict[str, Any] = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{config["NAME"]}"')


def write_csv(path: Path, rows: int) -> None:
    rng = random.Random(2027)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(rows):
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            city, state = rng.choice(CITIES)
            tags = ";".join(rng.sample(TAGS, rng.randint(0, 2)))
            writer.writerow(
                [
                    f"{given}.{family}.{i}@example.org",
                    given,
                    family,
                    f"+1 555 {i // 10_000:03d} {i % 10_000:04d}",
                    city,
                    state,
                    f"{60000 + i % 2000}",
                    "US",
                    tags,
                ]
            )


# --- the raw bulk load ---------------------------------------------------------------------------


def reserve_ids(cursor: Any, postgres: bool, table: str, count: int) -> int:
    """The first of `count` consecutive ids for `table` (the caller holds the write lock)."""
    if postgres:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (sequence,) = cursor.fetchone()
        cursor.execute("SELECT nextval(%s)", [sequence])
        (first,) = cursor.fetchone()
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + count])
        return int(first)
    cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608 - our own table
    return int(cursor.fetchone()[0]) + 1


def chunks(reader: Iterator[list[str]], size: int) -> Iterator[list[list[str]]]:
    batch: list[list[str]] = []
    for row in reader:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def raw_load(path: Path, rows: int, coalition_id: int, membership_id: int) -> float:
    """Seconds to load the CSV's rows into the people tables by executemany / COPY, no checks."""
    from django.db import connection, transaction

    from cairn.coalitions.models import Coalition
    from cairn.people.models import (
        Activity,
        EmailAddress,
        Person,
        PhoneNumber,
        PostalAddress,
        SharingConsent,
        SubscriptionChange,
        Tagging,
    )
    from cairn.people.services import create_tag

    postgres = connection.vendor == "postgresql"
    now: Any = dt.datetime.now(tz=dt.UTC)
    if not postgres:
        now = connection.ops.adapt_datetimefield_value(now)

    def uid() -> Any:
        return uuid.uuid4() if postgres else uuid.uuid4().hex

    tables = {
        Person: (
            "id coalition_id uuid given_name family_name languages custom_fields "
            "source_membership_id source_action source_referral created_at modified_at"
        ),
        EmailAddress: "id coalition_id person_id address canonical primary status",
        SubscriptionChange: "id coalition_id email_id from_status to_status source changed_at",
        PhoneNumber: "id coalition_id person_id number as_typed number_type primary",
        PostalAddress: (
            "id coalition_id person_id primary address_lines locality region postal_code country"
        ),
        SharingConsent: "id coalition_id person_id membership_id granted_at source",
        Activity: "id coalition_id person_id kind summary occurred_at ref",
        Tagging: "id coalition_id uuid tag_id person_id created_at modified_at",
    }
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        coalition = Coalition.objects.get(pk=coalition_id)
        tag_ids = {name: create_tag(coalition=coalition, name=name)[0].pk for name in TAGS}
        first = {
            model: reserve_ids(cursor, postgres, model._meta.db_table, rows) for model in tables
        }
        first[Tagging] = reserve_ids(cursor, postgres, Tagging._meta.db_table, 2 * rows)
        tagging_id = first[Tagging]

        def insert(model: Any, values: list[tuple[Any, ...]]) -> None:
            table = connection.ops.quote_name(model._meta.db_table)
            names = ", ".join(connection.ops.quote_name(c) for c in tables[model].split())
            if postgres:
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for value in values:
                        copy.write_row(value)
            else:
                marks = ", ".join(["%s"] * len(tables[model].split()))
                sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - ours
                cursor.executemany(sql, values)

        with path.open(newline="", encoding="utf-8") as stream:
            reader = csv.reader(stream)
            next(reader)
            offset = 0
            details = ("import", "", now, now)
            subscribed = ("subscribed", "raw", now)
            for batch in chunks(reader, BATCH):
                ids = range(offset, offset + len(batch))
                offset += len(batch)
                person = [first[Person] + i for i in ids]
                email = [first[EmailAddress] + i for i in ids]
                insert(
                    Person,
                    [
                        (pk, coalition_id, uid(), r[1], r[2], "[]", "{}", membership_id, *details)
                        for pk, r in zip(person, batch, strict=True)
                    ],
                )
                insert(
                    EmailAddress,
                    [
                        (eid, coalition_id, pk, r[0].lower(), r[0].lower(), True, "subscribed")
                        for eid, pk, r in zip(email, person, batch, strict=True)
                    ],
                )
                insert(
                    SubscriptionChange,
                    [
                        (first[SubscriptionChange] + i, coalition_id, eid, "", *subscribed)
                        for i, eid in zip(ids, email, strict=True)
                    ],
                )
                insert(
                    PhoneNumber,
                    [
                        (
                            first[PhoneNumber] + i,
                            coalition_id,
                            pk,
                            r[3].replace(" ", ""),
                            r[3],
                            "",
                            True,
                        )
                        for i, pk, r in zip(ids, person, batch, strict=True)
                    ],
                )
                insert(
                    PostalAddress,
                    [
                        (first[PostalAddress] + i, coalition_id, pk, True, "[]", *r[4:8])
                        for i, pk, r in zip(ids, person, batch, strict=True)
                    ],
                )
                insert(
                    SharingConsent,
                    [
                        (first[SharingConsent] + i, coalition_id, pk, membership_id, now, "raw")
                        for i, pk in zip(ids, person, strict=True)
                    ],
                )
                insert(
                    Activity,
                    [
                        (first[Activity] + i, coalition_id, pk, "import", "Raw load", now, "raw")
                        for i, pk in zip(ids, person, strict=True)
                    ],
                )
                taggings = []
                for pk, r in zip(person, batch, strict=True):
                    for name in filter(None, r[8].split(";")):
                        taggings.append(
                            (tagging_id, coalition_id, uid(), tag_ids[name], pk, now, now)
                        )
                        tagging_id += 1
                insert(Tagging, taggings)
    return time.perf_counter() - start


def delete_rows(coalition_id: int, *, vacuum: bool) -> None:
    """Remove a coalition's people rows with plain SQL (the ORM's cascade would take hours)."""
    from django.db import connection, transaction

    from cairn.people.models import (
        Activity,
        EmailAddress,
        ImportJob,
        Person,
        PhoneNumber,
        PostalAddress,
        SharingConsent,
        SubscriptionChange,
        Tag,
        Tagging,
    )

    models: list[Any] = [
        Activity,
        SubscriptionChange,
        Tagging,
        EmailAddress,
        PhoneNumber,
        PostalAddress,
        SharingConsent,
        Person,
        Tag,
        ImportJob,
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for model in models:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"DELETE FROM {table} WHERE coalition_id = %s", [coalition_id])  # noqa: S608
    if vacuum and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


# --- the run -------------------------------------------------------------------------------------


def main() -> None:
    args = parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="cairn-bench-"))
    try:
        run(args, data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def run(args: argparse.Namespace, data_dir: Path) -> None:
    env = setup_django(data_dir, args.database_url)
    from django.core.management import call_command
    from django.db import connection

    from cairn.coalitions import services as coalition_services
    from cairn.coalitions.models import Coalition
    from cairn.people.models import Person

    call_command("migrate", interactive=False, verbosity=0)
    stamp = f"{int(time.time())}-{os.getpid()}"
    today = dt.datetime.now(tz=dt.UTC).date()

    def new_coalition(kind: str) -> Coalition:
        return Coalition.objects.create(
            name=f"Benchmark {kind} {stamp}",
            slug=f"bench-{kind}-{stamp}",
            mission="Benchmark",
            horizon_title="Benchmark",
            horizon_start=today,
            horizon_end=today,
        )

    path = data_dir / "people.csv"
    started = time.perf_counter()
    write_csv(path, args.rows)
    size_mb = path.stat().st_size / 1e6
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    seconds = time.perf_counter() - started
    print(f"csv: {args.rows:,} rows, {size_mb:.1f} MB, written in {seconds:.1f} s")

    raw = new_coalition("raw")
    raw_member = coalition_services.add_organization(
        coalition=raw, name="Source org", sector="nonprofit", added_by=None
    )
    cpu = os.times()
    raw_seconds = raw_load(path, args.rows, raw.pk, raw_member.pk)
    raw_cpu = (os.times().user - cpu.user) + (os.times().system - cpu.system)
    raw_count = Person.objects.filter(coalition=raw).count()
    assert raw_count == args.rows, raw_count  # noqa: S101 - a benchmark's sanity check
    delete_rows(raw.pk, vacuum=True)
    raw_member.delete()
    raw.delete()

    target = new_coalition("import")
    member = coalition_services.add_organization(
        coalition=target, name="Source org", sector="nonprofit", added_by=None
    )
    connection.close()  # the child writes; SQLite allows one writer at a time
    command = [CAIRN, "import-people", str(path), "--coalition", target.slug]
    command += ["--source", "Source org"]
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)  # noqa: S603
    assert child.stdout is not None  # noqa: S101 - piped above
    for line in child.stdout:
        print(f"  | {line.rstrip()}", flush=True)
    _, status, usage = os.wait4(child.pid, 0)
    import_seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        sys.exit(f"the import failed (exit code {child.returncode})")
    imported = Person.objects.filter(coalition=target).count()
    assert imported == args.rows, imported  # noqa: S101 - a benchmark's sanity check

    raw_rate = args.rows / raw_seconds
    import_rate = args.rows / import_seconds
    peak_mb = usage.ru_maxrss / 1024  # Linux reports kilobytes
    ratio = import_rate / raw_rate
    method = "COPY" if connection.vendor == "postgresql" else "executemany"
    print(f"raw bulk load ({method}; same rows, same tables, one transaction, no checks):")
    print(f"  {raw_seconds:.1f} s, {raw_rate:,.0f} rows/s (CPU {raw_cpu:.1f} s)")
    print("import (`cairn import-people`, child process, wall clock incl. start-up):")
    import_cpu = usage.ru_utime + usage.ru_stime
    print(f"  {import_seconds:.1f} s, {import_rate:,.0f} rows/s (CPU {import_cpu:.1f} s)")
    print(f"  peak memory: {peak_mb:,.0f} MB (ru_maxrss of the import process)")
    print(f"ratio import / raw: {ratio:.0%} (target >= 30%)")
    print(f"peak memory target < 500 MB: {'met' if peak_mb < 500 else 'NOT met'}")

    if connection.vendor == "postgresql":
        delete_rows(target.pk, vacuum=False)
        member.delete()
        target.delete()


if __name__ == "__main__":
    main()
