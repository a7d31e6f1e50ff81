"""Check, in code, that a draft says only what its cited segments say.

A model's claim to be grounded is never trusted. This checker is deliberately literal: every cited
segment must exist in the review, and every number and every quoted span in the draft must occur in
the text of the segments it cites. Names and dates are checked by the drafting pipeline on top.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,:]\d+)*")
_QUOTED = re.compile(r"[\"“]([^\"”]{3,})[\"”]")


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip().lower()


def grounding_problems(text: str, citations: Sequence[int], segments: Mapping[int, str]) -> list[str]:
    """Return what fails the check (empty when the draft is grounded in its citations)."""
    problems: list[str] = []
    if not citations:
        problems.append("cites no transcript segment")
    missing = [c for c in citations if c not in segments]
    if missing:
        problems.append("cites segments that are not in this review: " + ", ".join(map(str, missing)))
    cited = " \n ".join(_normalise(segments[c]) for c in citations if c in segments)
    cited_numbers = set(_NUMBER.findall(cited))
    for number in dict.fromkeys(_NUMBER.findall(text)):
        if number not in cited_numbers:
            problems.append(f"the number {number} does not occur in the cited segments")
    for quote in _QUOTED.findall(text):
        if _normalise(quote) not in cited:
            problems.append(f'the quotation "{quote}" does not occur in the cited segments')
    return problems
