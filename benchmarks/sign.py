"""Sign a petition as fast as the production server allows, and compare with a minimal view.

    .venv/bin/python benchmarks/sign.py [--seconds 10] [--concurrency 32] [--database-url URL]

What it does, in one run, against one database (a fresh SQLite file in a temporary directory by
default; the PostgreSQL database named by --database-url otherwise, created if missing):

1. migrates, creates a coalition, a member organization and an open petition (through the
   services), with IP limits high enough that they are counted but never refuse;
2. starts the production server (gunicorn, production settings, `CAIRN_WORKERS` workers, default
   2 × CPUs + 1) on 127.0.0.1 behind a pretend proxy (`CAIRN_PROXY_HOPS=1`, so each request can
   carry its own client IP in X-Forwarded-For), with three extra URLs, all through the same
   middleware: a minimal view that returns "ok", and the two floors below;
3. from separate load-generator processes (not the server's, not this one's), for --seconds each:
   - **minimal**: GET the minimal view — the ceiling of this server on this machine;
   - **post** and **form**: POST the signing form's fields (CSRF token and all) to two more
     bench-only views: one that only parses the body and redirects, one that also validates the
     signing form — the floor of any signing view on this stack, without the database;
   - **sign**: POST the real signing form (CSRF token and all) with a new email each time: the
     sign view validates, screens the lists, counts the IP's recent signatures, inserts the
     signature and queues its confirmation email (a task row, as in production);
   - **confirm**: GET the confirmation links of the signatures just made (each counted once);
4. prints requests/s, p50 and p99 latency for each phase and the ratio sign / minimal (target
   ≥ 50 % on PostgreSQL), then checks that every 302 made exactly one signature and that the
   public count equals a recount from the rows, and removes what it created.

On Linux each phase also prints the CPU time spent per request by the server's processes
(gunicorn), by the database server (every PostgreSQL process on the machine; SQLite's work is
inside the server's) and by the load generators: on a machine shared with other work, req/s moves
with the neighbours' load, CPU per request much less, and the split shows where a request's cost
lies.

Other benchmarks reuse this one's machinery by importing it (`setup_django` with their own
bench-only URLs, `start_server`, a `Plan` subclass for what to request, `measure`, `report`).
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
# CAIRN_BENCH_PORT: another port, when two benchmarks run side by side (the load processes
# inherit it with the environment).
HOST, PORT = "127.0.0.1", int(os.environ.get("CAIRN_BENCH_PORT", "8765"))
SLUG = "benchmark-petition"
# GET phases: anonymous readers, no cookie (what a CDN in front would ask for on a miss)
READS = {
    "minimal": "/bench/minimal/",
    "read-page": f"/p/{SLUG}/",
    "read-count": f"/p/{SLUG}/counts.json",
}
POSTS = ("post", "form", "durable", "sign")
BENCH_SETTINGS = """
from cairn.settings.production import *  # noqa: F403

ROOT_URLCONF = "cairn_bench_urls"
"""
BENCH_URLS = """
from django.db import connection, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import include, path
from django_tasks_db.models import DBTaskResult

from cairn.engines.emails import canonical_email
from cairn.petitions import services, tasks
from cairn.petitions.forms import SignForm
from cairn.petitions.models import new_ref_code

DURABLE = "bench_durable"
DURABLE_COLUMNS = "petition_id, canonical_email, name, email, postal_code, country, ref_code"


def minimal(request):
    return HttpResponse("ok")


def durable(request):
    # the durable floor: the same form, validated, then one INSERT into a table with the same
    # unique index as signatures, and the same task row (in the same statement on PostgreSQL,
    # in one transaction elsewhere, as signing does), nothing else
    form = SignForm(request.POST)
    if not form.is_valid():
        return HttpResponse("invalid", status=422)
    data = form.cleaned_data
    ref = new_ref_code()
    site = request.build_absolute_uri("/").rstrip("/")
    task_fields, task_values = services._task_row(
        tasks.send_new_signature_confirmation, (ref, site), connection
    )
    qn = connection.ops.quote_name
    values = [1, canonical_email(data["email"]), data["name"], data["email"],
              data["postal_code"], data["country"], ref]
    insert = (f"INSERT INTO {DURABLE} ({DURABLE_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s)"
              " ON CONFLICT DO NOTHING RETURNING id")
    columns = ", ".join(qn(f.column) for f in task_fields)
    holes = ", ".join(["%s"] * len(task_fields))
    table = qn(DBTaskResult._meta.db_table)
    if connection.vendor == "postgresql":
        sql = (f"WITH s AS ({insert}), t AS (INSERT INTO {table} ({columns})"
               f" SELECT {holes} FROM s) SELECT id FROM s")
        with connection.cursor() as cursor:
            cursor.execute(sql, values + task_values)
            stored = cursor.fetchone()
    else:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(insert, values)
            stored = cursor.fetchone()
            if stored:
                cursor.execute(f"INSERT INTO {table} ({columns}) VALUES ({holes})", task_values)
    if stored is None:
        return HttpResponse("duplicate", status=409)
    return HttpResponseRedirect("/bench/minimal/?ref=" + ref)


def post(request):
    # the floor of any signing view on this stack: a CSRF-checked POST, parsed, redirected
    return HttpResponseRedirect("/bench/minimal/?ref=" + request.POST.get("name", "")[:4])


def form(request):
    # ... plus the signing form's validation: everything of signing but the database
    valid = SignForm(request.POST).is_valid()
    return HttpResponseRedirect("/bench/minimal/?ref=" + str(valid))


urlpatterns = [
    path("bench/minimal/", minimal),
    path("bench/post/", post),
    path("bench/form/", form),
    path("bench/durable/", durable),
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


# --- set-up --------------------------------------------------------------------------------------


def setup_django(work: Path, database_url: str, *, urls: str = BENCH_URLS) -> dict[str, str]:
    """Django set up in this process with production settings whose URLconf is `urls` (Python
    text: bench-only views, then `cairn.urls`); returns the environment for the server."""
    (work / "cairn_bench_settings.py").write_text(BENCH_SETTINGS)
    (work / "cairn_bench_urls.py").write_text(urls)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cairn_bench_settings",
        "CAIRN_SECRET_KEY": "benchmark-only-" + "x" * 50,
        "CAIRN_DATA_DIR": str(work),
        "CAIRN_ALLOWED_HOSTS": HOST,
        "CAIRN_SSL_REDIRECT": "0",
        "CAIRN_PROXY_HOPS": "1",
        "CAIRN_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(work), str(ROOT)]),
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
        ensure_postgres_database(database_url)
    os.environ.clear()
    os.environ.update(env)
    sys.path[:0] = [str(work), str(ROOT)]
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


def create_petition() -> Any:
    from django.conf import settings
    from django.core.management import call_command

    from cairn.coalitions import services as coalitions
    from cairn.coalitions.models import Coalition
    from cairn.petitions import services
    from cairn.petitions.models import Petition

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest pages need
    Coalition.objects.filter(slug="sign-benchmark").delete()
    Petition.objects.filter(slug=SLUG).delete()
    from django.utils import timezone

    today = timezone.localdate()
    coalition = Coalition.objects.create(
        name="Sign benchmark",
        slug="sign-benchmark",
        mission="Measure.",
        horizon_title="Now",
        horizon_start=today,
        horizon_end=today,
    )
    owner = coalitions.add_organization(
        coalition=coalition, name="Bench House", sector="nonprofit", status="active", added_by=None
    )
    petition = services.create_petition(
        owner=owner,
        data=services.PetitionData(
            title="Benchmark petition",
            thresholds=[{"count": 1000, "consequence": "Delivered"}],
        ),
        created_by=None,
        slug=SLUG,
    )
    petition = services.open_petition(petition=services.submit_petition(petition=petition))
    # IP limits counted on every request, never reached: the benchmark measures the checks, not
    # refusals. Trending at the site default: the benchmark's one email domain passes it and
    # alerts once, as a big real domain would, after which that domain is no longer counted.
    services.set_limits(
        coalition=coalition,
        burst=10**9,
        sustained=10**9,
        trending=getattr(settings, "CAIRN_SIGN_TRENDING_PER_HOUR", 200),
    )
    return petition


def create_durable_table() -> None:
    """The durable floor's table: the form's columns, and the same unique indexes as signatures
    (one signature per petition and canonical email; a unique referral code)."""
    from django.db import connection

    drop_durable_table()
    key = (
        "id BIGSERIAL PRIMARY KEY"
        if connection.vendor == "postgresql"
        else "id INTEGER PRIMARY KEY AUTOINCREMENT"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE bench_durable ({key}, petition_id BIGINT NOT NULL,"
            " canonical_email VARCHAR(254) NOT NULL, name VARCHAR(200) NOT NULL,"
            " email VARCHAR(254) NOT NULL, postal_code VARCHAR(16) NOT NULL,"
            " country VARCHAR(2) NOT NULL, ref_code VARCHAR(16) NOT NULL UNIQUE)"
        )
        cursor.execute(
            "CREATE UNIQUE INDEX bench_durable_unique_email"
            " ON bench_durable (petition_id, canonical_email)"
        )


def drop_durable_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_durable")


def count_durable_rows() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM bench_durable")
        return int(cursor.fetchone()[0])


def start_server(env: dict[str, str]) -> subprocess.Popen[bytes]:
    with socket.socket() as probe:  # another server there would be measured instead of ours
        if probe.connect_ex((HOST, PORT)) == 0:
            raise SystemExit(f"{HOST}:{PORT} is in use: set CAIRN_BENCH_PORT to a free port")
    workers = env.get("CAIRN_WORKERS", str(2 * (os.cpu_count() or 1) + 1))
    server = subprocess.Popen(  # noqa: S603 - our own server, fixed arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "cairn.wsgi:application",
            "--bind",
            f"{HOST}:{PORT}",
            "--workers",
            workers,
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=str(ROOT),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, PORT), timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    else:
        server.kill()
        raise SystemExit("the server did not start")
    return server


# --- the load generator (separate processes, plain sockets: no Django here) ----------------------


def _request(
    method: str, path: str, body: str = "", headers: dict[str, str] | None = None
) -> tuple[int, str, bytes]:
    conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
    try:
        conn.request(method, path, body=body.encode() or None, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, response.getheader("Set-Cookie") or "", data
    finally:
        conn.close()


def _csrf() -> tuple[str, str]:
    """The CSRF cookie and form token, as sign.js gets them (the cached page has none)."""
    _, cookie, body = _request("GET", f"/p/{SLUG}/form-token/")
    cookie_token = re.search(r"csrftoken=([^;]+)", cookie)
    form_token = re.search(rb'"token": *"([^"]+)"', body)
    if cookie_token is None or form_token is None:
        raise SystemExit("no CSRF token from the form-token address")
    return cookie_token.group(1), form_token.group(1).decode()


Request = tuple[str, str, str, dict[str, str]]  # method, path, body, headers


class Plan:
    """What the load generators ask for in each phase. Another benchmark subclasses it (at module
    level, so that the spawned load processes can unpickle it) and passes it to `run_phase` /
    `measure`; this one is the signing benchmark's."""

    def prepare(self, phase: str) -> Any:
        """Once per load process before the clock starts (e.g. a CSRF cookie and token)."""
        return _csrf() if phase in POSTS else ("", "")

    def request(
        self, phase: str, index: int, t: int, n: int, state: Any, take: Callable[[], str | None]
    ) -> Request | None:
        """Request `n` of client `t` in process `index`; `take()` hands out the phase's work
        items (each once, None when none is left); None stops the client."""
        ip = f"10.{index}.{t}.{n % 250 + 1}"
        if phase in READS:
            return ("GET", READS[phase], "", {})
        if phase in POSTS:
            cookie, token = state
            body = urlencode(
                {
                    "csrfmiddlewaretoken": token,
                    "name": "Ana Lima",
                    "email": f"bench.{index}.{t}.{n}@example.org",
                    "postal_code": "46201",
                    "country": "US",
                    "consent_updates": "on",
                }
            )
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookie}",
                "X-Forwarded-For": ip,
            }
            target = f"/p/{SLUG}/sign/" if phase == "sign" else f"/bench/{phase}/"
            return ("POST", target, body, headers)
        link = take()
        if link is None:
            return None
        return ("GET", link, "", {"X-Forwarded-For": ip})


def generate(
    phase: str,
    index: int,
    threads: int,
    seconds: float,
    work: list[str],
    results: Any,
    plan: Plan | None = None,
) -> None:
    """One load-generator process: `threads` clients requesting until the time is up."""
    plan = plan or Plan()
    try:
        state = plan.prepare(phase)
    except Exception as error:
        results.put(([], {f"setup error: {error!r}": 1}, 0.0))
        return
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    counter = iter(range(10**9))
    links = iter(work)

    def take() -> str | None:
        with lock:
            return next(links, None)

    def client(t: int) -> None:
        while time.monotonic() < deadline:
            n = next(counter)
            args = plan.request(phase, index, t, n, state, take)
            if args is None:
                return
            start = time.perf_counter()
            status, _, _ = _request(*args)
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

    started = time.monotonic()
    pool = [threading.Thread(target=client, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    results.put((latencies, statuses, time.monotonic() - started))


def run_phase(
    phase: str, args: argparse.Namespace, work: list[str] | None = None, plan: Plan | None = None
) -> dict[str, Any]:
    context = mp.get_context("spawn")
    results = context.Queue()
    threads = max(1, args.concurrency // args.processes)
    shares = [(work or [])[i :: args.processes] for i in range(args.processes)]
    processes = [
        context.Process(
            target=generate, args=(phase, i, threads, args.seconds, shares[i], results, plan)
        )
        for i in range(args.processes)
    ]
    for process in processes:
        process.start()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    elapsed = 0.0
    for _ in processes:
        part, codes, seconds = results.get(timeout=args.seconds + 120)
        latencies += part
        elapsed = max(elapsed, seconds)
        for code, count in codes.items():
            statuses[code] = statuses.get(code, 0) + count
    for process in processes:
        process.join()
    latencies.sort()
    return {
        "phase": phase,
        "requests": len(latencies),
        "rate": len(latencies) / elapsed if elapsed else 0.0,
        "p50": statistics.median(latencies) * 1000 if latencies else 0.0,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else 0.0,
        "statuses": statuses,
    }


def cpu_seconds(counted: Callable[[int, int, str], bool]) -> float | None:
    """User + system CPU so far of the processes for which counted(pid, ppid, name) holds
    (Linux /proc), else None."""
    try:
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # gone meanwhile
            name, rest = stat.split("(", 1)[1].rsplit(")", 1)
            fields = rest.split()
            if counted(int(entry.name), int(fields[1]), name):
                total += int(fields[11]) + int(fields[12])
        return total / ticks
    except (OSError, ValueError):
        return None


def server_cpu_seconds(server: subprocess.Popen[bytes]) -> float | None:
    """The server and its workers."""
    return cpu_seconds(lambda pid, ppid, _: server.pid in (pid, ppid))


def database_cpu_seconds() -> float | None:
    """Every PostgreSQL server process on this machine."""
    return cpu_seconds(lambda pid, ppid, name: name.startswith("postgres"))


def load_cpu_seconds() -> float:
    """CPU of this process's finished children: the load generators (joined after each phase)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(
    phase: str,
    args: argparse.Namespace,
    server: subprocess.Popen[bytes],
    work: list[str] | None = None,
    plan: Plan | None = None,
) -> dict[str, Any]:
    before = server_cpu_seconds(server), database_cpu_seconds(), load_cpu_seconds()
    row = run_phase(phase, args, work, plan)
    after = server_cpu_seconds(server), database_cpu_seconds(), load_cpu_seconds()
    for key, start, end in zip(("cpu_ms", "db_cpu_ms", "load_cpu_ms"), before, after, strict=True):
        row[key] = (
            (end - start) * 1000 / row["requests"]
            if start is not None and end is not None and row["requests"]
            else None
        )
    return row


def report(row: dict[str, Any]) -> None:
    cpu = "".join(
        f"  {label} {row[key]:.2f}"
        for key, label in (("cpu_ms", "server"), ("db_cpu_ms", "database"), ("load_cpu_ms", "load"))
        if row.get(key) is not None
    )
    cpu = f"  CPU ms/req:{cpu}" if cpu else ""
    print(
        f"{row['phase']:>10}: {row['requests']:>7,} requests  {row['rate']:>8.1f} req/s  "
        f"p50 {row['p50']:6.1f} ms  p99 {row['p99']:6.1f} ms{cpu}  statuses {row['statuses']}"
    )


def main() -> None:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="cairn-sign-bench-"))
    server = None
    try:
        env = setup_django(work, args.database_url)
        petition = create_petition()
        create_durable_table()
        from cairn.petitions import services
        from cairn.petitions.models import Signature

        database = "PostgreSQL" if args.database_url else "SQLite"
        workers = env.get("CAIRN_WORKERS", str(2 * (os.cpu_count() or 1) + 1))
        print(
            f"{database}, gunicorn {workers} workers, {args.processes} load processes x "
            f"{max(1, args.concurrency // args.processes)} clients, {args.seconds:g} s per phase"
        )
        server = start_server(env)
        # warm every worker up (imports, URL resolvers, templates), unmeasured: a cold first
        # phase made "minimal", the ceiling, look far slower than it is
        warm = argparse.Namespace(**{**vars(args), "seconds": 3.0})
        for phase in ("minimal", "read-page", "form"):
            run_phase(phase, warm)
        minimal = measure("minimal", args, server)
        report(minimal)
        floors = {}
        for phase in ("post", "form", "durable"):
            floors[phase] = floor = measure(phase, args, server)
            report(floor)
            print(f"{'':>12}{phase} / minimal: {floor['rate'] / minimal['rate']:.0%}")
        durable = floors["durable"]
        sign = measure("sign", args, server)
        report(sign)
        print(f"{'':>12}sign / durable: {sign['rate'] / durable['rate']:.0%} (target ≥ 70 %)")
        rows = list(Signature.objects.filter(petition=petition))
        links = [f"/p/confirm/{services.confirmation_token(s)}/" for s in rows]
        confirm = measure("confirm", args, server, links)
        report(confirm)
        reads = {}
        for phase, target in (("read-page", 0.70), ("read-count", 0.85)):
            reads[phase] = read = measure(phase, args, server)
            report(read)
            print(
                f"{'':>12}{phase} / minimal: {read['rate'] / minimal['rate']:.0%}"
                f" (target ≥ {target:.0%})"
            )
        ratio = sign["rate"] / minimal["rate"] if minimal["rate"] else 0.0
        print(
            f"sign / minimal: {ratio:.0%}; sign / durable floor: "
            f"{sign['rate'] / durable['rate']:.0%} (target ≥ 70 %)"
        )
        if sign.get("cpu_ms") and minimal.get("cpu_ms"):
            print(
                f"server CPU per request, minimal / sign: {minimal['cpu_ms'] / sign['cpu_ms']:.0%}"
                " (the ceiling of sign / minimal if the server's CPU were the only limit)"
            )
        # the checks: one row per successful POST; the count equals a recount
        made = sign["statuses"].get(302, 0)
        counted = services.current_count(petition)
        before, after = services.recount_petition(petition=petition)
        print(
            f"signatures: {len(rows):,} rows for {made:,} redirects; "
            f"count {counted:,}, recount {after:,}, confirmed {confirm['statuses'].get(200, 0):,}"
        )
        if len(rows) != made or before != after or counted != confirm["statuses"].get(200, 0):
            raise SystemExit("MISMATCH")
        durable_rows, durable_made = count_durable_rows(), durable["statuses"].get(302, 0)
        print(f"durable floor: {durable_rows:,} rows for {durable_made:,} redirects")
        if durable_rows != durable_made:
            raise SystemExit("MISMATCH (durable floor)")
        if any(set(r["statuses"]) != {200} for r in reads.values()):
            raise SystemExit("a read phase answered other than 200")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if args.database_url:
            from cairn.coalitions.models import Coalition

            Coalition.objects.filter(slug="sign-benchmark").delete()
            drop_durable_table()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
