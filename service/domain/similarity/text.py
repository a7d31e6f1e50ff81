"""The words of a failure: what the index embeds, what a search asks, and the terms two failures share.

Pure functions over strings. The index stores one text per failure — its title, its summary, and for
a failure in a review the accepted answers to "what actually happened" and "what gap exists" (the
intention is left out: it describes the plan, not the cause, and made matches worse on the dev
history). A search asks with the gap and what happened as one text. Both sides leave out the words
only one team uses (vocabulary.py) before they are embedded.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from service.models import Failure, Question

# Common English words and words every failure record uses ("team", "failure"): sharing them
# says nothing about a shared cause.
STOPWORDS = frozenset(
    """a about above after again against all also an and any are as at be because been before being
    below between both but by can could did do does doing done down during each even every few for from
    further had has have having he her here his how i if in into is it its just least less made make
    many may might more most much must my no nor not now of off on once one only or other our out over
    own per same she should since so some such than that the their them then there these they this
    those through to too two three under until up upon us very was we were what when where which while
    who whom why will with within without would yet you your week weeks day days team teams failure
    failures people staff new later first last several still never nobody another change changed
    changes follow followed went took came got used using asked said told thought believed""".split()  # noqa: SIM905
)
_WORD = re.compile(r"[a-z][a-z0-9'-]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ied", "ies", "ed", "es", "s", "ly")


@dataclass(frozen=True, slots=True)
class QueryParts:
    """What a search asks with: the gap (the cause, weighted most) and what actually happened."""

    gap: str
    actual: str

    @property
    def combined(self) -> str:
        return self.gap if self.gap == self.actual else f"{self.gap}\n{self.actual}"


def answer_text(failure: Failure, question: Question) -> str:
    return next((a.text for a in failure.answers if a.question == question.value), "")


def failure_document(failure: Failure) -> str:
    """The text the index embeds for a failure: title, summary, what happened, the gap."""
    parts = [failure.title, failure.summary]
    if failure.review_id is not None:
        parts += [answer_text(failure, Question.ACTUAL), answer_text(failure, Question.GAP)]
    return "\n".join(p.strip() for p in parts if p and p.strip())


def failure_query(failure: Failure) -> QueryParts:
    """Ask with the gap and what happened; before they are answered, with the title and summary."""
    fallback = "\n".join(p for p in (failure.title, failure.summary) if p)
    gap = answer_text(failure, Question.GAP) or fallback
    actual = answer_text(failure, Question.ACTUAL) or fallback
    return QueryParts(gap=gap, actual=actual)


def text_query(text: str) -> QueryParts:
    """A free-text search: one text stands for both parts."""
    return QueryParts(gap=text, actual=text)


def stem(word: str) -> str:
    """A crude suffix-stripper: enough to match "rollout"/"rollouts", "staged"/"stages"."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def terms(text: str) -> list[tuple[str, str]]:
    """(stem, surface word) for every content word, in order."""
    found = []
    for word in _WORD.findall(text.lower()):
        word = word.strip("'-")
        if len(word) > 2 and word not in STOPWORDS and not word.isdigit():
            found.append((stem(word), word))
    return found


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text.strip()) if s.strip()]


class LexicalScorer:
    """BM25 over a pool of candidate documents.

    Document frequencies come from `idf` when given (the whole record's, see vocabulary.py: a
    team's domain words weigh nothing there) and otherwise from the pool itself.
    """

    def __init__(
        self, documents: Sequence[str], *, idf: Callable[[str], float] | None = None, k1: float = 1.2, b: float = 0.75
    ) -> None:
        self._docs = [Counter(s for s, _ in terms(d)) for d in documents]
        self._lengths = [sum(c.values()) for c in self._docs]
        self._avg = (sum(self._lengths) / len(self._lengths)) if self._docs else 1.0
        self._df: Counter[str] = Counter()
        for counts in self._docs:
            self._df.update(counts.keys())
        self._idf = idf
        self._k1, self._b = k1, b

    def idf(self, stem_: str) -> float:
        if self._idf is not None:
            return self._idf(stem_)
        n, df = len(self._docs), self._df.get(stem_, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def scores(self, query: str) -> list[float]:
        wanted = {s for s, _ in terms(query)}
        out = []
        for counts, length in zip(self._docs, self._lengths, strict=True):
            total = 0.0
            for s in wanted & counts.keys():
                f = counts[s]
                norm = self._k1 * (1 - self._b + self._b * length / max(self._avg, 1e-9))
                total += self.idf(s) * f * (self._k1 + 1) / (f + norm)
            out.append(total)
        return out

    def shared_terms(self, query: str, document: str, limit: int = 4) -> list[str]:
        """The rarest content words both texts use, as the document spells them."""
        wanted = {s for s, _ in terms(query)}
        surface: dict[str, str] = {}
        for s, word in terms(document):
            if s in wanted:
                surface.setdefault(s, word)
        # A word that weighs nothing (a team's domain word) is no reason to think the causes match.
        ranked = sorted((s for s in surface if self.idf(s) > 0), key=lambda s: (-self.idf(s), s))
        return [surface[s] for s in ranked[:limit]]


def reason_for(shared: Iterable[str]) -> str:
    """The short reason shown with a hypothesis ("both: canary, region, config")."""
    words = list(shared)
    if not words:
        return "close in meaning, with no key words in common — check before confirming"
    return "both: " + ", ".join(words)
