"""Rank candidate past failures for one query: closeness in meaning plus the cause words they share.

Measured on the dev history (evals/retrieval/suite.py; methods and weights chosen on cases d01-d06
only, d07-d12 held out). Plain cosine of the whole answer against title + summary found mostly the
same team's failures (same domain, other cause). What raised recall@5 on the tuning half:

- leaving each team's domain words out of both texts before embedding (vocabulary.py);
- asking with the gap and what happened as one text (better than two vectors on the tuning half);
- adding BM25 with the whole record's document frequencies, domain words weighing nothing;
- once people have confirmed links (the room, the link review page), lifting a candidate that a
  person confirmed shares a cause with another well-placed candidate (LINK_WEIGHT).

Each signal is standardised over the candidates before they are added, so no signal's raw scale
decides the order. Tried on the tuning half and no better, so left out: reciprocal-rank fusion
of the same two signals; two query vectors (gap, what happened) instead of one; the gap alone for
the lexical score; embedding only the sentences that state a cause (no, never, assumed, only...);
sentence-level max-similarity; pseudo-relevance feedback on the top 1-5; removing the teams'
centroid directions from every vector; also dropping query words the record never uses; a
candidate pool of 60 or 100 (100 scored higher, but is most of the dev record, not a pool).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from service.domain.similarity.text import LexicalScorer

LEXICAL_WEIGHT = 1.5  # chosen on the tuning half (0.5 / 0.7 / 1.0 / 1.5 / 2.0 / 3.0 tried; see the suite's notes)
# A candidate that a person confirmed shares a cause with another candidate takes this share of that
# candidate's (standardised, positive) score on top of its own: what people decided compounds.
# Chosen on the tuning half after simulated reviewers worked through the link review page (grid
# 0 / 0.25 / 0.5 / 1 / 2, best recall@5 then MRR): tune recall@5 0.781 -> 0.896, held out 0.562 ->
# 0.594. Looked at afterwards and not chosen: 1.5 (tune 0.896, MRR lower) and 3.0 (tune 0.927, held
# out 0.469) -- with 16 tuning queries the figure is noisy; with no confirmed links nothing changes.
LINK_WEIGHT = 2.0


@dataclass(frozen=True, slots=True)
class Ranked:
    failure_id: str
    score: float  # closeness in meaning, a cosine in [-1, 1]; the order also weighs shared words
    shared_terms: tuple[str, ...]
    confirmed_with: str | None = None  # the candidate a person confirmed it shares a cause with, if that lifted it


def rank(
    query_text: str,
    query_vector: np.ndarray,
    ids: Sequence[str],
    vectors: np.ndarray,
    documents: Sequence[str],
    *,
    idf: Callable[[str], float] | None = None,
    lexical_weight: float = LEXICAL_WEIGHT,
    confirmed: Sequence[tuple[int, int]] = (),
    link_weight: float | None = None,
    limit: int | None = None,
) -> list[Ranked]:
    """Order the candidates best first: the best `limit` of them (all when None).

    Args:
        query_text: the query as a person wrote it (domain words are weighed by `idf`, not removed).
        query_vector: the embedded query; `vectors` are the candidates' stored vectors.
        documents: the candidates' texts, for the lexical score and the shared words.
        idf: document-frequency weights of the whole record; None uses the candidate pool's.
        confirmed: pairs of candidate positions a person confirmed as sharing a cause.
    """
    if not ids:
        return []
    semantic = vectors @ query_vector
    lexical = LexicalScorer(documents, idf=idf)
    words = np.asarray(lexical.scores(query_text), dtype=np.float64)
    fused = _standardise(semantic) + lexical_weight * _standardise(words)
    support, partner = _partner_support(fused, confirmed)
    weight = LINK_WEIGHT if link_weight is None else link_weight
    fused = fused + weight * support
    order = np.argsort(-fused, kind="stable")
    return [
        Ranked(
            failure_id=ids[i],
            score=round(float(semantic[i]), 4),
            shared_terms=tuple(lexical.shared_terms(query_text, documents[i])),
            confirmed_with=ids[partner[i]] if weight > 0 and support[i] > 0 else None,
        )
        for i in order[:limit]
    ]


def _standardise(values: np.ndarray) -> np.ndarray:
    spread = float(values.std())
    # One candidate, or all equal: the signal cannot order anything, so it adds nothing.
    return np.zeros_like(values, dtype=np.float64) if spread < 1e-9 else (values - values.mean()) / spread


def _partner_support(fused: np.ndarray, confirmed: Sequence[tuple[int, int]]) -> tuple[np.ndarray, list[int]]:
    """For each candidate, the best positive score among the candidates confirmed to share its cause, and whose."""
    support = np.zeros_like(fused)
    partner = [-1] * len(fused)
    positive = np.maximum(fused, 0.0)
    for a, b in confirmed:
        for mine, other in ((a, b), (b, a)):
            if positive[other] > support[mine]:
                support[mine], partner[mine] = positive[other], other
    return support, partner
