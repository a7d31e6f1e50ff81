"""Blame in the room: segments that put a failure on a person or team instead of the system.

Flags go privately to the facilitator with a system-focused rewording. The patterns are the shapes
blame takes in a review ("If IT had listened...", "That's on them", "night shift doesn't write things
down", "Fire just sits on these"); the look-alikes ("it's nobody's fault", "fault domain", "I didn't
change it") are excluded explicitly, because a false flag in a blameless review does harm too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from service.domain.drafting.text import Segment

# Case matters: a team or person is "the board", "IT", "Fire", "night shift"; lower-case nouns are things.
_ACTOR = r"(?:the [a-z]+(?: [a-z]+)?|[A-Z][\w-]*(?: [A-Z][\w-]*)?|they|he|she|staff|management|night shift|nights)"
_PATTERNS = [
    # A counterfactual about someone else: "If the board had approved...", "If staff had pushed back..."
    re.compile(rf"\b[Ii]f (?P<actor>{_ACTOR}) (?:had|would have|'d) (?!not been)\w+"),
    re.compile(r"\b(?:that's|it's|this is) on (?P<actor>them|him|her|[A-Z]\w+)\b"),
    re.compile(rf"\b(?P<actor>{_ACTOR}) (?:just )?(?:sits?|sat|sitting) on (?:these|it|them|this)\b"),
    re.compile(rf"\b[Bb]ecause (?P<actor>{_ACTOR}) (?:doesn't|don't|never|can't be bothered to) \w+"),
    re.compile(rf"\b(?P<actor>{_ACTOR}) (?:don't|doesn't) care\b"),
    re.compile(r"\b(?P<actor>[A-Z]\w+|they|he|she)(?:'s| is| are) (?:to blame|at fault)\b"),
    re.compile(r"\b(?:dropped the ball|didn't do (?:their|his|her) job|had done (?:their|his|her) job)\b", re.I),
    re.compile(r"\b[Tt]he gap is (?P<actor>the board|nights|night shift|management|[A-Z]\w+)\."),
]
_NOT_BLAME = re.compile(
    r"nobody's fault|no one's fault|not (?:anyone's|about) (?:fault|blame)|fault domain|fault[- ]toleran|"
    r"\bno blame\b|blameless|not a punishment",
    re.I,
)
_SELF = {"we", "i", "us", "you", "it", "this", "that", "there"}


@dataclass(frozen=True)
class BlameFlag:
    segment_id: int
    speaker: str
    phrase: str
    target: str
    rewording: str


def blame_flags(segments: Sequence[Segment]) -> list[BlameFlag]:
    """Segments that blame a person or team, each with a system-focused rewording."""
    flags = []
    for segment in segments:
        found = _blaming_phrase(segment.text)
        if found:
            phrase, target = found
            flags.append(BlameFlag(segment.id, segment.speaker, phrase, target, _reword(target)))
    return flags


def _blaming_phrase(text: str) -> tuple[str, str] | None:
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if _NOT_BLAME.search(sentence):
            continue
        for pattern in _PATTERNS:
            match = pattern.search(sentence)
            # Quoting someone's blame in order to set it aside ("'Fire doesn't care' doesn't help") isn't blame.
            if not match or sentence[: match.start()].count('"') % 2 or sentence[: match.start()].endswith("\u201c"):
                continue
            actor = (match.groupdict().get("actor") or "someone").strip()
            if actor == "I" or (actor.lower() in _SELF and not actor.isupper()):  # "IT" is a team, "it" isn't
                continue
            return match.group(0), actor
    return None


def _reword(target: str) -> str:
    return (
        f"Instead of what {target} did or didn't do, ask what in our process made it likely: what did "
        f"the plan, the hand-off or the tools assume about {target}, and what would catch it next time?"
    )
