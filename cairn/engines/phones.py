"""Phone numbers as match keys: E.164 ("+4790031676"), parsed by `phonenumbers` (libphonenumber).

A number written without a country code is read in the coalition's default region, so
"900 31 676" in a Norwegian coalition is "+4790031676", as are "+47 900 31 676", "0047 90031676",
"4790031676" and "+47-900-31-676". What the person typed is kept for display by the caller; the
E.164 form is only the key that decides whether two numbers are one.

The rule, in order:
1. Parse in the default region. A number valid for its country is taken as it is.
2. Otherwise, if it was written without "+", read it once more as international ("00" or the
   country code written without "+": "004790031676", "4790031676"); taken if that is valid.
3. Otherwise the first reading is taken if its length is possible for its country (numbers that
   libphonenumber does not know to be assigned, such as the fictional 555 ones, still match);
   without a first reading (no default region), the international one if its length is possible
   ("15550102030", digits as Parsons sends them).
4. Otherwise it is refused, with the reason (too short, too long, unknown country code...).
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

# ISO 3166-1 alpha-2 codes that libphonenumber knows (for a default region setting).
REGIONS: frozenset[str] = frozenset(phonenumbers.SUPPORTED_REGIONS)

_PARSE_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: (
        "has no country code: write it with + and the country code"
    ),
    NumberParseException.NOT_A_NUMBER: "is not a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "is too short",
    NumberParseException.TOO_SHORT_NSN: "is too short",
    NumberParseException.TOO_LONG: "is too long",
}
_LENGTH_REASONS = {
    ValidationResult.INVALID_COUNTRY_CODE: "has an unknown country code",
    ValidationResult.TOO_SHORT: "is too short",
    ValidationResult.TOO_LONG: "is too long",
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "is too short (is the area code missing?)",
    ValidationResult.INVALID_LENGTH: "has the wrong number of digits for its country",
}


class PhoneError(ValueError):
    """A number that cannot be read as a phone number; `reason` completes "<number> …"."""

    def __init__(self, number: str, reason: str) -> None:
        super().__init__(f"{number!r} {reason}")
        self.number = number
        self.reason = reason


def _parse(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, region)
    except NumberParseException:
        return None


def _format(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def to_e164(number: str, region: str = "") -> str:
    """The E.164 form of `number` read in `region` (ISO 3166 alpha-2, "" for none); PhoneError
    if it cannot be a phone number."""
    text = number.strip()
    if not text:
        raise PhoneError(number, "is empty")
    if len(text) > 64:
        raise PhoneError(text[:20] + "…", "is too long")
    region_code = region.upper() or None
    first: phonenumbers.PhoneNumber | None = None
    error = ""
    try:
        first = phonenumbers.parse(text, region_code)
    except NumberParseException as exc:
        error = _PARSE_REASONS.get(exc.error_type, "is not a phone number")
        if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE and region_code:
            error = "has an unknown country code"
    if first is not None and phonenumbers.is_valid_number(first):
        return _format(first)
    second: phonenumbers.PhoneNumber | None = None
    if not text.startswith("+"):
        digits = "".join(ch for ch in text if ch.isdigit())
        international = digits[2:] if digits.startswith("00") else digits
        second = _parse(f"+{international}", None) if international else None
        if second is not None and phonenumbers.is_valid_number(second):
            return _format(second)
    if first is None:
        # Not readable in the region (or there is none): digits that are a possible
        # international number ("15550102030", as Parsons sends them) are taken as one.
        if second is not None and phonenumbers.is_possible_number(second):
            return _format(second)
        raise PhoneError(text, error)
    possible = phonenumbers.is_possible_number_with_reason(first)
    if possible == ValidationResult.IS_POSSIBLE:
        return _format(first)
    raise PhoneError(text, _LENGTH_REASONS.get(possible, "is not a phone number"))


def is_region(code: str) -> bool:
    """True for a region libphonenumber knows ("NO", "US", "GB"...)."""
    return code.upper() in REGIONS
