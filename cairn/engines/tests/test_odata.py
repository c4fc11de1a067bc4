import pytest

from cairn.engines.odata import Condition, ODataError, Op, parse_filter


def test_one_condition():
    assert parse_filter("email_address eq 'ana@example.org'") == [
        Condition("email_address", Op.EQ, "ana@example.org")
    ]


def test_conditions_joined_by_and_keep_their_order():
    conditions = parse_filter(
        "modified_date gt '2024-01-01' and  created_date LE '2024-02-01T10:00:00Z'"
    )
    assert conditions == [
        Condition("modified_date", Op.GT, "2024-01-01"),
        Condition("created_date", Op.LE, "2024-02-01T10:00:00Z"),
    ]


def test_an_empty_filter_has_no_conditions():
    assert parse_filter("   ") == []


def test_a_doubled_quote_is_a_quote():
    assert parse_filter("name eq 'O''Brien and co'") == [Condition("name", Op.EQ, "O'Brien and co")]


@pytest.mark.parametrize(
    "text",
    [
        "email_address eq 'a@b.org'andphone_number eq '123'",  # the osdi client's join bug
        "email_address eq a@b.org",
        "email_address like 'a'",
        "email_address eq 'a",
        "eq 'a'",
        "email_address eq 'a' or name eq 'b'",
        "email_address eq 'a' and",
        "email_address",
        "(name eq 'a')",
        "name eq 'a\x00'",
        "name eq 'a' " + "and name eq 'a' " * 11,
        "x" * 3000,
    ],
)
def test_anything_outside_the_subset_is_refused(text):
    with pytest.raises(ODataError):
        parse_filter(text)
