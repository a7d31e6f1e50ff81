"""Separate several failures discussed in one call.

The method gives every learning exactly one owner, so each distinct owner named in the call marks one
failure. The words spoken around each ownership (the learning and its category) are that failure's
topic; every other segment goes to the failure whose distinctive words it shares, and otherwise stays
with the failure being discussed (people finish one failure before moving on, mostly).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from service.domain.drafting.learning import change_score
from service.domain.drafting.structure import questions_asked
from service.domain.drafting.text import Segment, content_words, split_sentences

ANCHOR_WINDOW = 3  # segments before an ownership where the learning being owned is proposed
SWITCH_MARGIN = 1.5  # how much better another failure must match before the thread moves to it


@dataclass(frozen=True)
class FailureThread:
    """One failure: its owner (if named), the segment where it was owned, and its segments."""

    index: int
    owner: str | None
    owned_at: int | None
    segments: tuple[Segment, ...]  # the sentences of each segment that belong to this failure

    @property
    def segment_ids(self) -> tuple[int, ...]:
        return tuple(s.id for s in self.segments)


def separate_failures(
    segments: Sequence[Segment], *, owners: Sequence[tuple[int, str]], facilitator: str | None = None
) -> list[FailureThread]:
    """Split the call into one thread per owned learning (one thread when at most one owner).

    The split is by sentence: "Avoidable, yes. So what do we write down? Screen first." closes one
    failure and opens the next in a single turn.
    """
    if len(owners) <= 1:
        owner = owners[0] if owners else (None, None)
        return [FailureThread(0, owner[1], owner[0], tuple(segments))]
    anchors = _anchors(segments, owners)
    weights = _distinctive_weights(anchors, segments)
    pieces: list[list[Segment]] = [[] for _ in owners]
    current, floor, question = 0, 0, None
    owned = {sid: k for k, (sid, _) in enumerate(owners)}
    for segment in segments:
        if segment.question != question:  # each question starts again with the first failure
            current, floor, question = 0, 0, segment.question
        elif _asks_again(segment, facilitator):  # "Now the consults. Avoidable, inherent, experiment?"
            current = floor = min(current + 1, len(owners) - 1)  # and the earlier failure is done
        parts: dict[int, list[str]] = {}
        # A participant mostly speaks to one failure per turn; the facilitator closes one and opens the
        # next in a single turn ("Avoidable, yes. So what do we write down? Screen first.").
        units = split_sentences(segment.text) if segment.speaker == facilitator else [segment.text]
        for sentence in units:
            scores = [_score(sentence, w) for w in weights]
            best = max(range(floor, len(scores)), key=scores.__getitem__)
            if scores[best] > 0 and scores[best] >= SWITCH_MARGIN * scores[current]:
                current = best
            parts.setdefault(owned.get(segment.id, current), []).append(sentence)
        for k, sentences in parts.items():
            pieces[k].append(Segment(segment.id, segment.speaker, " ".join(sentences), segment.question))
    return [FailureThread(k, name, sid, tuple(pieces[k])) for k, (sid, name) in enumerate(owners)]


def _asks_again(segment: Segment, facilitator: str | None) -> bool:
    return segment.speaker == facilitator and segment.question in questions_asked(segment.text)


def _anchors(segments: Sequence[Segment], owners: Sequence[tuple[int, str]]) -> list[list[Segment]]:
    """For each owner: the ownership and the turn just before it that reads most like the learning."""
    position = {s.id: i for i, s in enumerate(segments)}
    anchors, floor = [], 0
    for sid, _ in owners:
        end = position[sid]
        before = list(segments[max(floor, end - ANCHOR_WINDOW) : end])
        learning = [max(before, key=change_score)] if before else []
        anchors.append([*learning, segments[end]])
        floor = end + 1
    return anchors


def _distinctive_weights(anchors: list[list[Segment]], segments: Sequence[Segment]) -> list[dict[str, float]]:
    """Words that occur in one failure's anchor and no other's, weighted by rarity in the call."""
    bags = [Counter(w for s in anchor for w in content_words(s.text)) for anchor in anchors]
    document_frequency = Counter(w for s in segments for w in set(content_words(s.text)))
    n = len(segments)
    weights = []
    for k, bag in enumerate(bags):
        others = set().union(*(b for j, b in enumerate(bags) if j != k))
        weights.append(
            {w: math.log(1 + n / document_frequency[w]) for w in bag if w not in others and document_frequency[w]}
        )
    return weights


def _score(text: str, weights: dict[str, float]) -> float:
    return sum(weights.get(w, 0.0) for w in set(content_words(text)))
