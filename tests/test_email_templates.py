"""Plain-text emails are never HTML-escaped: a title with ' & " < reads as typed.

Every email template in the project is found on disk, so a new one is checked as it is added.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string

HOSTILE = """Fund "this year's" beds & <care> now"""
ROOT = Path(__file__).resolve().parents[1] / "cairn"
# Plain-text email templates: everything under templates/<app>/email/, and Django's password
# reset email (named .html by Django's convention but sent as text).
EMAIL_TEMPLATES = sorted(
    [
        *ROOT.glob("*/templates/*/email/*.txt"),
        *ROOT.glob("*/templates/registration/*.txt"),
        *ROOT.glob("*/templates/registration/*_email.html"),
    ]
)


def test_the_email_templates_are_found():
    names = {p.name for p in EMAIL_TEMPLATES}
    assert {"confirm.txt", "confirm_subject.txt", "invitation_subject.txt"} <= names


@pytest.mark.parametrize("path", EMAIL_TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_email_template_turns_autoescape_off(path: Path):
    text = path.read_text()
    assert text.startswith("{% autoescape off %}"), path
    assert text.rstrip().endswith("{% endautoescape %}"), path


def _namespace(**values: object) -> SimpleNamespace:
    return SimpleNamespace(**values)


def test_subjects_keep_quotes_ampersands_and_angle_brackets():
    # given objects whose names carry every character HTML escaping would change
    coalition = _namespace(name=HOSTILE, slug="c", mission="")
    petition = _namespace(title=HOSTILE, coalition=coalition)
    alert = _namespace(get_kind_display=lambda: "Domain", value="x.test", count=3, hour=None)
    invitation = _namespace(coalition=coalition)
    proposal = _namespace(title=HOSTILE)
    # when the subjects are rendered, then they read exactly as typed
    assert (
        render_to_string("petitions/email/confirm_subject.txt", {"petition": petition}).strip()
        == f"Confirm your signature: {HOSTILE}"
    )
    assert (
        render_to_string(
            "petitions/email/already_signed_subject.txt", {"petition": petition}
        ).strip()
        == f"You already signed: {HOSTILE}"
    )
    assert (
        render_to_string(
            "petitions/email/alert_subject.txt", {"petition": petition, "alert": alert}
        ).strip()
        == f"Signatures trending from one domain: {HOSTILE}"
    )
    assert (
        render_to_string(
            "coalitions/email/invitation_subject.txt", {"invitation": invitation}
        ).strip()
        == f"You are invited to {HOSTILE} on Cairn"
    )
    assert (
        render_to_string(
            "governance/email/reminder_subject.txt",
            {"proposal": proposal, "coalition": coalition},
        ).strip()
        == f"[{HOSTILE}] Your vote is awaited: {HOSTILE}"
    )
