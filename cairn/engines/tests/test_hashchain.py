from dataclasses import replace

from cairn.engines.hashchain import GENESIS, Entry, canonical_json, entry_hash, verify


def chain(*bodies):
    entries, prev = [], GENESIS
    for seq, body in enumerate(bodies, start=1):
        digest = entry_hash(seq=seq, prev_hash=prev, body=body)
        entries.append(Entry(seq=seq, prev_hash=prev, hash=digest, body=body))
        prev = digest
    return entries


def test_canonical_json_ignores_key_order():
    assert canonical_json({"b": 1, "a": "é"}) == canonical_json({"a": "é", "b": 1})
    assert canonical_json({"a": "é"}) == '{"a":"é"}'.encode()


def test_an_intact_chain_verifies():
    result = verify(chain({"vote": "agree"}, {"vote": "block"}, {"state": "closed"}))
    assert (result.ok, result.checked, result.broken_at) == (True, 3, None)


def test_an_edited_entry_breaks_the_chain_there():
    entries = chain({"vote": "agree"}, {"vote": "block"}, {"state": "closed"})
    entries[1] = replace(entries[1], body={"vote": "agree"})
    result = verify(entries)
    assert (result.ok, result.checked, result.broken_at) == (False, 1, 2)
    assert result.reason == "its content does not match its hash"


def test_a_removed_entry_is_detected():
    entries = chain({"n": 1}, {"n": 2}, {"n": 3})
    del entries[1]
    result = verify(entries)
    assert (result.ok, result.broken_at) == (False, 3)


def test_a_rehashed_edit_still_breaks_the_next_link():
    entries = chain({"n": 1}, {"n": 2}, {"n": 3})
    forged = {"n": 20}
    entries[1] = replace(
        entries[1], body=forged, hash=entry_hash(seq=2, prev_hash=entries[0].hash, body=forged)
    )
    result = verify(entries)
    assert (result.ok, result.broken_at, result.reason) == (
        False,
        3,
        "does not link to the entry before it",
    )


def test_an_empty_chain_verifies():
    assert verify([]).ok
