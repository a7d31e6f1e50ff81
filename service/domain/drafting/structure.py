"""The review's own structure: which question was open when, and who owns which learning.

Live reviews record the open question on every segment. Uploaded and typed calls don't, so the
boundaries are found from the facilitator's questions ("Third question: the gap."), the way a person
skimming the transcript would find them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from service.domain.drafting.text import Segment, first_name, split_sentences

# Each cue is a phrase a facilitator uses to open that question. "for the gap" and "before the fourth
# question" are excluded: they defer to a later question rather than open it.
QUESTION_CUES = {
    1: re.compile(r"what did we intend|what we intended to happen|first question|what was the (?:plan|goal)"),
    2: re.compile(r"what (?:actually )?happened\?|second question"),
    3: re.compile(r"third question|(?<!for )the gap[.?:]|what'?s the gap|what gap"),
    4: re.compile(
        r"(?<!before the )fourth question|avoidable, inherent|avoidable or inherent|inherent,? or (?:an )?experiment"
        r"|avoidable, a constraint"
    ),
}
_ASK_WHO = re.compile(r"who (?:carries|owns|will carry|will own|is carrying|takes)", re.I)
_SELF_OWNS = re.compile(r"\b(?:i'll|i will) (?:carry|own) (?:it|this|that)\b|\bi'll carry\b|^(?:yes, )?me\b", re.I)


def questions_asked(text: str) -> list[int]:
    """The questions a turn opens, in the order they are asked.

    An agenda ("four questions: what we intended, what happened, the gap...") names several; only
    its last question can open one.
    """
    lowered = text.lower().replace("’", "'")
    found = _cue_positions(lowered)
    if len({q for _, q in found}) >= 2:
        asked = [s.lower().replace("’", "'") for s in split_sentences(text) if "?" in s]
        found = _cue_positions(asked[-1]) if asked else []
    last = {q: position for position, q in sorted(found)}  # a question named twice counts where last named
    return sorted(last, key=last.__getitem__)


def _cue_positions(lowered: str) -> list[tuple[int, int]]:
    return [(m.start(), q) for q, cue in QUESTION_CUES.items() for m in cue.finditer(lowered)]


def find_facilitator(segments: Sequence[Segment]) -> str | None:
    """The speaker who asks the four questions, when nobody told us."""
    askers = Counter(s.speaker for s in segments if questions_asked(s.text))
    return askers.most_common(1)[0][0] if askers else None


def assign_questions(segments: Sequence[Segment], *, facilitator: str | None) -> list[Segment]:
    """Label each segment with the question open while it was spoken (0 before the first).

    Segments that already carry a question (recorded live) keep it. Questions only move forward:
    a later mention of an earlier question is discussion, not a step back.
    """
    if segments and all(s.question for s in segments):
        return list(segments)
    facilitator = facilitator or find_facilitator(segments)
    current, labelled = 0, []
    for segment in segments:
        if segment.speaker == facilitator:
            later = [q for q in questions_asked(segment.text) if q > current]
            if later:
                current = later[-1]
        labelled.append(Segment(segment.id, segment.speaker, segment.text, segment.question or current))
    return labelled


def owner_statements(segments: Sequence[Segment], *, participants: Sequence[str]) -> list[tuple[int, str]]:
    """Where a person takes a learning on: ``(segment id, full name)``, in call order.

    "I'll carry it" names the speaker; "Marisol owns the timeline change" or "Anjali, you carry that"
    names someone else; "Me." answers "Who carries it?".
    """
    by_first = {first_name(p).lower(): p for p in participants}
    names = "|".join(re.escape(n) for n in by_first) or "(?!)"
    named = re.compile(
        rf"\b({names})(?: owns| carries| will carry| will own|, you carry|, will you carry|, can you carry)\b", re.I
    )
    found: list[tuple[int, str]] = []
    asked = -10
    for index, segment in enumerate(segments):
        if _ASK_WHO.search(segment.text):
            asked = index
        if _SELF_OWNS.search(segment.text.strip()) and (index - asked <= 2 or "carry" in segment.text.lower()):
            found.append((segment.id, _full_name(segment.speaker, participants)))
        for match in named.finditer(segment.text):
            found.append((segment.id, by_first[match.group(1).lower()]))
    return found


def _full_name(speaker: str, participants: Sequence[str]) -> str:
    return next((p for p in participants if p == speaker or first_name(p) == speaker), speaker)


def distinct_owners(statements: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    """One entry per owner, at the first segment where they took something on."""
    seen: dict[str, int] = {}
    for segment_id, name in statements:
        seen.setdefault(name, segment_id)
    return sorted(((sid, name) for name, sid in seen.items()), key=lambda pair: pair[0])
