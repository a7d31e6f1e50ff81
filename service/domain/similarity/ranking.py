"""Rank candidate past failures for one query: meaning of the gap, of what happened, and shared cause words.

Measured on the dev history (evals/retrieval/suite.py, tuned on cases d01-d06 only, d07-d12 held
out): plain cosine of the whole answer text against title + summary reached recall@5 0.42; asking
with the gap and what happened as two vectors and adding BM25 over the candidate pool raised it on
both halves (figures in the suite's report). Each signal is standardised over the pool before they
are added, so no signal's raw scale decides the order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from service.domain.similarity.text import LexicalScorer, QueryParts

GAP_WEIGHT = 1.0
ACTUAL_WEIGHT = 0.5  # what happened matters, but the gap names the cause
LEXICAL_WEIGHT = 0.35  # chosen on the tuning half (0.2 / 0.35 / 0.5 tried); see the module note


@dataclass(frozen=True, slots=True)
class Ranked:
    failure_id: str
    score: float  # closeness in meaning, a cosine in [-1, 1]; the order also weighs shared words
    shared_terms: tuple[str, ...]


def rank(
    query: QueryParts,
    gap_vector: np.ndarray,
    actual_vector: np.ndarray,
    ids: Sequence[str],
    vectors: np.ndarray,
    documents: Sequence[str],
    *,
    lexical_weight: float = LEXICAL_WEIGHT,
    limit: int | None = None,
) -> list[Ranked]:
    """Order the candidates best first: the best `limit` of them (all when None)."""
    if not ids:
        return []
    semantic = (GAP_WEIGHT * (vectors @ gap_vector) + ACTUAL_WEIGHT * (vectors @ actual_vector)) / (
        GAP_WEIGHT + ACTUAL_WEIGHT
    )
    lexical = LexicalScorer(documents)
    words = np.asarray(lexical.scores(query.combined), dtype=np.float64)
    fused = _standardise(semantic) + lexical_weight * _standardise(words)
    order = np.argsort(-fused, kind="stable")
    return [
        Ranked(
            failure_id=ids[i],
            score=round(float(semantic[i]), 4),
            shared_terms=tuple(lexical.shared_terms(query.combined, documents[i])),
        )
        for i in order[:limit]
    ]


def _standardise(values: np.ndarray) -> np.ndarray:
    spread = float(values.std())
    # One candidate, or all equal: the signal cannot order anything, so it adds nothing.
    return np.zeros_like(values, dtype=np.float64) if spread < 1e-9 else (values - values.mean()) / spread
