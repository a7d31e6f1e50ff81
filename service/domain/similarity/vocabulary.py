"""Which words say *where* a failure happened rather than *why*: one team's vocabulary, learned from the record.

Measured on the dev history (evals/retrieval/suite.py): the nearest neighbours of a failure by
plain MiniLM cosine were mostly the same team's other failures — "merchant", "ward", "borehole"
dominate the vectors, while the words of the cause ("handover", "staged", "only one") are shared
across teams. A word that several failures use, all of them from one team, is that team's domain
vocabulary; it is left out of the text the index embeds and out of the query, and it carries no
weight in the lexical score, so what is left to compare is mostly the cause.

No ground truth is read: only each failure's team and its own words. With fewer than three teams
there is no telling a team's domain from a cause it happens to repeat, so nothing is left out.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from service.domain.similarity.text import stem, terms

MIN_TEAMS = 3  # below this, "used by one team only" says nothing
MIN_FAILURES = 2  # a word one failure uses is just that failure's word, not a team's vocabulary
_SURFACE = re.compile(r"[A-Za-z][A-Za-z0-9'-]+")
_SPACES = re.compile(r"[ \t]+")


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Document frequencies over every failure, and the stems only one team uses."""

    documents: int = 0
    frequency: dict[str, int] = field(default_factory=dict)
    domain: frozenset[str] = frozenset()

    @classmethod
    def learn(cls, failures: Iterable[tuple[int, str]]) -> Vocabulary:
        """Learn from (team id, document) pairs — every failure the index holds."""
        frequency: Counter[str] = Counter()
        team_of: dict[str, int | None] = {}  # a stem's only team; None once a second team uses it
        teams: set[int] = set()
        documents = 0
        for team_id, text in failures:
            documents += 1
            teams.add(team_id)
            for s in {s for s, _ in terms(text)}:
                frequency[s] += 1
                team_of[s] = team_id if team_of.get(s, team_id) == team_id else None
        domain = frozenset(
            s for s, team in team_of.items() if team is not None and frequency[s] >= MIN_FAILURES
        ) if len(teams) >= MIN_TEAMS else frozenset()  # fmt: skip
        return cls(documents, dict(frequency), domain)

    def idf(self, stem_: str) -> float:
        """BM25's inverse document frequency over the whole record; zero for a domain word."""
        if stem_ in self.domain:
            return 0.0
        df = self.frequency.get(stem_, 0)
        return math.log(1 + (self.documents - df + 0.5) / (df + 0.5))

    def without_domain_words(self, text: str) -> str:
        """The text with every domain word removed (numbers, punctuation and other words kept)."""
        if not self.domain:
            return text
        kept = _SURFACE.sub(lambda m: "" if stem(m.group(0).lower().strip("'-")) in self.domain else m.group(0), text)
        return "\n".join(_SPACES.sub(" ", line).strip() for line in kept.splitlines())
