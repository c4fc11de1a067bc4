"""`cairn narrative-check FRAMEWORK.json DRAFTS.jsonl`: one JSON line per draft, no database."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

FRAMEWORK = {
    "core_message": "Buses every ten minutes connect every neighborhood.",
    "ask": "Tell the Metro Council to approve the Frequent Bus Plan.",
    "pillars": [
        {
            "id": "frequency",
            "name": "Frequent service",
            "key_messages": [
                {"id": "f1", "text": "Frequent buses bring more riders than new routes do."}
            ],
            "proof_points": ["Ridership rose 18% on routes with buses every 10 minutes."],
        },
        {
            "id": "equity",
            "name": "Fair access",
            "key_messages": [
                {"id": "e1", "text": "Families without a car depend on the bus to reach jobs."}
            ],
            "proof_points": ["One in four households on the east side has no car."],
        },
    ],
    "terms_use": ["riders"],
    "terms_avoid": ["poor people"],
}
DRAFTS = [
    {
        "id": "a",
        "text": "Frequent buses bring in more riders than new routes. Tell the Metro Council to "
        "approve the Frequent Bus Plan!",
    },
    {"id": 2, "text": "Frequent buses do not bring more riders than new routes do."},
    {"id": "c", "text": "Poor people need the bus to get to their jobs, since many have no car."},
    {"id": "d", "text": "Our choir sings on Friday at the community hall.", "channel": "sms"},
]


@pytest.fixture
def files(tmp_path):
    framework = tmp_path / "framework.json"
    framework.write_text(json.dumps(FRAMEWORK))
    drafts = tmp_path / "drafts.jsonl"
    drafts.write_text("\n".join(json.dumps(d) for d in DRAFTS) + "\n\n")
    return framework, drafts


def run(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command("narrative_check", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_line_per_draft_in_the_documented_shape(files):
    framework, drafts = files
    lines = run(str(framework), str(drafts))
    assert [line["id"] for line in lines] == ["a", 2, "c", "d"]
    for line in lines:
        assert {"id", "pillars", "contradicts", "avoided_terms", "has_ask"} <= set(line)
        assert all({"kind", "start", "end", "message", "detail"} == set(f) for f in line["flags"])
    a, b, c, d = lines
    assert (a["pillars"], a["has_ask"], a["contradicts"]) == (["frequency"], True, [])
    assert b["contradicts"] == ["f1"]
    assert (c["pillars"], c["avoided_terms"]) == (["equity"], ["poor people"])
    assert d["off_message"] is True
    assert d["has_ask"] is False


def test_lexical_option_and_no_flags(files):
    framework, drafts = files
    lines = run(str(framework), str(drafts), "--lexical", "--no-flags")
    assert {line["checked_with"] for line in lines} == {"lexical"}
    assert all("flags" not in line for line in lines)
    assert lines[0]["pillars"] == ["frequency"]


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ('{"id": 1, "text": "ok"}\n{"id": 2,\n', "line 2, column 10: not valid JSON"),
        ('{"text": "no id"}\n', "line 1: the draft has no id"),
        ('{"id": 1, "text": 5}\n', "line 1: the draft's text must be a string"),
        ("[1]\n", "line 1: expected an object with id and text"),
    ],
)
def test_bad_draft_line_names_its_line_and_prints_nothing(files, content, error):
    framework, drafts = files
    drafts.write_text(content)
    out = io.StringIO()
    with pytest.raises(CommandError, match=error):
        call_command("narrative_check", str(framework), str(drafts), stdout=out)
    assert out.getvalue() == ""


def test_bad_framework_names_the_field(files):
    framework, drafts = files
    framework.write_text('{"pillars": [{"name": "no id"}]}')
    with pytest.raises(CommandError, match=r"pillars\[0\]\.id: required"):
        call_command("narrative_check", str(framework), str(drafts))
