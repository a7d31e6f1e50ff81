"""Suggest the learning of one failure: the concrete change, in the words of whoever proposed it.

The learning is spoken just before someone takes it on ("Who carries it?" / "I'll carry it"), so the
search looks back from the ownership for the turn that reads most like a change: a checklist step, a
rule, a named constraint, what the next team should try.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from service.domain.drafting.text import Segment, specificity, split_sentences

CHANGE_CUES = re.compile(
    r"\b(?:next team|next time|next round|try|change|checklist|template|rule|constraint|default|policy|"
    r"we write|write (?:it|down)|add|required|pilot|every|before|by (?:the )?\w+ \d+|plan)\b",
    re.I,
)
LOOK_BACK = 6  # segments before the ownership where the proposal usually is
MAX_SENTENCES = 3


@dataclass(frozen=True)
class LearningSuggestion:
    text: str
    owner: str | None
    citations: list[int]


def suggest_learning(
    segments: Sequence[Segment], *, owner: str | None, owned_at: int | None
) -> LearningSuggestion | None:
    """The change proposed before ``owned_at`` (or in the last turns), owned by ``owner``."""
    if not segments:
        return None
    end = next((i for i, s in enumerate(segments) if s.id == owned_at), len(segments) - 1)
    window = list(segments[max(0, end - LOOK_BACK) : end + 1])
    best = max(window, key=change_score)
    if change_score(best) <= 0:
        return None
    sentences = [s for s in split_sentences(best.text) if len(s.split()) >= 4]
    ranked = sorted(sentences, key=lambda s: -(len(CHANGE_CUES.findall(s)) * 2 + specificity(s)))
    keep = set(ranked[:MAX_SENTENCES])
    text = " ".join(s for s in sentences if s in keep)
    citations = sorted({best.id} | ({owned_at} if owned_at is not None else set()))
    return LearningSuggestion(text, owner, citations)


def change_score(segment: Segment) -> float:
    if segment.text.rstrip().endswith("?"):
        return 0.0
    return 2 * len(CHANGE_CUES.findall(segment.text)) + min(specificity(segment.text), 4) + len(segment.text) / 200
