"""Canonical email addresses: the key that decides whether two addresses are one person.

Case never matters; surrounding space never matters. For providers that deliver
`first.last+news@` to `firstlast@`, the dots and the `+tag` are dropped too, so a supporter
cannot sign twice by decorating their Gmail address.
"""

from __future__ import annotations

# Providers that ignore dots in the local part (and accept +tags).
_DOTLESS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}
# Providers that accept +tags (sub-addressing) but where dots are significant.
_PLUS_TAGGED = {
    "outlook.com",
    "hotmail.com",
    "live.com",
    "icloud.com",
    "me.com",
    "fastmail.com",
    "proton.me",
    "protonmail.com",
    "yahoo.com",
}


def normalize_email(address: str) -> str:
    """Trimmed and lower-cased: how an address is stored for display and matching."""
    return address.strip().lower()


def canonical_email(address: str) -> str:
    """The identity of an address: equal canonical forms reach the same mailbox."""
    normalized = normalize_email(address)
    local, at, domain = normalized.rpartition("@")
    if not at or not local:
        return normalized
    if domain in _DOTLESS:
        local = local.split("+", 1)[0].replace(".", "")
        domain = _DOTLESS[domain]
    elif domain in _PLUS_TAGGED:
        local = local.split("+", 1)[0]
    return f"{local}@{domain}"


def normalize_phone(number: str) -> str:
    """Digits only, keeping a leading +: "+1 (555) 010-2030" → "+15550102030"."""
    stripped = number.strip()
    digits = "".join(ch for ch in stripped if ch.isdigit())
    return f"+{digits}" if stripped.startswith("+") and digits else digits
