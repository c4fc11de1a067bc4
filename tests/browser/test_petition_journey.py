"""A visitor signs a petition in a real browser; the confirmation email goes through a real SMTP
server on loopback (a small sink in this file: no dependency), its link confirms, the count goes
up. Then a moderator rejects another petition with a reason and it leaves the public list."""

from __future__ import annotations

import re
import socketserver
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes, policy

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect

from cairn.coalitions.demo import DEMO_LOGIN, DEMO_PASSWORD, DEMO_SLUG, load_demo
from cairn.petitions import services
from cairn.petitions.demo import LIVE_SLUG, load_demo_petitions
from cairn.petitions.models import Petition, Signature
from cairn.petitions.services import PetitionData

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) to accept what Django's SMTP backend sends."""

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 sink ESMTP")
        recipients: list[str] = []
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in {"EHLO", "HELO"}:
                self.reply("250 sink")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip(" <>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = bytearray()
                while (chunk := self.rfile.readline()) not in {b".\r\n", b""}:
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.server.messages.append((recipients, bytes(data)))  # type: ignore[attr-defined]
                self.reply("250 OK: queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("250 OK")


class SMTPSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SMTPHandler)
        self.messages: list[tuple[list[str], bytes]] = []

    def wait_for(self, recipient: str, timeout: float = 15) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for recipients, data in self.messages:
                if recipient in recipients:
                    message = message_from_bytes(data, policy=policy.default)
                    body = message.get_body(preferencelist=("plain",))
                    return str(body.get_content() if body else message.get_payload())
            time.sleep(0.1)
        raise AssertionError(f"no email to {recipient} reached the SMTP sink")


@pytest.fixture
def smtp_sink() -> Iterator[SMTPSink]:
    sink = SMTPSink()
    thread = threading.Thread(target=sink.serve_forever, daemon=True)
    thread.start()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=sink.server_address[1],
        EMAIL_USE_TLS=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
    ):
        yield sink
    sink.shutdown()
    sink.server_close()


def test_a_visitor_signs_confirms_by_email_and_a_moderator_rejects(
    live_server, page: Page, browser, smtp_sink: SMTPSink, artifacts
):
    # given the demo coalition with its live petition, and another petition that is open
    coalition = load_demo()
    load_demo_petitions(coalition, confirmed=150)
    live = Petition.objects.get(slug=LIVE_SLUG)
    before = services.current_count(live)
    doubtful = services.open_petition(
        petition=services.submit_petition(
            petition=services.create_petition(
                owner=live.owner,
                data=PetitionData(title="Name and shame the senator's family"),
                created_by=None,
            )
        )
    )
    base = live_server.url

    # when a visitor signs the live petition
    page.goto(f"{base}/p/{LIVE_SLUG}/")
    expect(page.get_by_role("heading", name=live.title, level=1)).to_be_visible()
    expect(page.locator("[data-count]")).to_have_text(f"{before:,}")
    page.get_by_label("Your name").fill("Rosa Ortiz")
    page.get_by_label("Email", exact=True).fill("Rosa.Ortiz@example.org")
    page.get_by_label("Postal code").fill("46205")
    page.get_by_label("Send me updates").check()
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(page.get_by_role("link", name="WhatsApp")).to_have_attribute("href", re.compile("ref"))
    page.screenshot(path=str(artifacts / "petition-thanks.png"), full_page=True)

    # then the confirmation email arrives through SMTP, and its link confirms the signature
    body = smtp_sink.wait_for("rosa.ortiz@example.org")
    link = re.search(r"https?://\S+/p/confirm/\S+/", body)
    assert link is not None
    assert re.search(r"/p/unsubscribe/\S+/", body)
    page.goto(link.group(0))
    expect(page.get_by_role("heading", name="Thank you: your signature counts")).to_be_visible()
    page.goto(link.group(0))
    expect(page.get_by_role("heading", name="Already confirmed")).to_be_visible()

    # and the count went up by one
    page.goto(f"{base}/p/{LIVE_SLUG}/")
    expect(page.locator("[data-count]")).to_have_text(f"{before + 1:,}")
    assert Signature.objects.get(canonical_email="rosa.ortiz@example.org").confirmed_at
    page.screenshot(path=str(artifacts / "petition-page.png"), full_page=True)

    # when a moderator rejects the other petition with a reason
    page.goto(f"{base}/p/")
    expect(page.get_by_role("link", name=doubtful.title)).to_be_visible()
    moderator = browser.new_context().new_page()
    moderator.goto(f"{base}/accounts/login/")
    moderator.get_by_label("Email").fill(DEMO_LOGIN)
    moderator.get_by_label("Password").fill(DEMO_PASSWORD)
    moderator.get_by_role("button", name="Sign in").click()
    moderator.goto(f"{base}/c/{DEMO_SLUG}/petitions/")
    moderator.get_by_role("link", name=doubtful.title).click()
    moderator.get_by_label("Reason", exact=True).select_option("personal_data")
    moderator.get_by_label("Explanation").fill("It targets private family members.")
    moderator.get_by_role("button", name="Reject").click()
    expect(moderator.get_by_text("Rejected: Exposes someone's personal data")).to_be_visible()

    # then it is gone from the public list, and its page is not found
    page.goto(f"{base}/p/")
    expect(page.get_by_role("link", name=live.title)).to_be_visible()
    expect(page.get_by_role("link", name=doubtful.title)).to_have_count(0)
    gone = page.goto(f"{base}/p/{doubtful.slug}/")
    assert gone is not None
    assert gone.status == 404
