"""The message-discipline check of a draft against a narrative framework (pure, no Django).

    from cairn.engines.narrative import check_text, load_framework
    result = check_text(load_framework(json_text), draft, channel="bluesky")

See check.py for how it decides and framework.py for the JSON format.
"""

from .check import CHANNEL_LIMITS, Checker, CheckResult, Flag, check_text, checker_for
from .framework import Framework, FrameworkError, load_framework, parse_framework

__all__ = [
    "CHANNEL_LIMITS",
    "CheckResult",
    "Checker",
    "Flag",
    "Framework",
    "FrameworkError",
    "check_text",
    "checker_for",
    "load_framework",
    "parse_framework",
]
