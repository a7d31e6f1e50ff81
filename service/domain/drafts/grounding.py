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


_DATE_WORD = re.compile(
    r"\b(january|february|march|april|may|june|july|august|september|october|november|december|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|tomorrow)\b",
    re.I,
)
# A capitalised word after another word is a name, product or place ("Kenji", "Glassline", "LtrB");
# so is one that starts a sentence, unless it is a common opener ("The", "At", "We").
_NAME = re.compile(r"(?<=[\w,;] )[A-Z][\w'’-]+|(?:^|(?<=[.!?:] ))[A-Z][\w'’-]+")


def _wordlist(text: str) -> list[str]:
    return text.split()


_OPENERS = set(
    _wordlist(
        """
        the a an at in on of we our it its this that these those so and but then when after before by
        for with as there they their he she his her i if one two three four five six seven eight nine
        ten only all most some no not nobody everyone people what which who because while during since
        until once overall also
        """
    )
)
_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")


def draft_problems(
    text: str,
    citations: Sequence[int],
    segments: Mapping[int, str],
    *,
    speakers: Mapping[int, str] | None = None,
    min_support: float = 0.0,
    ignore: frozenset[str] = frozenset(),
) -> list[str]:
    """Return what fails the stricter check applied to model-written drafts.

    On top of :func:`grounding_problems`: every date word and every name must occur in the cited
    segments (a cited segment's speaker counts); a date ("December 15") and a figure with its unit
    ("72 minutes") must occur as such, so two true facts can't be fused into a false one; and with
    ``min_support`` at least that share of the
    draft's words must occur in them, so a fluent sentence the group never said cannot pass as grounded.
    ``ignore`` holds connective words the drafter may add (lower-case).
    """
    problems = grounding_problems(text, citations, segments)
    cited_ids = [c for c in citations if c in segments]
    cited = " \n ".join(_normalise(segments[c]) for c in cited_ids)
    voices = " ".join(_normalise((speakers or {}).get(c, "")) for c in cited_ids)
    for word in dict.fromkeys(w.lower() for w in _DATE_WORD.findall(text)):
        if not re.search(rf"\b{word}\b", cited + " " + voices):  # "June" may be a speaker, not a date
            problems.append(f"the date word {word!r} does not occur in the cited segments")
    problems += _unbound_figures(text, cited)
    for name in dict.fromkeys(_NAME.findall(text)):
        key = _normalise(name)
        if key in _OPENERS or key in ignore or _DATE_WORD.fullmatch(name):
            continue
        if len(key) > 1 and not re.search(rf"(?<!\w){re.escape(key)}(?!\w)", cited + " " + voices):
            problems.append(f"the name {name} does not occur in the cited segments")
    if min_support:
        words = [w for w in _WORD.findall(_normalise(text)) if w not in ignore]
        known = set(_WORD.findall(cited + " " + voices))
        support = sum(w in known for w in words) / len(words) if words else 0.0
        if support < min_support:
            problems.append(
                f"only {support:.0%} of the draft's words occur in the cited segments (needs {min_support:.0%})"
            )
    return problems


_MONTH = "january|february|march|april|may|june|july|august|september|october|november|december"
_DATE = re.compile(rf"\b(?:({_MONTH}) (\d{{1,2}})(?:st|nd|rd|th)?|(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({_MONTH}))\b")
_FIGURE_UNIT = re.compile(r"(?<![\w.])(\$?\d+(?:[.,:]\d+)*%?) ([a-z][a-z-]+)")


def _unbound_figures(text: str, cited: str) -> list[str]:
    """Dates and figure-unit pairs in the draft that the cited segments never say together."""
    draft = _normalise(text)
    said_dates = {(m[0] or m[3], m[1] or m[2]) for m in _DATE.findall(cited)}
    problems = [
        f"the date {month.capitalize()} {day} does not occur in the cited segments"
        for month, day in dict.fromkeys((m[0] or m[3], m[1] or m[2]) for m in _DATE.findall(draft))
        if (month, day) not in said_dates
    ]
    for figure, unit in dict.fromkeys(_FIGURE_UNIT.findall(draft)):
        if unit in _OPENERS or re.fullmatch(_MONTH, unit):
            continue
        if not re.search(rf"(?<![\w.]){re.escape(figure)} {re.escape(unit)}", cited):
            problems.append(f"'{figure} {unit}' does not occur in the cited segments")
    return problems
