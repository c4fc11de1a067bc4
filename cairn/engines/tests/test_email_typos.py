"""Typo help for email domains: near misses of common providers, and nothing else."""

from __future__ import annotations

import pytest

from cairn.engines.email_typos import suggest_domain, suggest_email


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("sam.typo@gmail", "sam.typo@gmail.com"),  # the ending is missing
        ("sam@gmial.com", "sam@gmail.com"),  # two letters swapped
        ("sam@gmail.con", "sam@gmail.com"),  # a slip on the ending
        ("sam@gmail.co", "sam@gmail.com"),
        ("sam@hotmial.com", "sam@hotmail.com"),
        ("sam@yaho.com", "sam@yahoo.com"),
        ("sam@outlok.com", "sam@outlook.com"),
        (" Sam@GMAIL.CON ", "Sam@gmail.com"),  # the local part is kept as typed
    ],
)
def test_a_near_miss_of_a_common_domain_gets_a_suggestion(typed, meant):
    assert suggest_email(typed) == meant


@pytest.mark.parametrize(
    "address",
    [
        "sam@gmail.com",
        "ana@harborhouse.org",  # a domain of its own: no suggestion
        "x@mail.com",  # a real provider next to gmail.com
        "x@uol.com",  # a real provider next to aol.com
        "x@example.org",
        "not an address",
        "@gmail.con",
    ],
)
def test_a_right_or_unknown_domain_gets_none(address):
    assert suggest_email(address) is None


def test_an_empty_domain_gets_none():
    assert suggest_domain("") is None
    assert suggest_domain(".") is None
