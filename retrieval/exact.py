"""Exact nearest-neighbour search over unit vectors, the yardstick for the approximate index.

Also usable as the index itself for small collections: a query over 100k x 384 vectors costs a
few milliseconds of NumPy, so HNSW only starts to pay near a million vectors.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class ExactIndex:
    """Brute-force cosine search over a fixed matrix of unit vectors."""

    def __init__(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        if len(ids) != len(vectors):
            raise ValueError(f"{len(ids)} ids for {len(vectors)} vectors")
        self.ids = list(ids)
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)

    def query_vector(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Return the k most similar ids with their cosine similarity, best first."""
        rows, scores = top_k(self.vectors, vector[None, :], k)
        return [(self.ids[i], float(s)) for i, s in zip(rows[0], scores[0], strict=True)]

    def query_ids(self, queries: np.ndarray, k: int) -> list[list[str]]:
        """Return the k most similar ids for each query row, best first."""
        rows, _ = top_k(self.vectors, queries, k)
        return [[self.ids[i] for i in row] for row in rows]


def top_k(vectors: np.ndarray, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (row indices, cosine scores) of the k best rows per query, best first."""
    k = min(k, len(vectors))
    if k == 0:
        empty = np.empty((len(queries), 0))
        return empty.astype(np.int64), empty.astype(np.float32)
    scores = queries.astype(np.float32) @ vectors.T
    # argpartition finds the k best in linear time; only those k are then sorted.
    best = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    best_scores = np.take_along_axis(scores, best, axis=1)
    order = np.argsort(-best_scores, axis=1, kind="stable")
    return np.take_along_axis(best, order, axis=1), np.take_along_axis(best_scores, order, axis=1)


def recall_at_k(found: Sequence[Sequence[str]], truth: Sequence[Sequence[str]], k: int) -> float:
    """Share of the true top-k ids that the approximate search also returned in its top k."""
    if len(found) != len(truth):
        raise ValueError(f"{len(found)} result lists for {len(truth)} truth lists")
    hits = total = 0
    for got, expected in zip(found, truth, strict=True):
        wanted = set(expected[:k])
        hits += len(wanted & set(got[:k]))
        total += len(wanted)
    return hits / total if total else 1.0
