"""A visitor signs a petition in a real browser; the confirmation email goes through a real SMTP
server on loopback (a small sink in this file: no dependency), its link confirms, the count goes
up. Then a moderator rejects another petition in moderation with a reason, confirming first, and
its page is not found. A rejected signature shows its errors in place, at desktop and phone
widths, and a failed request says so."""

from __future__ import annotations

import re
import socketserver
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes, policy

import pytest
from django.core.cache import cache
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
    # given the demo coalition with its live petition, and another petition in moderation
    coalition = load_demo()
    load_demo_petitions(coalition, confirmed=150)
    live = Petition.objects.get(slug=LIVE_SLUG)
    before = services.current_count(live)
    doubtful = services.submit_petition(
        petition=services.create_petition(
            owner=live.owner,
            data=PetitionData(title="Name and shame the senator's family"),
            created_by=None,
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

    # and the count went up by one (the public page is cached for CAIRN_PUBLIC_PAGE_SECONDS by
    # design: the live server shares this process's cache, so drop it rather than wait)
    cache.clear()
    page.goto(f"{base}/p/{LIVE_SLUG}/")
    expect(page.locator("[data-count]")).to_have_text(f"{before + 1:,}")
    assert Signature.objects.get(canonical_email="rosa.ortiz@example.org").confirmed_at
    page.screenshot(path=str(artifacts / "petition-page.png"), full_page=True)

    # when a moderator rejects the other petition with a reason, and confirms
    moderator = browser.new_context().new_page()
    moderator.goto(f"{base}/accounts/login/")
    moderator.get_by_label("Email").fill(DEMO_LOGIN)
    moderator.get_by_label("Password").fill(DEMO_PASSWORD)
    moderator.get_by_role("button", name="Sign in").click()
    moderator.goto(f"{base}/c/{DEMO_SLUG}/petitions/")
    moderator.get_by_role("link", name=doubtful.title).click()
    moderator.locator("summary", has_text="Reject").click()
    moderator.get_by_label("Reason", exact=True).select_option("personal_data")
    moderator.get_by_label("Explanation").fill("It targets private family members.")
    moderator.get_by_role("button", name="Reject…").click()
    expect(moderator.get_by_text("A rejection is final")).to_be_visible()
    moderator.screenshot(path=str(artifacts / "petition-reject-confirm.png"), full_page=True)
    moderator.get_by_role("button", name="Reject for good").click()
    expect(moderator.get_by_text("Rejected: Exposes someone's personal data")).to_be_visible()

    # then it is gone from the public list, and its page is not found
    page.goto(f"{base}/p/")
    expect(page.get_by_role("link", name=live.title)).to_be_visible()
    expect(page.get_by_role("link", name=doubtful.title)).to_have_count(0)
    gone = page.goto(f"{base}/p/{doubtful.slug}/")
    assert gone is not None
    assert gone.status == 404


@pytest.mark.parametrize(("width", "label"), [(1280, "desktop"), (390, "phone")])
def test_a_rejected_signature_shows_its_errors_in_place(
    live_server, browser, artifacts, width: int, label: str
):
    # given the demo's live petition, seen at desktop and at phone width
    coalition = load_demo()
    load_demo_petitions(coalition, confirmed=5)
    live = Petition.objects.get(slug=LIVE_SLUG)
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/p/{LIVE_SLUG}/")
    expect(page.get_by_role("heading", name=live.title, level=1)).to_be_visible()

    # when a visitor signs with a formula for a name and an address without its ending
    page.get_by_label("Your name").fill("=HYPERLINK(1)")
    page.get_by_label("Email", exact=True).fill("sam.typo@gmail")
    page.get_by_label("Postal code").fill("46205")
    page.get_by_role("button", name="Sign", exact=True).click()

    # then the errors show in place (the server answered 422), the first field in error has
    # the focus, and the likely address is suggested
    expect(page.get_by_text("Did you mean sam.typo@gmail.com?")).to_be_visible()
    expect(page.locator("#sign .field--error")).to_have_count(2)
    expect(page.get_by_label("Your name")).to_be_focused()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(artifacts / f"petition-sign-errors-{label}.png"), full_page=True)
    assert not Signature.objects.filter(petition=live, email__startswith="sam.typo").exists()

    # when they fix the name but mistype the domain
    page.get_by_label("Your name").fill("Sam Typo")
    page.get_by_label("Email", exact=True).fill("sam.typo@gmial.com")
    page.get_by_role("button", name="Sign", exact=True).click()
    # then they are asked once
    expect(page.get_by_text("Did you mean sam.typo@gmail.com?")).to_be_visible()
    page.screenshot(path=str(artifacts / f"petition-sign-typo-{label}.png"), full_page=True)

    # when they take the suggestion, the signature goes through
    page.get_by_label("Email", exact=True).fill("sam.typo@gmail.com")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert Signature.objects.filter(petition=live, email="sam.typo@gmail.com").exists()
    context.close()


def test_a_failed_request_says_so_instead_of_doing_nothing(live_server, page: Page, artifacts):
    # given the live petition, and a server that fails on signing
    coalition = load_demo()
    load_demo_petitions(coalition, confirmed=5)
    page.route(
        "**/sign/",
        lambda route: route.fulfill(status=500, body="<h1>Server Error</h1>"),
    )
    page.goto(f"{live_server.url}/p/{LIVE_SLUG}/")
    page.get_by_label("Your name").fill("Rosa Ortiz")
    page.get_by_label("Email", exact=True).fill("rosa@example.org")
    page.get_by_label("Postal code").fill("46205")
    # when they sign
    page.get_by_role("button", name="Sign", exact=True).click()
    # then the form stays, with an alert that says what happened
    expect(page.get_by_role("alert")).to_have_text(
        "Something went wrong on our side. Try again in a moment."
    )
    expect(page.get_by_label("Your name")).to_have_value("Rosa Ortiz")
    page.screenshot(path=str(artifacts / "petition-sign-server-error.png"), full_page=True)
