"""Stored phone numbers become E.164 match keys; what was stored is kept as the displayed form.

Numbers were stored as digits with an optional "+" ("4790031676", "+15550102030"). Each is read
with `phonenumbers` in its coalition's default region (the same rule as cairn.engines.phones, which
this migration copies so that later changes to that module cannot change what it did). A number
that cannot be read is left as it was: it still matches the same digits, and a steward sees it.
Reversing restores the stored form.
"""

from __future__ import annotations

from typing import Any

import phonenumbers
from django.db import migrations
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult


def _e164(text: str, region: str) -> str | None:
    try:
        first = phonenumbers.parse(text, region or None)
    except NumberParseException:
        first = None
    if first is not None and phonenumbers.is_valid_number(first):
        return str(phonenumbers.format_number(first, PhoneNumberFormat.E164))
    if not text.startswith("+"):
        digits = "".join(ch for ch in text if ch.isdigit())
        international = digits[2:] if digits.startswith("00") else digits
        try:
            second = phonenumbers.parse(f"+{international}", None) if international else None
        except NumberParseException:
            second = None
        if second is not None and phonenumbers.is_valid_number(second):
            return str(phonenumbers.format_number(second, PhoneNumberFormat.E164))
        if first is None and second is not None and phonenumbers.is_possible_number(second):
            return str(phonenumbers.format_number(second, PhoneNumberFormat.E164))
    if first is not None and (
        phonenumbers.is_possible_number_with_reason(first) == ValidationResult.IS_POSSIBLE
    ):
        return str(phonenumbers.format_number(first, PhoneNumberFormat.E164))
    return None


def normalize(apps: Any, schema_editor: Any) -> None:
    phone_model = apps.get_model("people", "PhoneNumber")
    coalition_model = apps.get_model("coalitions", "Coalition")
    regions = dict(coalition_model.objects.values_list("pk", "default_region"))
    batch = []
    for phone in phone_model.objects.only("pk", "coalition_id", "number", "as_typed").iterator(
        chunk_size=2000
    ):
        key = _e164(phone.number, regions.get(phone.coalition_id, ""))
        phone.as_typed = phone.as_typed or phone.number
        phone.number = key or phone.number
        batch.append(phone)
        if len(batch) >= 2000:
            phone_model.objects.bulk_update(batch, ["number", "as_typed"])
            batch = []
    if batch:
        phone_model.objects.bulk_update(batch, ["number", "as_typed"])


def restore(apps: Any, schema_editor: Any) -> None:
    phone_model = apps.get_model("people", "PhoneNumber")
    batch = []
    for phone in phone_model.objects.exclude(as_typed="").only("pk", "number", "as_typed"):
        phone.number, phone.as_typed = phone.as_typed[:32], ""
        batch.append(phone)
    phone_model.objects.bulk_update(batch, ["number", "as_typed"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("coalitions", "0003_default_region_and_measurement_approval"),
        ("people", "0004_phone_as_typed_name_reviews_import_heartbeat"),
    ]

    operations = [migrations.RunPython(normalize, restore)]
