from __future__ import annotations

import pytest

from cairn.engines.signers import name_problem, postal_area, postal_code_problem


@pytest.mark.parametrize(
    "name", ["Ana Lima", "Jean-Luc Picard", "O'Brien", "José Ñúñez", "Dr. Mei Chen", "李雷"]
)
def test_ordinary_names_pass(name):
    assert name_problem(name) is None


@pytest.mark.parametrize(
    "name",
    [
        "",
        "   ",
        "=1+1",
        "+49 123",
        "-SUM(A1)",
        "@cmd",
        "\tTab",
        "Go to http://spam.test",
        "www.spam.test",
        "Buy at pills.com",
    ],
)
def test_formulas_urls_and_blanks_are_refused(name):
    assert name_problem(name) is not None


@pytest.mark.parametrize(
    ("country", "code"),
    [
        ("US", "46201"),
        ("US", "46201-1234"),
        ("CA", "k1a 0b1"),
        ("GB", "sw1a 1aa"),
        ("GB", "M1 1AE"),
        ("IE", "D02 X285"),
        ("NL", "1012AB"),
        ("PT", "1000-001"),
        ("BR", "01001-000"),
        ("JP", "100-0001"),
        ("ZA", "8001"),  # no pattern for the country: a generic check
    ],
)
def test_valid_postal_codes(country, code):
    assert postal_code_problem(country, code) is None


@pytest.mark.parametrize(
    ("country", "code"),
    [("US", "4620"), ("US", "ABCDE"), ("CA", "D1A 0B1"), ("DE", "1011"), ("ZA", "!"), ("US", "")],
)
def test_invalid_postal_codes(country, code):
    assert postal_code_problem(country, code) is not None


def test_postal_areas_are_coarse():
    assert postal_area("US", "46201-1234") == "US 462"
    assert postal_area("CA", "K1A 0B1") == "CA K1A"
    assert postal_area("GB", "SW1A 1AA") == "GB SW1A"
    assert postal_area("DE", "10115") == "DE 10"
