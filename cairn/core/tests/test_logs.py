"""A refused page is logged in one line, without a traceback (the demo's console stays readable)."""

from __future__ import annotations

import io
import logging
import sys

import pytest
from django.urls import reverse
from django.utils.log import ServerFormatter

from cairn.coalitions.models import Role


@pytest.fixture
def console():
    """What the django.request logger writes, through a handler like the console's."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


def test_a_403_is_one_line_without_a_traceback(client, coalition, staff_factory, console):
    # given a viewer, who may not open the coalition's settings
    viewer = staff_factory(coalition, Role.VIEWER)
    client.force_login(viewer.user)
    url = reverse("coalitions:settings", args=[coalition.slug])
    # when
    response = client.get(url)
    # then
    assert response.status_code == 403
    assert console.getvalue() == f"Forbidden (Permission denied): {url}\n"


def test_a_server_error_keeps_its_traceback():
    # given a record of an unexpected exception, as Django logs a 500
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error: /", (), None
        )
        record.exc_info = sys.exc_info()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    # when it goes through the django.request logger's filters and a console handler
    assert logging.getLogger("django.request").filter(record)
    handler.handle(record)
    # then
    assert "Traceback (most recent call last)" in stream.getvalue()
    assert "RuntimeError: boom" in stream.getvalue()


def test_django_logs_reach_the_console_once():
    # Django's default logging gives its "django" logger a console handler of its own (DEBUG
    # only), which printed every request error twice in the demo; the root's handler prints it
    assert logging.getLogger("django").handlers == []
    assert logging.getLogger("django").propagate is True
    assert any(type(h) is logging.StreamHandler for h in logging.getLogger().handlers)
    # and runserver's access log keeps its own handler and format, printed once
    server = logging.getLogger("django.server")
    assert server.propagate is False
    assert any(isinstance(h.formatter, ServerFormatter) for h in server.handlers)
