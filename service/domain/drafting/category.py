"""Suggest the category of a gap from what the group said while question 4 was open.

Groups almost always say the word ("Avoidable, yes.", "That's inherent until we hire."), so the rule
reads stances in order and lets the facilitator's verdict weigh most. When the group disagreed and the
verdict itself hedges ("with a note", "I keep going back and forth"), the suggestion is *ambiguous*:
the leaning is kept and the tension is spelled out, for people to settle.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from service.domain.drafting.text import Segment, split_sentences

STANCES = {
    "avoidable": re.compile(r"\bavoidable\b|\bcould have (?:checked|asked|tested|caught)|our own rule", re.I),
    "inherent": re.compile(r"\binherent\b|\b(?:named|a|it's a) constraint\b|\bthe situation, not a mistake", re.I),
    "experiment": re.compile(r"\bexperiment\b|\bplanned as a test\b|\bit was a trial\b", re.I),
}
HEDGES = re.compile(
    r"back and forth|with a note|a whiff of|part of me says|i want it written down|on the fence|could go either",
    re.I,
)
REASON = re.compile(r"\b(?:because|could have|we can't|can't|on purpose|until|never|assum\w*|cost|we now know)\b", re.I)


@dataclass(frozen=True)
class CategorySuggestion:
    value: str  # avoidable | inherent | experiment | ambiguous
    leaning: str | None  # the likelier category, also when ambiguous
    rationale: str
    citations: list[int]


def stance(text: str) -> str | None:
    """The first category a turn commits to; a turn naming all three is asking, not answering."""
    hits = {name: m.start() for name, pattern in STANCES.items() if (m := pattern.search(text))}
    if not hits or len(hits) == 3 or (len(hits) > 1 and text.rstrip().endswith("?")):
        return None
    return min(hits, key=hits.__getitem__)


def suggest_category(segments: Sequence[Segment], *, facilitator: str | None) -> CategorySuggestion | None:
    """The category the group settled on, with a rationale in their words; None if nobody said one."""
    stances = [(s, c) for s in segments if (c := stance(s.text))]
    if not stances:
        return None
    verdicts = [(s, c) for s, c in stances if s.speaker == facilitator] or stances
    verdict_segment, leaning = verdicts[-1]
    said = {c for _, c in stances}
    # Only the one who gives the verdict can leave it open; a participant's aside doesn't.
    hedged = any(HEDGES.search(s.text) for s in segments if s.speaker == verdict_segment.speaker)
    if len(said) > 1 and hedged:
        return _ambiguous(stances, leaning=leaning, verdict=verdict_segment)
    support = [s for s, c in stances if c == leaning]
    reason_segment = max(support, key=lambda s: len(REASON.findall(s.text)))
    sentence = _reason_sentence(reason_segment.text)
    return CategorySuggestion(
        leaning,
        leaning,
        f"{leaning.capitalize()}: {reason_segment.speaker} said \u201c{sentence}\u201d",
        sorted({verdict_segment.id, reason_segment.id}),
    )


def _ambiguous(stances: list[tuple[Segment, str]], *, leaning: str, verdict: Segment) -> CategorySuggestion:
    first: dict[str, Segment] = {}
    for segment, category in stances:
        first.setdefault(category, segment)
    views = "; ".join(f"{s.speaker} argued {c} (\u201c{_reason_sentence(s.text)}\u201d)" for c, s in first.items())
    return CategorySuggestion(
        "ambiguous",
        leaning,
        f"The group disagreed ({views}); {verdict.speaker} leaned {leaning} but kept the tension on record.",
        sorted({s.id for s in first.values()} | {verdict.id}),
    )


def _reason_sentence(text: str) -> str:
    sentences = split_sentences(text) or [text]
    best = max(sentences, key=lambda s: (len(REASON.findall(s)) + bool(stance(s)), len(s)))
    return best.rstrip(".")
