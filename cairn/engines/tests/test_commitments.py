import datetime as dt
from decimal import Decimal

from cairn.engines.commitments import CommitmentFacts, fulfilment, summarize_commitments

TODAY = dt.date(2026, 11, 25)


def facts(member: str, kind: str, unit: str, pledged: int, delivered: int, due: dt.date):
    return CommitmentFacts(member, kind, unit, Decimal(pledged), Decimal(delivered), due)


def test_fulfilment_is_capped_at_one():
    assert fulfilment(Decimal(100), Decimal(250)) == 1.0
    assert fulfilment(Decimal(100), Decimal(25)) == 0.25
    assert fulfilment(Decimal(0), Decimal(0)) == 1.0


def test_summary_keeps_units_apart_and_averages_capped_shares():
    # given one member with an over-delivered and an untouched pledge, in two units
    rows = [
        facts("a", "funding", "USD", 1000, 2000, TODAY + dt.timedelta(days=5)),
        facts("a", "staff_time", "hours", 40, 0, TODAY - dt.timedelta(days=1)),
        facts("a", "funding", "USD", 500, 0, TODAY + dt.timedelta(days=9)),
        facts("b", "data", "datasets", 4, 4, TODAY - dt.timedelta(days=30)),
    ]
    # when
    summary = summarize_commitments(rows, TODAY)
    # then
    a = summary["a"]
    assert [(t.kind, t.unit, t.pledged, t.delivered) for t in a.totals] == [
        ("funding", "USD", Decimal(1500), Decimal(2000)),
        ("staff_time", "hours", Decimal(40), Decimal(0)),
    ]
    assert (a.commitments, a.fulfilled, a.overdue, a.open) == (3, 1, 1, 2)
    assert a.fulfilment == (1.0 + 0.0 + 0.0) / 3
    b = summary["b"]
    assert (b.commitments, b.fulfilled, b.overdue, b.fulfilment) == (1, 1, 0, 1.0)


def test_a_pledge_due_today_is_not_yet_overdue():
    summary = summarize_commitments([facts("a", "data", "datasets", 2, 1, TODAY)], TODAY)
    assert summary["a"].overdue == 0


def test_no_commitments_no_summaries():
    assert summarize_commitments([], TODAY) == {}
