"""The ask in its many forms, and negations that agree with a key message (rules, no model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cairn.engines.narrative import load_framework
from cairn.engines.narrative.rules import AskMatcher, polarity_flip

DEV = Path(__file__).resolve().parents[1] / "narrative" / "dev"


@pytest.fixture(scope="module")
def crisis() -> AskMatcher:
    framework = load_framework((DEV / "crisis6.json").read_text())
    assert framework.ask is not None
    return AskMatcher(framework.ask)


@pytest.fixture(scope="module")
def water() -> AskMatcher:
    framework = load_framework((DEV / "water.json").read_text())
    assert framework.ask is not None
    return AskMatcher(framework.ask)


@pytest.mark.parametrize(
    "sentence",
    [
        "We are asking every state representative to vote yes on HB 230.",
        "We ask lawmakers to pass HB 230 this session.",
        "We need the House to pass HB 230.",
        "It's time for the House to pass HB 230.",
        "Lawmakers must pass HB 230 this session.",
        "Let your representative know you want a yes vote on HB 230.",
        "Make sure your representative votes yes on HB 230.",
        "Your representative needs to hear from you before the HB 230 vote.",
        "Add your name to the letter supporting HB 230.",
        "Reach out to your state representative and ask for a yes on HB 230.",
        "Remind your representative that HB 230 saves lives.",
        "Pack the hearing room for HB 230 on Tuesday.",
        "Be there when the committee hears HB 230 on March 3.",
        "Encourage your representative to co-sponsor HB 230.",
    ],
)
def test_asks_in_other_words(crisis: AskMatcher, sentence: str) -> None:
    assert crisis.find([sentence]) == 0


@pytest.mark.parametrize(
    "sentence",
    [
        "We asked lawmakers to pass HB 230 last year, and they did not.",
        "Representative Lee voted yes on HB 230.",
        "Lawmakers who support HB 230 say it will save money.",
        "The beds will be there when HB 230 passes.",
        "The committee chair says lawmakers have to balance HB 230 against other bills.",
        "Thanks to everyone who called about HB 230 last week.",
    ],
)
def test_reports_and_descriptions_are_not_the_ask(crisis: AskMatcher, sentence: str) -> None:
    assert crisis.find([sentence]) is None


def test_the_verb_the_ask_asks_for_makes_it(water: AskMatcher) -> None:
    # the ask: "Tell your city council members to put money for replacing every lead service line
    # in the next capital budget" — "put" is its verb
    assert (
        water.find(["Council members, put the money for every lead service line in the budget."])
        == 0
    )


def test_a_call_to_the_decision_makers_before_the_object_is_named(water: AskMatcher) -> None:
    draft = [
        "Call your council member this week.",
        "The next capital budget must pay to replace every lead service line.",
    ]
    assert water.find(draft) is not None
    assert water.find(["Call your council member this week.", "Our pipes are old."]) is None


@pytest.mark.parametrize(
    ("sentence", "key_message"),
    [
        (
            "Child care does not have to cost more than rent for young families.",
            "Child care costs more than rent for many young families.",
        ),
        (
            "Teachers of young children don't get the respect school teachers do, and they should.",
            "Teachers of young children deserve the same respect as school teachers.",
        ),
        (
            "Without start-up grants, no new center will open in a rural town.",
            "New centers need start-up grants to open in rural towns.",
        ),
        (
            "Unless the state funds them, crisis teams will not answer calls around the clock.",
            "Mobile crisis teams of counselors and peers answer calls around the clock.",
        ),
    ],
)
def test_negations_that_agree_are_not_contradictions(sentence: str, key_message: str) -> None:
    assert polarity_flip(sentence, key_message) is None


def test_a_plain_denial_still_is() -> None:
    assert (
        polarity_flip(
            "Our region does not need more psychiatric beds.",
            "Our region needs more psychiatric beds.",
        )
        is not None
    )
