"""Name a proposed pattern without a model: the words its members share and its most central failure.

Extractive on purpose (an LLM-drafted theme arrives through the drafting call site in a later issue):
every word of the theme comes from the members' own records, so it cannot claim more than they say.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from service.domain.similarity.text import terms

PROPOSED_BY = "machine (extractive: shared words and the most central failure; no LLM)"


@dataclass(frozen=True, slots=True)
class Naming:
    theme: str
    description: str
    shared_terms: tuple[str, ...]


def name_group(
    member_docs: Sequence[str],
    central_title: str,
    team_count: int,
    corpus_docs: Sequence[str],
    *,
    confirmed_links: int = 0,
) -> Naming:
    """A theme from the words most members share (rare words first) and a one-paragraph description."""
    n_corpus = max(len(corpus_docs), 1)
    corpus_df: Counter[str] = Counter()
    for doc in corpus_docs:
        corpus_df.update({s for s, _ in terms(doc)})
    member_df: Counter[str] = Counter()
    surface: dict[str, str] = {}
    for doc in member_docs:
        found = terms(doc)
        member_df.update({s for s, _ in found})
        for s, word in found:
            surface.setdefault(s, word)
    # A word counts when at least two members use it; weight = how many members x how rare overall.
    needed = 2 if len(member_docs) < 4 else math.ceil(len(member_docs) / 2)
    weight = {
        s: count * math.log(1 + n_corpus / (1 + corpus_df.get(s, 0)))
        for s, count in member_df.items()
        if count >= needed
    }
    shared = tuple(surface[s] for s in sorted(weight, key=lambda s: (-weight[s], s))[:4])
    theme = ", ".join(shared[:3]) if shared else central_title
    how = f"{confirmed_links} confirmed links" if confirmed_links else "similarity of their texts only"
    description = (
        f"{len(member_docs)} failures in {team_count} teams, grouped by {how}. "
        f"Most central: “{central_title}”."
        + (f" Words they share: {', '.join(shared)}." if shared else "")
        + " Proposed by code, not yet reviewed: accept, edit or reject it."
    )
    return Naming(theme=theme[:200], description=description, shared_terms=shared)
