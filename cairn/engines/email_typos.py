"""Typo help for email addresses: "did you mean sam@gmail.com?".

A signer who mistypes their domain never receives the confirmation link, so their signature
never counts. This suggests the likely address for a domain that is one small slip away from a
common mail provider (or lacks its ending: `gmail`), and nothing for any other domain: a rare
domain is far more likely right than wrong.
"""

from __future__ import annotations

# Mail providers common enough that a near miss is almost surely a typo of one of them.
COMMON_DOMAINS: tuple[str, ...] = (
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.uk",
    "yahoo.fr",
    "hotmail.com",
    "hotmail.co.uk",
    "hotmail.fr",
    "outlook.com",
    "live.com",
    "msn.com",
    "aol.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "comcast.net",
    "verizon.net",
    "att.net",
    "sbcglobal.net",
    "proton.me",
    "protonmail.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "yandex.ru",
    "mail.ru",
    "qq.com",
    # Real providers close to the ones above: listed so that they are never "corrected".
    "mail.com",
    "gmx.com",
    "uol.com",
    "ymail.com",
    "email.com",
    "fastmail.com",
    "zoho.com",
    "live.fr",
    "hotmail.es",
    "libero.it",
    "t-online.de",
)
# Endings typed by slips on common top-level domains.
_ENDINGS = {
    "con": "com",
    "cim": "com",
    "cpm": "com",
    "comm": "com",
    "co": "com",
    "cm": "com",
    "om": "com",
    "vom": "com",
    "xom": "com",
    "ner": "net",
    "nte": "net",
    "ogr": "org",
    "rog": "org",
}


def _distance(a: str, b: str) -> int:
    """Optimal string alignment distance: edits, with a swap of neighbours counting as one."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def suggest_domain(domain: str) -> str | None:
    """The common domain that `domain` is probably a typo of, or None."""
    domain = domain.strip().strip(".").lower()
    if not domain or domain in COMMON_DOMAINS:
        return None
    name, dot, ending = domain.rpartition(".")
    if not dot:  # "gmail": the ending is missing
        for common in COMMON_DOMAINS:
            if common.split(".", 1)[0] == domain:
                return common
        name, ending = domain, ""
    candidates = [domain]
    if ending in _ENDINGS:
        candidates.append(f"{name}.{_ENDINGS[ending]}")
    best: tuple[int, str] | None = None
    for candidate in candidates:
        if candidate in COMMON_DOMAINS:
            return candidate
        for common in COMMON_DOMAINS:
            # One slip in a short domain, two in a long one; never a different provider's
            # domain of equal plausibility (hotmail.fr vs hotmail.com): the first closest wins.
            limit = 1 if len(common) <= 7 else 2
            distance = _distance(candidate, common)
            if distance <= limit and (best is None or distance < best[0]):
                best = (distance, common)
    return best[1] if best else None


def suggest_email(address: str) -> str | None:
    """The address with its domain corrected, when the domain looks like a common typo."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local:
        return None
    suggestion = suggest_domain(domain)
    return f"{local}@{suggestion}" if suggestion else None
