"""Kill -9 of the server and the task worker in the middle of a burst of signatures: after a
restart every signature that got a redirect is stored, none twice, each has its email's task,
and the count equals a recount. The production server (gunicorn) and the database task worker
run as real processes against the test database; they are killed with SIGKILL, whole process
groups at once (gunicorn's workers included), with requests in flight."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection
from django_tasks_db.models import DBTaskResult

from cairn.petitions import services
from cairn.petitions.models import Petition, Signature

ROOT = Path(__file__).resolve().parents[3]
NEW_SIGNATURE_TASK = "cairn.petitions.tasks.send_new_signature_confirmation"


def _settings_module(directory: Path) -> None:
    db = connection.settings_dict
    database = {
        key: str(db[key]) if key == "NAME" else db[key]
        for key in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT", "OPTIONS")
    }
    (directory / "crash_settings.py").write_text(
        "from cairn.settings.production import *  # noqa: F403\n"
        f"DATABASES = {{'default': {database!r}}}\n"
        "EMAIL_BACKEND = 'django.core.mail.backends.dummy.EmailBackend'\n"
        "STORAGES = {'default': {'BACKEND': 'django.core.files.storage.FileSystemStorage'},"
        " 'staticfiles': {'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}}\n"
    )


def _env(directory: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crash_settings",
        "CAIRN_SECRET_KEY": settings.SECRET_KEY,  # the test's: its tokens are ours
        "CAIRN_DATA_DIR": str(directory),
        "CAIRN_ALLOWED_HOSTS": "127.0.0.1",
        "CAIRN_SSL_REDIRECT": "0",
        "CAIRN_PROXY_HOPS": "1",
        "CAIRN_LOG_LEVEL": "ERROR",
        "PYTHONPATH": os.pathsep.join([str(directory), str(ROOT)]),
    }
    env.pop("DATABASE_URL", None)
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    # a session of its own, so that SIGKILL reaches the whole group (gunicorn's workers too)
    return subprocess.Popen(  # noqa: S603 - our own server and worker, fixed arguments
        [sys.executable, *args],
        env=env,
        cwd=str(ROOT),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    gunicorn = ["-m", "gunicorn", "cairn.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    server = _start([*gunicorn, "--workers", "3", "--log-level", "error"], env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if _get(port, "/p/")[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    _kill(server)
    raise AssertionError("the server did not start")


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return _start([str(ROOT / "manage.py"), "db_worker", "--interval", "0.1"], env)


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):  # gone already
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def _get(port: int, path: str) -> tuple[int, str, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.getheader("Set-Cookie") or "", response.read()
    finally:
        conn.close()


class Signers:
    """Clients signing with a new email each time; what each POST got (a status, or an error)."""

    def __init__(self, petition: Petition) -> None:
        self.slug = petition.slug
        self.port = 0
        self.cookie = self.token = ""
        self.answers: dict[str, int | str] = {}
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def csrf(self) -> None:
        _, cookie, body = _get(self.port, f"/p/{self.slug}/form-token/")
        found = re.search(r"csrftoken=([^;]+)", cookie)
        assert found is not None
        self.cookie = found.group(1)
        self.token = re.findall(rb'"token": *"([^"]+)"', body)[0].decode()

    def post(self, email: str, client: int) -> int | str:
        body = urlencode(
            {
                "csrfmiddlewaretoken": self.token,
                "name": "Ana Lima",
                "email": email,
                "postal_code": "46201",
                "country": "US",
            }
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={self.cookie}",
            "X-Forwarded-For": f"10.0.{client}.1",
        }
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("POST", f"/p/{self.slug}/sign/", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            return response.status
        except OSError as error:  # refused, reset, or cut off by the kill
            return type(error).__name__
        finally:
            conn.close()

    def run(self, client: int) -> None:
        n = 0
        while not self.stop.is_set():
            email = f"crash.{client}.{n}@example.org"
            n += 1
            answer = self.post(email, client)
            with self.lock:
                self.answers[email] = answer


def _confirm_some(port: int, stop: threading.Event, confirmed: list[str]) -> None:
    """Confirm signatures as they are stored (every third one), until stopped."""
    seen: set[int] = set()
    try:
        while not stop.is_set():
            for signature in Signature.objects.exclude(pk__in=seen).order_by("pk")[:50]:
                seen.add(signature.pk)
                if signature.pk % 3 == 0:
                    try:
                        status = _get(port, f"/p/confirm/{services.confirmation_token(signature)}/")
                    except OSError:
                        continue
                    if status[0] == 200:
                        confirmed.append(signature.canonical_email)
            time.sleep(0.05)
    finally:
        connection.close()  # this thread's own connection


@pytest.mark.django_db(transaction=True)
def test_kill_9_mid_signing_loses_nothing_that_was_answered_and_doubles_nothing(
    coalition: Any, petition: Petition, tmp_path: Path
) -> None:
    # given the production server and a task worker on the test database
    services.set_limits(coalition=coalition, burst=10**6, sustained=10**6, trending=10**6)
    _settings_module(tmp_path)
    env = _env(tmp_path)
    signers = Signers(petition)
    signers.port = _free_port()
    server, worker = _server(env, signers.port), _worker(env)
    signers.csrf()
    confirmed: list[str] = []
    confirming = threading.Thread(
        target=_confirm_some, args=(signers.port, signers.stop, confirmed)
    )
    clients = [threading.Thread(target=signers.run, args=(c,)) for c in range(8)]
    for thread in [*clients, confirming]:
        thread.start()
    # when both are killed with requests in flight (once a burst got its answers)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with signers.lock:
            if sum(1 for answer in signers.answers.values() if answer == 302) >= 40:
                break
        time.sleep(0.05)
    _kill(server)
    _kill(worker)
    signers.stop.set()
    for thread in [*clients, confirming]:
        thread.join(timeout=30)
    # then restarted; the clients whose requests failed try again, and some answered ones are
    # sent twice (a double click)
    server, worker = _server(env, signers.port), _worker(env)
    try:
        failed = [email for email, answer in signers.answers.items() if answer != 302]
        redirected = [email for email, answer in signers.answers.items() if answer == 302]
        for n, email in enumerate(failed + redirected[:20]):
            signers.answers[email] = signers.post(email, n % 8)
        # the worker catches up with the email tasks queued while it was down
        deadline = time.monotonic() + 20
        while DBTaskResult.objects.filter(status="READY").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        _kill(server)
        _kill(worker)

    answered = {email for email, answer in signers.answers.items() if answer == 302}
    stored = Counter(Signature.objects.filter(petition=petition).values_list("email", flat=True))
    assert len(redirected) >= 40, "the burst was too small to mean anything"
    assert len(answered) == len(signers.answers)  # every retry got its answer
    # every signature that got a redirect is stored, and none twice
    assert set(stored) == answered
    assert max(stored.values()) == 1
    # each has its confirmation email's task, exactly one
    tasks = Counter(
        args["args"][0]
        for args in DBTaskResult.objects.filter(task_path=NEW_SIGNATURE_TASK).values_list(
            "args_kwargs", flat=True
        )
    )
    refs = set(Signature.objects.filter(petition=petition).values_list("ref_code", flat=True))
    assert set(tasks) == refs
    assert max(tasks.values()) == 1
    # the count is the confirmed signatures, as a recount finds them
    assert confirmed, "no confirmation happened during the burst"
    count = services.current_count(petition)
    assert services.recount_petition(petition=petition) == (count, count)
    assert count == Signature.objects.filter(petition=petition, confirmed_at__isnull=False).count()
