"""Strip personal data and named secrets from prompts before they leave the machine.

Applied only when the model endpoint is not on this machine (a local llama.cpp server sees nothing
that was not already here). Each call logs how many spans were redacted, never what they were.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import urlparse

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# A phone number: optional +, then at least 7 digits in groups separated by spaces, dots, dashes or
# brackets. Plain numbers people say in reviews ("9,300", "2026", "14:30") have no such shape.
_PHONE = re.compile(r"(?<![\w.])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)[\s.-]?)?\d{2,5}(?:[\s.-]\d{2,5}){2,4}(?![\w.])")


def is_local(base_url: str) -> bool:
    """True for an endpoint on this machine (loopback), where nothing leaves the machine."""
    host = urlparse(base_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def redact(text: str, *, terms: Iterable[str] = ()) -> tuple[str, int]:
    """Return the text with e-mails, phone numbers and the named terms replaced, and how many were."""
    count = 0

    def sub(pattern: re.Pattern[str], label: str, value: str) -> str:
        nonlocal count
        value, n = pattern.subn(label, value)
        count += n
        return value

    text = sub(_EMAIL, "[email]", text)
    text = sub(_PHONE, "[phone]", text)
    for term in (t.strip() for t in terms):
        if term:
            text = sub(re.compile(re.escape(term), re.IGNORECASE), "[redacted]", text)
    return text, count
