"""A local fake of the part of Stripe's API that Cairn calls, and of Stripe's signed webhooks.

It listens on 127.0.0.1 (never the network) and speaks what `stripe` (the official library) sends
once `stripe.api_base` points at it: form-encoded POSTs with bracketed keys, Bearer keys,
Idempotency-Key headers (a repeated key returns the first response, as Stripe does).

    fake = FakeStripe(webhook_secret="whsec_test").start()   # port 0: any free port
    stripe.api_base = fake.api_base
    ...                                                     # Cairn creates a checkout session
    events = fake.complete_checkout(session_id)             # the donor pays
    # each event is (payload bytes, Stripe-Signature header); with `webhook_url` set they are
    # POSTed there instead (the demo and the browser journey), otherwise kept in `fake.outbox`.

API routes: POST /v1/checkout/sessions, GET /v1/checkout/sessions/{id}, POST /v1/refunds,
GET/POST/DELETE /v1/subscriptions/{id}. A donor's browser: GET /checkout/{id} shows a test
payment page whose "Pay" (POST /checkout/{id}/pay) completes the session, sends the webhooks and
redirects to the session's success_url; "Cancel" goes to its cancel_url.

Test controls (Python): complete_checkout, expire_checkout, renew_subscription (a month paid),
fail_invoice (a month's payment failed), dispute (a chargeback, optionally closed won or lost),
event (any event of your own), sign. `requests_seen` counts API calls per (method, path) and
`created` the objects made, so tests can assert that 200 retries made one checkout session.

Run alone for a demo:  python -m cairn.fundraising.providers.fake_stripe --port 12111 \
    --webhook-url http://127.0.0.1:8000/give/webhooks/stripe/ --secret whsec_demo
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import html
import json
import re
import secrets
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

Event = tuple[bytes, str]


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """Stripe's `Stripe-Signature` header for `payload`: t=…,v1=HMAC-SHA256(secret, "t.payload")."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _nest(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding (a[b][0][c]=v) back to nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = [key.split("[", 1)[0], *re.findall(r"\[([^\]]*)\]", key)]
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists(root)


def _lists(node: Any) -> Any:
    if isinstance(node, dict):
        if node and all(k.isdigit() for k in node):
            return [_lists(node[k]) for k in sorted(node, key=int)]
        return {k: _lists(v) for k, v in node.items()}
    return node


class FakeStripe:
    def __init__(
        self,
        *,
        webhook_secret: str = "whsec_test_fake",  # noqa: S107 (the local fake's test secret)
        webhook_url: str = "",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.webhook_secret = webhook_secret
        self.webhook_url = webhook_url
        self.host, self.port = host, port
        self.lock = threading.RLock()
        self.sessions: dict[str, dict[str, Any]] = {}
        self.payment_intents: dict[str, dict[str, Any]] = {}
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.outbox: list[Event] = []
        self.requests_seen: Counter[tuple[str, str]] = Counter()
        self.created: Counter[str] = Counter()
        self._idempotent: dict[tuple[str, str], tuple[int, bytes]] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- life --------------------------------------------------------------------------------

    def start(self) -> FakeStripe:
        fake = self

        class Handler(_Handler):
            pass

        Handler.fake = fake
        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        return self.url

    # --- events ------------------------------------------------------------------------------

    def event(
        self, type_: str, obj: dict[str, Any], *, deliver: bool = True, at: int | None = None
    ) -> Event:
        """A signed event about `obj` (that happened `at`, Unix time; now by default); delivered
        (POSTed or kept in the outbox) unless told not."""
        body = {
            "id": _new_id("evt"),
            "object": "event",
            "api_version": "2025-01-27.acacia",
            "created": int(time.time()) if at is None else at,
            "livemode": False,
            "type": type_,
            "data": {"object": obj},
        }
        payload = json.dumps(body).encode()
        signed: Event = (payload, sign(payload, self.webhook_secret))
        if deliver:
            self._deliver([signed])
        return signed

    def _deliver(self, events: list[Event]) -> None:
        if not self.webhook_url:
            with self.lock:
                self.outbox.extend(events)
            return
        for payload, signature in events:
            request = urllib.request.Request(  # noqa: S310 (our own http:// webhook URL)
                self.webhook_url,
                data=payload,
                method="POST",
                headers={"Content-Type": "application/json", "Stripe-Signature": signature},
            )
            for _attempt in range(3):  # Stripe retries a failed delivery; so do we, briefly
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                        if response.status < 300:
                            break
                except OSError:
                    time.sleep(0.2)

    def _deliver_later(self, events: list[Event]) -> None:
        """After the API response has gone: the caller may still hold its transaction open."""
        if not self.webhook_url:
            self._deliver(events)
            return
        timer = threading.Timer(0.3, self._deliver, args=(events,))
        timer.daemon = True
        timer.start()

    def take_outbox(self) -> list[Event]:
        with self.lock:
            events, self.outbox = self.outbox, []
        return events

    # --- the donor and the bank (test controls) ---------------------------------------------

    def complete_checkout(
        self, session_id: str, *, deliver: bool = True, at: int | None = None
    ) -> list[Event]:
        """The donor pays: the session completes; a monthly one starts its subscription."""
        with self.lock:
            session = self.sessions[session_id]
            if session["status"] == "complete":
                return []
            session["status"], session["payment_status"] = "complete", "paid"
            customer = session.get("customer") or _new_id("cus")
            session["customer"] = customer
            amount, currency = session["amount_total"], session["currency"]
            if session["mode"] == "subscription":
                line = session["_line"]
                subscription_id = _new_id("sub")
                self.subscriptions[subscription_id] = {
                    "id": subscription_id,
                    "object": "subscription",
                    "status": "active",
                    "customer": customer,
                    "metadata": session.get("_subscription_metadata", {}),
                    "items": {
                        "object": "list",
                        "data": [
                            {
                                "id": _new_id("si"),
                                "object": "subscription_item",
                                "price": {
                                    "id": _new_id("price"),
                                    "product": _new_id("prod"),
                                    "unit_amount": line["unit_amount"],
                                    "currency": currency,
                                    "recurring": {"interval": "month"},
                                },
                                "quantity": 1,
                            }
                        ],
                    },
                }
                self.created["subscription"] += 1
                session["subscription"] = subscription_id
                invoice = self._invoice(subscription_id, "subscription_create", paid=True)
                session["invoice"] = invoice["id"]
            else:
                intent_id = _new_id("pi")
                self.payment_intents[intent_id] = {
                    "id": intent_id,
                    "object": "payment_intent",
                    "amount": amount,
                    "currency": currency,
                    "status": "succeeded",
                    "amount_refunded": 0,
                    "metadata": session.get("_payment_metadata", {}),
                }
                self.created["payment_intent"] += 1
                session["payment_intent"] = intent_id
            completed = self._public(session)
            events = [self.event("checkout.session.completed", completed, deliver=False, at=at)]
            if session["mode"] == "subscription":
                events.append(self.event("invoice.paid", invoice, deliver=False, at=at))
        if deliver:
            self._deliver(events)
        return events

    def expire_checkout(self, session_id: str, *, deliver: bool = True) -> list[Event]:
        with self.lock:
            session = self.sessions[session_id]
            session["status"] = "expired"
            events = [self.event("checkout.session.expired", self._public(session), deliver=False)]
        if deliver:
            self._deliver(events)
        return events

    def _invoice(self, subscription_id: str, reason: str, *, paid: bool) -> dict[str, Any]:
        subscription = self.subscriptions[subscription_id]
        price = subscription["items"]["data"][0]["price"]
        intent_id = _new_id("pi")
        self.payment_intents[intent_id] = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": price["unit_amount"],
            "currency": price["currency"],
            "status": "succeeded" if paid else "requires_payment_method",
            "amount_refunded": 0,
            "metadata": {},
        }
        self.created["invoice"] += 1
        return {
            "id": _new_id("in"),
            "object": "invoice",
            "billing_reason": reason,
            "customer": subscription["customer"],
            "subscription": subscription_id,
            "payment_intent": intent_id,
            "amount_due": price["unit_amount"],
            "amount_paid": price["unit_amount"] if paid else 0,
            "currency": price["currency"],
            "status": "paid" if paid else "open",
        }

    def renew_subscription(
        self, subscription_id: str, *, deliver: bool = True, at: int | None = None
    ) -> list[Event]:
        """A later month is paid."""
        with self.lock:
            invoice = self._invoice(subscription_id, "subscription_cycle", paid=True)
            events = [self.event("invoice.paid", invoice, deliver=False, at=at)]
        if deliver:
            self._deliver(events)
        return events

    def fail_invoice(self, subscription_id: str, *, deliver: bool = True) -> list[Event]:
        """A month's payment fails (the card expired)."""
        with self.lock:
            invoice = self._invoice(subscription_id, "subscription_cycle", paid=False)
            self.subscriptions[subscription_id]["status"] = "past_due"
            events = [self.event("invoice.payment_failed", invoice, deliver=False)]
        if deliver:
            self._deliver(events)
        return events

    def dispute(
        self, payment_intent_id: str, *, closed: str = "", deliver: bool = True
    ) -> list[Event]:
        """A chargeback on a payment; `closed` "won" or "lost" also closes it."""
        with self.lock:
            intent = self.payment_intents[payment_intent_id]
            dispute = {
                "id": _new_id("dp"),
                "object": "dispute",
                "amount": intent["amount"],
                "currency": intent["currency"],
                "payment_intent": payment_intent_id,
                "charge": _new_id("ch"),
                "status": "needs_response",
            }
            events = [self.event("charge.dispute.created", dict(dispute), deliver=False)]
            if closed:
                dispute["status"] = closed
                events.append(self.event("charge.dispute.closed", dispute, deliver=False))
        if deliver:
            self._deliver(events)
        return events

    @staticmethod
    def _public(obj: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in obj.items() if not k.startswith("_")}

    # --- the API -------------------------------------------------------------------------------

    def handle_api(
        self, method: str, path: str, form: dict[str, Any]
    ) -> tuple[int, dict[str, Any], Callable[[], None] | None]:
        """(status, body, work to do after responding) for one API call."""
        self.requests_seen[(method, re.sub(r"/[a-z]+_[0-9a-f]+$", "/{id}", path))] += 1
        if method == "POST" and path == "/v1/checkout/sessions":
            return 200, self._create_session(form), None
        match = re.fullmatch(r"/v1/checkout/sessions/([\w]+)", path)
        if method == "GET" and match:
            session = self.sessions.get(match[1])
            return (200, self._public(session), None) if session else _missing(match[1])
        if method == "POST" and path == "/v1/refunds":
            return self._create_refund(form)
        match = re.fullmatch(r"/v1/subscriptions/([\w]+)", path)
        if match:
            subscription = self.subscriptions.get(match[1])
            if subscription is None:
                return _missing(match[1])
            if method == "GET":
                return 200, subscription, None
            if method == "DELETE":
                if subscription["status"] == "canceled":
                    return 200, subscription, None
                subscription["status"] = "canceled"
                event = self.event("customer.subscription.deleted", subscription, deliver=False)
                return 200, subscription, lambda: self._deliver_later([event])
            if method == "POST":
                for change in form.get("items", []):
                    for item in subscription["items"]["data"]:
                        if item["id"] == change.get("id") and "price_data" in change:
                            item["price"] = {
                                **item["price"],
                                "id": _new_id("price"),
                                "unit_amount": int(change["price_data"]["unit_amount"]),
                            }
                return 200, subscription, None
        return 404, {"error": {"type": "invalid_request_error", "message": "No such route"}}, None

    def _create_session(self, form: dict[str, Any]) -> dict[str, Any]:
        line = form["line_items"][0]["price_data"]
        quantity = int(form["line_items"][0].get("quantity", 1))
        session_id = _new_id("cs_test")
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": form.get("mode", "payment"),
            "status": "open",
            "payment_status": "unpaid",
            "amount_total": int(line["unit_amount"]) * quantity,
            "currency": line["currency"],
            "client_reference_id": form.get("client_reference_id"),
            "customer": None,
            "customer_email": form.get("customer_email"),
            "metadata": form.get("metadata", {}),
            "payment_intent": None,
            "subscription": None,
            "invoice": None,
            "success_url": form["success_url"],
            "cancel_url": form["cancel_url"],
            "url": f"{self.url}/checkout/{session_id}",
            "_line": {"unit_amount": int(line["unit_amount"])},
            "_payment_metadata": (form.get("payment_intent_data") or {}).get("metadata", {}),
            "_subscription_metadata": (form.get("subscription_data") or {}).get("metadata", {}),
        }
        self.sessions[session_id] = session
        self.created["checkout.session"] += 1
        return self._public(session)

    def _create_refund(
        self, form: dict[str, Any]
    ) -> tuple[int, dict[str, Any], Callable[[], None] | None]:
        intent = self.payment_intents.get(str(form.get("payment_intent", "")))
        if intent is None or intent["status"] != "succeeded":
            return _missing(str(form.get("payment_intent", "")))
        amount = int(form.get("amount") or intent["amount"] - intent["amount_refunded"])
        if amount <= 0 or intent["amount_refunded"] + amount > intent["amount"]:
            return 400, _error("Refund amount exceeds the charge.", "amount_too_large"), None
        intent["amount_refunded"] += amount
        refund = {
            "id": _new_id("re"),
            "object": "refund",
            "amount": amount,
            "payment_intent": intent["id"],
            "status": "succeeded",
            "currency": intent["currency"],
        }
        self.refunds[refund["id"]] = refund
        self.created["refund"] += 1
        charge = {
            "id": _new_id("ch"),
            "object": "charge",
            "payment_intent": intent["id"],
            "amount": intent["amount"],
            "amount_refunded": intent["amount_refunded"],
            "refunded": intent["amount_refunded"] >= intent["amount"],
            "currency": intent["currency"],
        }
        event = self.event("charge.refunded", charge, deliver=False)
        return 200, refund, lambda: self._deliver_later([event])

    def idempotent(
        self, key: str, method: str, path: str, run: Callable[[], tuple[int, bytes]]
    ) -> tuple[int, bytes]:
        """Stripe's rule: a repeated Idempotency-Key returns the first response."""
        if not key or (method != "POST" and method != "DELETE"):
            return run()
        with self.lock:
            cached = self._idempotent.get((key, path))
            if cached is None:
                cached = run()
                if cached[0] < 500:
                    self._idempotent[(key, path)] = cached
            return cached


def _error(message: str, code: str = "") -> dict[str, Any]:
    return {"error": {"type": "invalid_request_error", "message": message, "code": code}}


def _missing(object_id: str) -> tuple[int, dict[str, Any], None]:
    return 404, _error(f"No such object: '{object_id}'", "resource_missing"), None


class _Handler(BaseHTTPRequestHandler):
    fake: FakeStripe
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def _read_form(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        query = urlsplit(self.path).query
        return _nest(parse_qsl("&".join(p for p in (query, body) if p), keep_blank_values=True))

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Request-Id", _new_id("req"))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(303)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _api(self, method: str) -> None:
        path = urlsplit(self.path).path
        form = self._read_form()
        if not (self.headers.get("Authorization") or "").startswith("Bearer sk_"):
            self._send(401, json.dumps(_error("Invalid API key provided")).encode())
            return
        after: list[Callable[[], None]] = []

        def run() -> tuple[int, bytes]:
            with self.fake.lock:
                status, body, later = self.fake.handle_api(method, path, form)
            if later is not None:
                after.append(later)
            return status, json.dumps(body).encode()

        status, body = self.fake.idempotent(
            self.headers.get("Idempotency-Key") or "", method, path, run
        )
        if not self.fake.webhook_url:  # kept in the outbox: there before the caller reads it
            for work in after:
                work()
            after.clear()
        self._send(status, body)
        for work in after:  # POSTed: after the response, as the caller may hold a transaction
            work()

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        match = re.fullmatch(r"/checkout/([\w]+)/?", path)
        if match:
            self._checkout_page(match[1])
            return
        self._api("GET")

    def do_DELETE(self) -> None:
        self._api("DELETE")

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        match = re.fullmatch(r"/checkout/([\w]+)/(pay|cancel)/?", path)
        if match:
            self._read_form()
            session = self.fake.sessions.get(match[1])
            if session is None:
                self._send(404, b"No such checkout", "text/plain")
                return
            if match[2] == "pay":
                self.fake.complete_checkout(match[1])
                self._redirect(session["success_url"])
            else:
                self._redirect(session["cancel_url"])
            return
        self._api("POST")

    def _checkout_page(self, session_id: str) -> None:
        session = self.fake.sessions.get(session_id)
        if session is None:
            self._send(404, b"No such checkout", "text/plain")
            return
        amount = session["amount_total"] / 100  # display only: the fake's page, not Cairn's
        monthly = " a month" if session["mode"] == "subscription" else ""
        page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Test payment</title></head>
<body>
<h1>Test payment (fake Stripe)</h1>
<p>Pay <strong>{amount:.2f} {html.escape(session["currency"].upper())}{monthly}</strong>
to {html.escape(str(session.get("customer_email") or "the coalition"))}. No card is charged.</p>
<form method="post" action="/checkout/{session_id}/pay"><button type="submit">Pay</button></form>
<form method="post" action="/checkout/{session_id}/cancel">
<button type="submit">Cancel</button></form>
</body></html>"""
        self._send(200, page.encode(), "text/html; charset=utf-8")


def main() -> None:  # pragma: no cover - a developer's command
    parser = argparse.ArgumentParser(description="A local fake of Stripe for Cairn's demo.")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--webhook-url", default="http://127.0.0.1:8000/give/webhooks/stripe/")
    parser.add_argument("--secret", default="whsec_demo_fake")
    args = parser.parse_args()
    fake = FakeStripe(webhook_secret=args.secret, webhook_url=args.webhook_url, port=args.port)
    fake.start()
    print(f"fake Stripe on {fake.url}; webhooks to {args.webhook_url}")  # noqa: T201
    threading.Event().wait()


if __name__ == "__main__":  # pragma: no cover
    main()
