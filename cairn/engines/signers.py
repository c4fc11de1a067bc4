"""Checks on what a petition signer types: names, postal codes and the postal area they fall in.

Pure functions, no Django: the same rules serve the web form, the API and imports.
"""

from __future__ import annotations

import re

# Spreadsheet programs run a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "|", "%")
_URL = re.compile(
    r"(https?://|ftp://|www\.|\b[\w-]+\.(com|org|net|io|info|biz|ru|cn|xyz|top|ly|co|me)\b)",
    re.IGNORECASE,
)

# Postal codes by ISO 3166-1 country, on the normalized (upper-case, single-spaced) form.
POSTAL_PATTERNS: dict[str, re.Pattern[str]] = {
    code: re.compile(pattern)
    for code, pattern in {
        "US": r"^\d{5}(-\d{4})?$",
        "CA": r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$",
        "GB": r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$",
        "IE": r"^[AC-FHKNPRTV-Y]\d[\dW] ?[0-9AC-FHKNPRTV-Y]{4}$",
        "DE": r"^\d{5}$",
        "FR": r"^\d{5}$",
        "ES": r"^\d{5}$",
        "IT": r"^\d{5}$",
        "MX": r"^\d{5}$",
        "NL": r"^\d{4} ?[A-Z]{2}$",
        "BE": r"^\d{4}$",
        "CH": r"^\d{4}$",
        "AT": r"^\d{4}$",
        "AU": r"^\d{4}$",
        "NZ": r"^\d{4}$",
        "DK": r"^\d{4}$",
        "NO": r"^\d{4}$",
        "SE": r"^\d{3} ?\d{2}$",
        "PT": r"^\d{4}-\d{3}$",
        "PL": r"^\d{2}-\d{3}$",
        "BR": r"^\d{5}-?\d{3}$",
        "JP": r"^\d{3}-?\d{4}$",
        "IN": r"^\d{6}$",
    }.items()
}
_GENERIC_POSTAL = re.compile(r"^[A-Z0-9][A-Z0-9 -]{1,9}$")


def name_problem(name: str) -> str | None:
    """Why a signer's name is refused, or None when it is acceptable."""
    stripped = name.strip()
    if not stripped:
        return "Enter your name."
    if stripped.startswith(_FORMULA_STARTS) or name.startswith(_FORMULA_STARTS):
        return "A name cannot start with =, +, -, @ or a similar sign."
    if _URL.search(stripped):
        return "A name cannot contain a web address."
    if any(ord(ch) < 32 for ch in stripped):
        return "A name cannot contain control characters."
    return None


def normalize_postal_code(code: str) -> str:
    return " ".join(code.upper().split())


def postal_code_problem(country: str, code: str) -> str | None:
    """Why a postal code is not valid for the country, or None."""
    normalized = normalize_postal_code(code)
    if not normalized:
        return "Enter your postal code."
    pattern = POSTAL_PATTERNS.get(country.upper(), _GENERIC_POSTAL)
    if not pattern.match(normalized):
        return f"This is not a valid postal code for {country.upper() or 'your country'}."
    return None


def postal_area(country: str, code: str) -> str:
    """The coarse area a postal code belongs to, for regional counts (never a full address).

    US: the first three digits (the sectional center); CA: the forward sortation area; GB: the
    outward code; elsewhere the first two characters.
    """
    normalized = normalize_postal_code(code).replace(" ", "")
    country = country.upper()
    if not normalized:
        return ""
    if country in {"US", "CA"}:
        return f"{country} {normalized[:3]}"
    if country == "GB":
        outward = normalize_postal_code(code).split(" ")[0]
        return f"GB {outward if len(outward) < len(normalized) else normalized[:-3]}"
    return f"{country} {normalized[:2]}"
