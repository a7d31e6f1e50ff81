"""Segments, sentences and words: the small vocabulary every drafting step works in.

Drafting is pure code over ``Segment(id, speaker, text, question)``, the way the streaming policy is
pure code over words: testable without a database or a model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NUMBER = re.compile(r"(?<![\w.])\$?\d+(?:[.,:]\d+)*%?")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”)]?\s+(?=[\"“(]?[A-Z0-9$])")
_WORD = re.compile(r"[a-z0-9$%][a-z0-9$%'’.:-]*[a-z0-9%]|[a-z0-9]")


def _wordlist(text: str) -> list[str]:
    return text.split()


NUMBER_WORDS = set(
    _wordlist(
        """
        one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty
        hundred thousand half zero dozen
        """
    )
)
MONTHS = set(
    _wordlist(
        """
        january february march april may june july august september october november december monday
        tuesday wednesday thursday friday saturday sunday
        """
    )
)
STOPWORDS = set(
    _wordlist(
        """
        a about above after again against all am an and any are as at be because been before being below
        between both but by can could did do does doing down during each few for from further had has
        have having he her here hers him his how i if in into is it its itself just let me more most my
        no nor not now of off on once only or other our ours out over own same she should so some such
        than that the their theirs them then there these they this those through to too under until up
        very was we were what when where which while who whom why will with would you your yes yeah okay
        ok well um uh like really actually think know mean get got go going gonna thing things lot bit
        maybe also still said say says sure right good great thanks thank one us let's that's it's i'm
        we're they're don't didn't wasn't isn't i'll we'll i'd we'd i've we've you're can't won't
        there's what's here's
        """
    )
)


@dataclass(frozen=True)
class Segment:
    """One stretch of speech: a transcript segment in the service, a turn in an offline call."""

    id: int
    speaker: str
    text: str
    question: int | None = None


@dataclass(frozen=True)
class Sentence:
    """A sentence of one segment, the unit an extractive draft is built from."""

    segment_id: int
    speaker: str
    text: str
    position: int  # order of the sentence inside its segment


def words(text: str) -> list[str]:
    """Lower-case word tokens, keeping numbers such as ``14:06``, ``$500`` and ``71%`` whole."""
    return [w.rstrip(".:") for w in _WORD.findall(text.lower().replace("’", "'"))]


def content_words(text: str) -> list[str]:
    """Words that carry meaning: no stopwords, no single letters."""
    return [w for w in words(text) if w not in STOPWORDS and len(w) > 1]


def numbers(text: str) -> list[str]:
    """Figures as written (``38``, ``14:06``, ``$120,000``, ``31%``)."""
    return NUMBER.findall(text)


def split_sentences(text: str) -> list[str]:
    """Split speech into sentences; a stage direction such as ``(laughs)`` is dropped."""
    cleaned = re.sub(r"\((?:laughs|laughter|pause|inaudible|crosstalk)[^)]*\)", " ", text, flags=re.I)
    parts = _SENTENCE_END.split(cleaned.strip())
    return [p.strip() for p in parts if p.strip()]


def sentences_of(segment: Segment) -> list[Sentence]:
    return [Sentence(segment.id, segment.speaker, text, i) for i, text in enumerate(split_sentences(segment.text))]


def first_name(name: str) -> str:
    return name.split()[0] if name.split() else name


def specificity(text: str) -> int:
    """How many concrete facts a sentence carries: figures, dates and proper names."""
    lowered = words(text)
    figures = len(numbers(text)) + sum(w in NUMBER_WORDS for w in lowered)
    dates = sum(w in MONTHS for w in lowered)
    # Capitalised words after the first are names, products and places ("Glassline", "LtrB").
    names = len(re.findall(r"(?<=[a-z,;] )[A-Z][\w-]+", text))
    return figures + dates + names
