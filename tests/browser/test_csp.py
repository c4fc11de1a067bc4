"""The Content-Security-Policy blocks nothing Cairn itself needs, in a real browser: sign-in (htmx),
the coalition home (progress bars), the campaign dashboard (charts), a petition, the Swagger UI of
the API; and a member's site may frame the widget but not the petition page."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from cairn.campaigns.models import Campaign
from cairn.coalitions.demo import DEMO_LOGIN, DEMO_PASSWORD, DEMO_SLUG, load_demo
from cairn.petitions.demo import LIVE_SLUG, load_demo_petitions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@contextmanager
def member_site(html: str) -> Iterator[str]:
    """A member organization's site: another origin, on loopback (Chromium refuses to let a
    public page frame a private address, so the page must really be served from loopback)."""
    body = html.encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def watch_violations(page: Page) -> list[str]:
    seen: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            seen.append(message.text)

    page.on("console", on_console)
    return seen


def test_cairn_pages_run_under_the_policy(live_server, page, artifacts):
    # given the demo coalition, its petitions and campaign
    coalition = load_demo()
    load_demo_petitions(coalition)
    campaign = Campaign.objects.get(coalition=coalition)
    base = live_server.url
    violations = watch_violations(page)

    # when the steward signs in and walks a few pages
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(DEMO_LOGIN)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/c/{DEMO_SLUG}/")
    bar = page.locator(".progress__bar").first
    expect(bar).to_be_visible()
    bar_width = bar.bounding_box()
    page.goto(f"{base}/c/{DEMO_SLUG}/campaigns/{campaign.pk}/dashboard/")
    expect(page.locator("#chain-chart-title")).to_have_count(1)
    page.goto(f"{base}/p/{LIVE_SLUG}/")
    expect(page.get_by_role("button", name="Sign", exact=True)).to_be_visible()
    page.goto(f"{base}/api/v2/docs")
    expect(page.locator(".swagger-ui .info .title")).to_be_visible()
    page.screenshot(path=str(artifacts / "csp-api-docs.png"))

    # then nothing was refused, and a bar drawn by a class has its width
    assert violations == []
    assert bar_width is not None
    assert bar_width["width"] > 0


def test_a_member_site_may_frame_the_widget_but_not_the_petition(live_server, page, artifacts):
    # given a member's site, on another origin, embedding both
    coalition = load_demo()
    load_demo_petitions(coalition)
    base = live_server.url
    html = (
        f'<iframe id="widget" src="{base}/p/{LIVE_SLUG}/widget/?ref=m-1"></iframe>'
        f'<iframe id="page" src="{base}/p/{LIVE_SLUG}/"></iframe>'
    )
    violations = watch_violations(page)
    # when
    with member_site(html) as url:
        page.goto(url)
        widget = page.frame_locator("#widget")
        # then the widget shows its form, the petition page is refused by frame-ancestors
        expect(widget.get_by_role("button", name="Sign", exact=True)).to_be_visible()
        page.screenshot(path=str(artifacts / "csp-widget-framed.png"))
    assert page.frame(url=f"{base}/p/{LIVE_SLUG}/") is None
    assert [v for v in violations if "frame-ancestors 'none'" in v] != []
