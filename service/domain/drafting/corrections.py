"""Corrections: when a speaker takes back a figure, the draft uses the corrected one.

"So it's 38 minutes, not 45." / "The 163 isn't right..." / "I said 71% is 92 of 126. That's wrong."
The figures a correction rejects are *superseded*: a sentence stating one of them as fact is never
evidence, while the correcting sentence is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from service.domain.drafting.text import Segment, numbers, split_sentences

_CORRECTING = re.compile(
    r"\b(?:correct (?:that|my)|isn't right|is not right|that's wrong|that was wrong|i misspoke|, not \$?\d"
    r"|was the (?:figure|count|number) for)",
    re.I,
)
# Sentences that reject a figure: "not 45", "The 163 isn't right", "I said ... 92", "40% was the figure for".
# "Not 10." alone contrasts a result with a target; "it's 38 minutes, not 45" corrects a figure.
_REJECTS = re.compile(
    r"\b(?:it's|it is|it was|that's) \$?\d[\d,.:]*%?(?: \w+)?, not (?:about )?(\$?\d[\d,.:]*%?)"
    r"|(\$?\d[\d,.:]*%?) (?:isn't|is not|wasn't) right",
    re.I,
)
_RETRACTS_SENTENCE = re.compile(r"\bi said\b|was the (?:figure|count|number) (?:for|i had)|that's wrong", re.I)


@dataclass(frozen=True)
class Correction:
    segment_id: int  # where the correction was spoken
    superseded: frozenset[str]  # figures no longer to be stated as fact


def find_corrections(segments: Sequence[Segment]) -> list[Correction]:
    """Every correction of a figure said earlier in the call."""
    said_before: set[str] = set()
    found = []
    for segment in segments:
        if _CORRECTING.search(segment.text):
            superseded = _rejected_figures(segment.text) & said_before
            if superseded:
                found.append(Correction(segment.id, frozenset(superseded)))
        said_before.update(numbers(segment.text))
    return found


def _rejected_figures(text: str) -> set[str]:
    direct_rejections: set[str] = set()
    retracted: set[str] = set()
    reaffirmed: set[str] = set()
    for sentence in split_sentences(text):
        direct = {(a or b).rstrip(".,:") for a, b in _REJECTS.findall(sentence)}
        direct_rejections |= direct
        if _RETRACTS_SENTENCE.search(sentence):
            retracted |= set(numbers(sentence))
        elif not direct:
            reaffirmed |= set(numbers(sentence))
    # "I said 71% is 92 of 126" retracts the sentence; "it's 89 of 126, which is the 71%" keeps two of it.
    return direct_rejections | (retracted - reaffirmed)


def states_superseded(sentence: str, *, segment_id: int, corrections: Sequence[Correction]) -> bool:
    """True when a sentence states, as fact, a figure that a later correction rejected."""
    figures = set(numbers(sentence))
    return any(
        c.superseded & figures
        and (segment_id < c.segment_id or (segment_id == c.segment_id and restates_superseded(sentence, correction=c)))
        for c in corrections
    )


def restates_superseded(sentence: str, *, correction: Correction) -> bool:
    """True for "I said 71% is 92 of 126": the sentence repeats a taken-back figure without rejecting it."""
    if not correction.superseded & set(numbers(sentence)):
        return False
    return bool(_RETRACTS_SENTENCE.search(sentence)) or not _REJECTS.search(sentence)
