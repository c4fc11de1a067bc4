"""The `cairn` console script.

cairn demo [--port N]   migrate, load the demo coalition, serve it on 127.0.0.1 with a task
                        worker beside it (dev settings)
cairn serve [...]       the production server: gunicorn on CAIRN_BIND (default 127.0.0.1:8000)
cairn worker [...]      run background tasks (django-tasks database backend)
cairn import-people FILE --coalition SLUG [...]   import people from a CSV file, with progress
cairn <command> [...]   any Django management command (migrate, createsuperuser, shell, ...);
                        hyphens stand for underscores (import-people = import_people)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence

DEMO_SETTINGS = "cairn.settings.dev"
DEFAULT_SETTINGS = "cairn.settings.dev"
PRODUCTION_SETTINGS = "cairn.settings.production"


def run_django(argv: Sequence[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    from django.core.management import execute_from_command_line

    execute_from_command_line(list(argv))


def demo(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser(prog="cairn demo", description="Run the demo coalition.")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--supporters", type=int, default=None, help="How many demo supporters to load."
    )
    parser.add_argument(
        "--no-serve", action="store_true", help="Prepare the database and exit (used by tests)."
    )
    args = parser.parse_args(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = DEMO_SETTINGS
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    if args.supporters is None:
        call_command("load_demo")
    else:
        call_command("load_demo", supporters=args.supporters)
    from cairn.coalitions.demo import DEMO_LOGIN, DEMO_PASSWORD

    url = f"http://127.0.0.1:{args.port}/"
    sys.stdout.write(
        f"\nCairn demo is ready at {url}\n"
        f"  sign in as {DEMO_LOGIN} / {DEMO_PASSWORD} (steward of the demo coalition)\n"
        f"  every demo user has the same password; see the README for the others.\n"
        f"  Stop with Ctrl-C.\n\n"
    )
    sys.stdout.flush()
    if not args.no_serve:
        # Emails, imports and recounts run in the task queue: the demo runs a worker beside the
        # server, so signing a petition prints its confirmation email on this console.
        worker = subprocess.Popen(
            [sys.executable, "-c", "from cairn.cli import main; main(['worker', '--no-reload'])"],
            env={**os.environ, "DJANGO_SETTINGS_MODULE": DEMO_SETTINGS},
        )
        try:
            call_command("runserver", f"127.0.0.1:{args.port}", use_reloader=False)
        finally:
            worker.terminate()
            worker.wait(timeout=30)


def serve(argv: Sequence[str]) -> None:
    """Production server. gunicorn: pre-fork workers suit synchronous Django and its DB pools."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", PRODUCTION_SETTINGS)
    bind = os.environ.get("CAIRN_BIND", "127.0.0.1:8000")
    workers = os.environ.get("CAIRN_WORKERS", str(2 * (os.cpu_count() or 1) + 1))
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "cairn.wsgi:application",
        "--bind",
        bind,
        "--workers",
        workers,
        "--access-logfile",
        "-",
        *argv,
    ]
    os.execvp(args[0], args)  # noqa: S606 - replaces this process with the server, no shell


def worker(argv: Sequence[str]) -> None:
    run_django(["cairn", "db_worker", *argv])


COMMANDS = {"demo": demo, "serve": serve, "worker": worker}


def django_name(command: str) -> str:
    """Django commands may be spelled with hyphens: `cairn import-people`, `cairn verify-log`."""
    return command if command.startswith("-") else command.replace("-", "_")


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv:
        argv[0] = django_name(argv[0])
    if argv and argv[0] in COMMANDS:
        COMMANDS[argv[0]](argv[1:])
        return
    if not argv or argv[0] in {"-h", "--help"}:
        sys.stdout.write(__doc__ or "")
        if not argv:
            return
    run_django(["cairn", *argv])
