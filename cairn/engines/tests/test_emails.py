import pytest

from cairn.engines.emails import canonical_email, normalize_email, normalize_phone


@pytest.mark.parametrize(
    ("address", "canonical"),
    [
        ("Ana@Example.org ", "ana@example.org"),
        ("a.n.a+petitions@gmail.com", "ana@gmail.com"),
        ("A.N.A@GoogleMail.com", "ana@gmail.com"),
        ("ana.lopes+x@outlook.com", "ana.lopes@outlook.com"),
        ("ana.lopes+x@example.org", "ana.lopes+x@example.org"),  # unknown provider: keep it all
        ("not-an-address", "not-an-address"),
    ],
)
def test_canonical_email(address, canonical):
    assert canonical_email(address) == canonical


def test_normalize_keeps_dots_and_tags():
    assert normalize_email(" A.B+c@Gmail.com") == "a.b+c@gmail.com"


@pytest.mark.parametrize(
    ("number", "normalized"),
    [("+1 (555) 010-2030", "+15550102030"), ("555.010.2030", "5550102030"), ("+", "")],
)
def test_normalize_phone(number, normalized):
    assert normalize_phone(number) == normalized
