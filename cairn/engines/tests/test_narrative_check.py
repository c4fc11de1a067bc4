"""The message check: every rule, spans, inflections, the lexical fallback and the caches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cairn.engines import similarity as sim
from cairn.engines.narrative import FrameworkError, check_text, checker_for, load_framework
from cairn.engines.narrative.rules import find_figures, polarity_flip
from cairn.engines.narrative.terms import find_terms
from cairn.engines.narrative.text import flesch_kincaid_grade, split_sentences, syllables

DEV = Path(__file__).resolve().parents[1] / "narrative" / "dev"


@pytest.fixture(scope="module")
def framework():
    return load_framework((DEV / "mental_health.json").read_text())


@pytest.fixture(scope="module")
def transit():
    return load_framework((DEV / "transit.json").read_text())


@pytest.fixture
def lexical():
    previous = sim.get_embedder()
    sim.set_embedder(sim.LexicalEmbedder())
    yield
    sim.set_embedder(previous)


def kinds(result, kind):
    return [f for f in result.flags if f.kind == kind]


# -- framework parsing ----------------------------------------------------------------------


def test_minimal_framework_of_the_issue_parses():
    fw = load_framework(
        json.dumps(
            {
                "core_message": "Care, not cells.",
                "ask": "Sign the petition for SB 412.",
                "pillars": [
                    {
                        "id": "p1",
                        "name": "Beds",
                        "key_messages": [{"id": "k1", "text": "We need more beds."}],
                        "proof_points": ["18 beds per 100,000."],
                    }
                ],
                "terms_use": ["crisis care"],
                "terms_avoid": ["crazy"],
            }
        )
    )
    assert fw.pillars[0].key_messages[0].id == "k1"
    assert fw.pillars[0].proof_points[0].text == "18 beds per 100,000."
    assert fw.terms_avoid[0].term == "crazy"
    assert fw.terms_avoid[0].replacement == ""
    assert fw.ask is not None
    assert fw.ask.text == "Sign the petition for SB 412."


def test_extensions_parse(framework):
    beds = framework.pillars[0].proof_points[0]
    assert (beds.objective_id, beds.value, beds.unit) == (1, 22.4, "beds per 100,000 residents")
    assert beds.measured_on.isoformat() == "2027-03-01"
    assert framework.terms_avoid[0].replacement == "people living with mental illness"
    assert framework.ask.objects == ("SB 412", "Crisis Care Act")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('{"pillars": [', "line 1, column 14: not valid JSON"),
        ("[]", "the framework must be a JSON object"),
        ("{}", "pillars: at least one pillar is required"),
        ('{"pillars": [{"name": "x"}]}', "pillars[0].id: required"),
        (
            '{"pillars": [{"id": "a", "key_messages": [{"id": "k"}]}]}',
            "pillars[0].key_messages[0].text: required",
        ),
        (
            '{"pillars": [{"id": "a", "key_messages": [{"id": "k", "text": "x"}]},'
            ' {"id": "a", "key_messages": [{"id": "j", "text": "y"}]}]}',
            "pillars[1].id: 'a' is used by two pillars",
        ),
        (
            '{"pillars": [{"id": "a", "proof_points": [{"text": "x", "measured_on": "soon"}]}]}',
            "pillars[0].proof_points[0].measured_on: must be a date YYYY-MM-DD",
        ),
        ('{"pillars": [{"id": "a", "proof_points": ["x"]}], "terms_avoid": [3]}', "terms_avoid[0]"),
    ],
)
def test_bad_framework_says_where_and_why(text, error):
    with pytest.raises(FrameworkError) as info:
        load_framework(text)
    assert error in str(info.value)


# -- sentences, grade ---------------------------------------------------------------------------


def test_sentences_keep_their_spans():
    text = "Dr. Lee said beds rose to 22.4 per 100,000.  Call 988 now!\n- Fund crisis teams"
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Dr. Lee said beds rose to 22.4 per 100,000.",
        "Call 988 now!",
        "- Fund crisis teams",
    ]
    assert all(text[s.start : s.end] == s.text for s in sentences)


def test_reading_grade():
    assert syllables("psychiatric") == 4
    assert syllables("beds") == 1
    easy = flesch_kincaid_grade("The cat sat on the mat. It was happy.")
    hard = flesch_kincaid_grade(
        "Comprehensive psychiatric stabilization infrastructure necessitates "
        "intergovernmental appropriations."
    )
    assert easy is not None
    assert hard is not None
    assert easy < 2 < 12 < hard


def test_reading_grade_flag_marks_the_hardest_sentence(framework):
    text = (
        "We need beds for our kids. Comprehensive psychiatric stabilization infrastructure "
        "necessitates "
        "intergovernmental appropriations and multidisciplinary coordination across "
        "jurisdictional boundaries and administrative responsibilities. Call now."
    )
    result = check_text(framework, text)
    (flag,) = kinds(result, "reading_grade")
    assert text[flag.start : flag.end].startswith("Comprehensive")
    assert flag.detail["target"] == 8


# -- avoided terms ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "text", "found"),
    [
        (
            "suffers from",
            "He suffered from it and is suffering from it.",
            ["suffered from", "suffering from"],
        ),
        ("commits suicide", "He committed suicide.", ["committed suicide"]),
        ("crazy", "That is crazier than ever. CRAZY!", ["crazier", "CRAZY"]),
        ("mentally ill", "the mentally-ill man", ["mentally-ill"]),
        ("addict", "addicts and an addict's family, not addiction", ["addicts", "addict's"]),
        ("psycho", "psychology and psychosis are fine", []),
    ],
)
def test_avoided_terms_find_inflections_at_word_boundaries(term, text, found):
    assert [h.found for h in find_terms(text, [term])] == found


def test_avoided_term_flag_has_span_and_replacement(framework):
    text = "My brother suffers from depression. He is not crazy."
    result = check_text(framework, text)
    flags = kinds(result, "avoided_term")
    assert [text[f.start : f.end] for f in flags] == ["suffers from", "crazy"]
    assert result.avoided_terms == ["suffers from", "crazy"]
    assert "say “lives with” instead" in flags[0].message


# -- the ask ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "has_ask"),
    [
        ("Call your senator and tell them to vote yes on SB 412.", True),
        ("Email your senator today: pass SB412!", True),
        ("Tell lawmakers to back the crisis care act.", True),
        ("Urge the Senate to pass Senate Bill 412.", True),
        ("SB 412 would fund 300 new psychiatric beds.", False),
        ("Call your senator today.", False),
        ("Call 988 if you need help.", False),
    ],
)
def test_the_ask_needs_a_call_to_action_and_its_object(framework, text, has_ask):
    result = check_text(framework, text)
    assert result.has_ask is has_ask
    assert bool(kinds(result, "missing_ask")) is (not has_ask)


def test_the_ask_may_point_back_to_the_sentence_before(transit):
    text = "On June 12 the Metro Council votes on the Frequent Bus Plan. Email your council member."
    assert check_text(transit, text).has_ask


# -- pillars and off-message ----------------------------------------------------------------


def test_pillar_coverage_names_sentences_and_key_messages(framework):
    text = (
        "People in crisis wait for days in emergency rooms because there is no psychiatric bed. "
        "A trained counselor, not a squad car, should answer a call to 988."
    )
    result = check_text(framework, text)
    assert result.pillars == ["beds", "response"]
    assert "beds-2" in result.key_messages
    assert "response-2" in result.key_messages
    by_pillar = {f.detail["pillar"]: text[f.start : f.end] for f in kinds(result, "pillar")}
    assert by_pillar["beds"].startswith("People in crisis")
    assert by_pillar["response"].startswith("A trained counselor")
    assert not result.off_message


def test_off_topic_draft_is_off_message(framework):
    text = "Join us Saturday for our annual fun run in the park. Every runner gets a t-shirt."
    result = check_text(framework, text)
    assert result.off_message
    assert result.pillars == []
    (flag,) = kinds(result, "off_message")
    assert (flag.start, flag.end) == (0, len(text))


def test_off_message_means_no_pillar_even_with_the_ask(framework):
    # the ask alone supports no pillar (the evaluation's labels say so too); the flag says
    # which pillar came closest and that the draft makes the ask
    result = check_text(framework, "Call your senator and tell them to vote yes on SB 412.")
    assert result.off_message
    (flag,) = kinds(result, "off_message")
    assert flag.detail["makes_the_ask"] is True


@pytest.mark.usefixtures("lexical")
def test_lexical_fallback_still_checks_and_says_so(framework):
    result = check_text(
        framework,
        "Our state needs more psychiatric beds. Call your senator to vote yes on SB 412.",
    )
    assert result.checked_with == "lexical"
    assert result.pillars == ["beds"]
    assert result.has_ask
    off = check_text(framework, "Our bake sale raised money for the school band.")
    assert off.off_message


# -- contradiction ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "key", "flip"),
    [
        (
            "Our state does not need more psychiatric beds.",
            "Our state needs more psychiatric beds so no one waits days for care.",
            True,
        ),
        (
            "Mobile crisis teams are slower than police and make things more dangerous.",
            "Mobile crisis teams reach people faster than police and de-escalate safely.",
            True,
        ),
        (
            "Crisis care does not save money; it costs taxpayers more than jail.",
            "Crisis care costs taxpayers less than jail and repeated emergency room visits.",
            True,
        ),
        (
            "It is a myth that mobile crisis teams are slower than police.",
            "Mobile crisis teams reach people faster than police and de-escalate safely.",
            False,
        ),
        (
            "My daughter waited four days in an emergency room for a psychiatric bed.",
            "Patients in crisis are boarded for days in emergency rooms because no psychiatric "
            "bed is free.",
            False,
        ),
        (
            "Mobile crisis teams are not slower than police.",
            "Mobile crisis teams reach people faster than police and de-escalate safely.",
            False,
        ),
    ],
)
def test_polarity_flip(sentence, key, flip):
    assert (polarity_flip(sentence, key) is not None) is flip


def test_contradiction_flag_names_the_key_message(framework):
    text = "We love our volunteers. Our state does not need more psychiatric beds."
    result = check_text(framework, text)
    assert result.contradicts == ["beds-1"]
    assert result.contradiction_checked
    (flag,) = kinds(result, "contradiction")
    assert text[flag.start : flag.end] == "Our state does not need more psychiatric beds."


def test_contradiction_not_checked_when_no_sentence_is_near_a_key_message(framework):
    result = check_text(framework, "The farmers market opens on Sunday with fresh bread.")
    assert not result.contradiction_checked
    assert result.contradicts == []


# -- figures ------------------------------------------------------------------------------------


def test_figures_skip_phones_years_bills_and_denominators():
    text = "Call 1-800-273-8255 or 988. In 2024, SB 412 added 18 beds per 100,000 on May 3."
    assert [f.value for f in find_figures(text)] == [18.0]
    (more,) = find_figures("more than 20 beds")
    assert more.comparator == "more"


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("We now have 25 psychiatric beds per 100,000 residents.", "25"),
        ("We have only 18 beds per 100,000 residents.", "18"),
        ("We have 22.4 beds per 100,000 residents.", None),
        ("Beds rose to 22 per 100,000 residents.", None),
        ("We have more than 20 beds per 100,000 residents.", None),
        ("In 2024 there were 18 beds per 100,000 residents.", None),
        ("Crisis teams arrive in about 40 minutes.", None),
        ("Mobile teams arrive in 55 minutes. Call 988 or 555-123-4567.", "55"),
        ("SB 412 adds 300 psychiatric beds by 2028.", None),
    ],
)
def test_figures_against_the_live_value(framework, text, flagged):
    flags = kinds(check_text(framework, text), "figure_mismatch")
    assert [text[f.start : f.end] for f in flags] == ([flagged] if flagged else [])


def test_figure_message_gives_latest_value_and_date(framework):
    (flag,) = kinds(
        check_text(framework, "We have 25 beds per 100,000 residents."), "figure_mismatch"
    )
    assert "latest is 22.4 beds per 100,000 residents, measured 2027-03-01" in flag.message
    assert flag.detail["objective_id"] == 1


# -- channel length -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "length", "flagged"),
    [
        ("x", 280, False),
        ("x", 281, True),
        ("sms", 161, True),
        ("bluesky", 300, False),
        ("mastodon", 501, True),
        (None, 10_000, False),
    ],
)
def test_channel_length(framework, channel, length, flagged):
    text = ("word " * length)[:length]
    result = check_text(framework, text, channel=channel)
    flags = kinds(result, "too_long")
    assert bool(flags) is flagged
    if flagged:
        assert flags[0].start == result.limit
        assert flags[0].end == length


def test_x_counts_links_as_23_characters(framework):
    text = "a" * 250 + " https://example.org/" + "x" * 100
    result = check_text(framework, text, channel="x")
    assert result.length == 250 + 1 + 23
    assert not kinds(result, "too_long")


# -- caches -------------------------------------------------------------------------------------


def test_framework_prepared_once_and_an_edit_embeds_one_sentence(framework):
    text = (
        "Our state needs more psychiatric beds. Mobile crisis teams reach people fast. "
        "Crisis care costs less than jail."
    )
    check_text(framework, text)
    assert checker_for(framework) is checker_for(framework)
    misses = sim._CACHE.misses
    check_text(framework, text.replace("fast.", "quickly."))
    # only the changed sentence is embedded (the draft read as a whole reuses sentence vectors)
    assert sim._CACHE.misses == misses + 1


def test_result_round_trips_through_a_dict(framework):
    from cairn.engines.narrative import CheckResult

    result = check_text(framework, "Our state needs more psychiatric beds.")
    again = CheckResult.from_dict(json.loads(json.dumps(result.to_dict())))
    assert again == result


# -- the ask, in more words ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "makes_ask"),
    [
        ("Tell your legislators to fund crisis beds.", True),
        ("Urge lawmakers to fund mobile crisis teams in the budget.", True),
        ("Contact your state legislators today: recurring funding belongs in the budget.", True),
        ("You can help: ask your legislators for crisis funding in the budget.", True),
        ("Tell your story about waiting for a crisis bed.", False),
        ("Crisis beds need recurring funding in the budget.", False),
        ("Thanks to everyone who called about crisis funding in the budget.", False),
        ("Call 988 if you need a crisis bed or a mobile team.", False),
    ],
)
def test_an_ask_without_a_named_bill_is_found_by_its_own_words(sentence, makes_ask):
    from cairn.engines.narrative.framework import Ask
    from cairn.engines.narrative.rules import AskMatcher

    matcher = AskMatcher(
        Ask(
            "Tell your state legislators to put recurring funding for psychiatric crisis beds "
            "and mobile crisis teams in this year's state budget."
        )
    )
    assert matcher.sentence_makes_ask(sentence) is makes_ask


@pytest.mark.parametrize(
    ("sentence", "makes_ask"),
    [
        ("SB 412 passed the Senate today!", False),
        ("Senator Lee plans to vote for SB 412 next week.", False),
        ("Learn more about SB 412 on our website.", False),
        ("We urge the Senate to pass SB 412.", True),
        ("Take a minute to call your senator about the Crisis Care Act.", True),
        ("Come to the Capitol on May 3 to support SB 412.", True),
        ("Call 988 if you need help, and call your senator to back the Crisis Care Act.", True),
    ],
)
def test_descriptions_of_the_bill_are_not_the_ask(framework, sentence, makes_ask):
    assert check_text(framework, sentence).has_ask is makes_ask


def test_a_long_named_object_matches_by_most_of_its_words():
    from cairn.engines.narrative.framework import Ask
    from cairn.engines.narrative.rules import AskMatcher

    matcher = AskMatcher(
        Ask("Tell the City Council to pass the Tenant Right to Counsel ordinance.")
    )
    assert matcher.sentence_makes_ask("Urge your council member to back right to counsel.")
    assert not matcher.sentence_makes_ask("Urge your council member to back tenants.")


def test_a_sentence_making_the_ask_supports_a_pillar_only_clearly_beyond_the_ask(transit):
    # the ask names the Frequent Bus Plan; saying it again is not the frequency pillar
    result = check_text(transit, "Tell the Metro Council to approve the Frequent Bus Plan.")
    assert result.has_ask
    assert result.pillars == []


# -- contradiction, in more words ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "flip"),
    [
        ("Police should handle mental-health calls.", False),  # saying the rejected one: off
        ("Trained counselors should not respond to mental-health calls.", True),
        ("Police should not respond to mental-health calls.", False),
        ("Counselors should respond to mental-health calls, not police.", False),
    ],
)
def test_key_message_preferring_one_thing_to_another(sentence, flip):
    key = "Trained counselors, not police, should respond to mental-health calls."
    assert (polarity_flip(sentence, key) is not None) is flip


@pytest.mark.parametrize(
    "sentence",
    [
        "Jail costs taxpayers more than crisis care does.",  # the sides swapped: same claim
        "You are not alone: crisis care costs taxpayers less than jail.",
        "Crisis care doesn't cost more than jail; it costs far less.",
        "There are not enough psychiatric beds in our state.",
    ],
)
def test_restatements_are_not_contradictions(sentence):
    keys = [
        "Crisis care costs taxpayers less than jail and repeated emergency room visits.",
        "Our state needs more psychiatric beds so no one waits days for care.",
    ]
    assert all(polarity_flip(sentence, key) is None for key in keys)


def test_words_in_every_pillar_weigh_less():
    fw = load_framework((DEV / "childcare.json").read_text())
    idf = checker_for(fw).idf
    assert idf["w:care"] < idf["w:levy"]
