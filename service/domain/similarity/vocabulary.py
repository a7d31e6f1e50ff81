"""Which words say *where* a failure happened rather than *why*: one team's vocabulary, learned from the record.

Measured on the dev history (evals/retrieval/suite.py): the nearest neighbours of a failure by
plain MiniLM cosine were mostly the same team's other failures — "merchant", "ward", "borehole"
dominate the vectors, while the words of the cause ("handover", "staged", "pilot") are shared
across teams. A word that several failures use, all of them (on a large record, at least 90 %)
from one team, is that team's domain vocabulary. It is left out of the text the index embeds and
out of the query, and it carries no weight in the lexical score, so what is left to compare is
mostly the cause.

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
# Share of a word's failures that must come from one team. On a record of a few hundred failures
# this means "all of them"; on a large one, a stray use by another team does not hide a domain word.
ONE_TEAM_SHARE = 0.9
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
        by_team: dict[str, Counter[int]] = {}  # stem -> failures using it, per team
        teams: set[int] = set()
        documents = 0
        for team_id, text in failures:
            documents += 1
            teams.add(team_id)
            for s in {s for s, _ in terms(text)}:
                by_team.setdefault(s, Counter())[team_id] += 1
        frequency = {s: sum(counts.values()) for s, counts in by_team.items()}
        if len(teams) < MIN_TEAMS:
            return cls(documents, frequency)
        domain = frozenset(
            s
            for s, counts in by_team.items()
            if frequency[s] >= MIN_FAILURES and max(counts.values()) >= ONE_TEAM_SHARE * frequency[s]
        )
        return cls(documents, frequency, domain)

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
