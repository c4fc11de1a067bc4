"""E.164 match keys: one number however it is written, and a reason for each refusal."""

from __future__ import annotations

import pytest

from cairn.engines.phones import PhoneError, is_region, to_e164


@pytest.mark.parametrize(
    ("written", "region", "key"),
    [
        ("+47 900 31 676", "NO", "+4790031676"),
        ("4790031676", "NO", "+4790031676"),
        ("0047 90031676", "NO", "+4790031676"),
        ("90031676", "NO", "+4790031676"),
        ("+47-900-31-676", "NO", "+4790031676"),
        ("0047 90031676", "US", "+4790031676"),  # not a US number: read as international
        ("(317) 555-0001", "us", "+13175550001"),
        ("+1 (555) 010-2030", "", "+15550102030"),  # fictional, but of a possible length
        ("15550102030", "", "+15550102030"),  # digits as Parsons sends them
    ],
)
def test_a_number_has_one_key_however_written(written, region, key):
    assert to_e164(written, region) == key


@pytest.mark.parametrize(
    ("written", "region", "reason"),
    [
        ("123", "NO", "is too short"),
        ("call me", "NO", "is not a phone number"),
        ("+999 1234 5678", "NO", "has an unknown country code"),
        ("90031676", "", "has no country code: write it with + and the country code"),
        ("555-0100", "US", "is too short (is the area code missing?)"),
        ("", "NO", "is empty"),
    ],
)
def test_a_number_that_cannot_be_read_is_refused_with_the_reason(written, region, reason):
    with pytest.raises(PhoneError) as refused:
        to_e164(written, region)
    assert refused.value.reason == reason


def test_regions_are_iso_codes_libphonenumber_knows():
    assert (is_region("no"), is_region("US"), is_region("XX")) == (True, True, False)
