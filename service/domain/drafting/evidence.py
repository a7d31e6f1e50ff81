"""Choose the sentences that answer one question for one failure.

Lexical scoring, on purpose: cue phrases for the question, concrete facts (figures, dates, names) and
the facilitator's summaries ("So the gap: ..."). Blaming sentences and figures a correction took back
are never evidence. The retrieval package's embeddings can be added as one more score later.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from service.domain.drafting.corrections import Correction, restates_superseded, states_superseded
from service.domain.drafting.structure import questions_asked
from service.domain.drafting.text import Segment, Sentence, numbers, sentences_of, specificity, words

FIELD_CUES = {
    "intended": re.compile(
        r"\b(?:intend\w*|plan\w*|goal|target|aim\w*|hop(?:e|ed)|supposed to|promis\w*|want\w* to|expect\w*|"
        r"the idea was|the point was|meant to)\b",
        re.I,
    ),
    "actual": re.compile(
        r"\b(?:happened|we (?:got|had|signed|sold)|only|instead|zero|none|arrived|late|down|failed|stalled|"
        r"took|turned away|abandon\w*|crash\w*|came back)\b",
        re.I,
    ),
    "gap": re.compile(
        r"\b(?:the gap|because|assum\w*|never|didn't|no plan|only one|one person|depend\w*|without|"
        r"we knew|we thought|believed|no place|so it)\b",
        re.I,
    ),
}
AGENDA = re.compile(r"\bfour questions\b|\bafter-action review (?:of|for)\b", re.I)
SUMMARY = re.compile(r"^so(?:,)? (?:the gap|what happened|we intended)|^the gap (?:is|for)", re.I)
MAX_SENTENCES = 4
MAX_WORDS = 90
MIN_WORDS = 4
MIN_SCORE = 1.0  # below this a sentence without a figure is small talk ("Quick one, fifteen minutes.")


@dataclass(frozen=True)
class Evidence:
    sentences: tuple[Sentence, ...]

    @property
    def segment_ids(self) -> list[int]:
        return sorted({s.segment_id for s in self.sentences})

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)


def select_evidence(
    segments: Sequence[Segment],
    *,
    field: str,
    corrections: Sequence[Correction] = (),
    excluded: Collection[int] = (),
    facilitator: str | None = None,
    call: Sequence[Segment] = (),
) -> Evidence:
    """Up to four sentences (about 90 words) that best answer ``field``, in the order spoken.

    ``call`` is the whole transcript, where a correction of a figure in ``segments`` may be found.
    """
    pool = [s for segment in segments if segment.id not in excluded for s in sentences_of(segment)]
    candidates = [s for s in pool if _usable(s, corrections)]
    superseded = {
        f
        for s in pool
        if states_superseded(s.text, segment_id=s.segment_id, corrections=corrections)
        for f in numbers(s.text)
    }
    ranked = sorted(candidates, key=lambda s: -_score(s, field=field, facilitator=facilitator))
    chosen: list[Sentence] = []
    for sentence in ranked:
        if len(chosen) == MAX_SENTENCES:
            break
        if sum(len(s.text.split()) for s in chosen) + len(sentence.text.split()) > MAX_WORDS and chosen:
            continue
        if _score(sentence, field=field, facilitator=facilitator) < (0.0 if numbers(sentence.text) else MIN_SCORE):
            break
        chosen.append(sentence)
    chosen.extend(_corrections_for(chosen, call or segments, [c for c in corrections if c.superseded & superseded]))
    return Evidence(tuple(sorted(chosen, key=lambda s: (s.segment_id, s.position))))


def _usable(sentence: Sentence, corrections: Sequence[Correction]) -> bool:
    short = len(sentence.text.split()) < MIN_WORDS and not numbers(sentence.text)  # "We signed 11." counts
    if short or sentence.text.rstrip().endswith("?") or questions_asked(sentence.text) or AGENDA.search(sentence.text):
        return False
    return not states_superseded(sentence.text, segment_id=sentence.segment_id, corrections=corrections)


def _score(sentence: Sentence, *, field: str, facilitator: str | None) -> float:
    cues = len(FIELD_CUES[field].findall(sentence.text))
    facts = specificity(sentence.text)
    summary = 2.0 if SUMMARY.search(sentence.text) else 0.0
    # The facilitator mostly asks and steers; their words are evidence when they summarise.
    steering = -1.0 if sentence.speaker == facilitator and not summary else 0.0
    length = min(len(words(sentence.text)), 30) / 30
    return 1.5 * min(cues, 2) + min(facts, 4) + summary + steering + length - 1.0


def _corrections_for(
    chosen: Sequence[Sentence], segments: Sequence[Segment], corrections: Sequence[Correction]
) -> list[Sentence]:
    """The correcting sentence, when a chosen sentence shares the topic of a corrected figure."""
    by_id = {s.id: s for s in segments}
    extra = []
    for correction in corrections:
        segment = by_id.get(correction.segment_id)
        if segment is None or any(s.segment_id == segment.id for s in chosen):
            continue
        # The sentences that carry the corrected figures: most figures that were not taken back.
        kept = [s for s in sentences_of(segment) if not restates_superseded(s.text, correction=correction)]
        ranked = sorted(kept, key=lambda s: -len(set(numbers(s.text)) - correction.superseded))
        extra += [s for s in ranked[:2] if set(numbers(s.text)) - correction.superseded]
    return extra[:2]
