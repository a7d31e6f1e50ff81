"""Query latency and recall against exact search at a given number of stored failures.

Built from bench_index.py's pieces: real sentences from the dev calls (embedded with the real model)
plus "clustered" filler (a real vector plus noise, like rewordings of related failures). Queries are
held-out real sentences. Returns figures instead of printing them.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from evals.retrieval.bench_index import TEAMS, K, filler, sentences
from evals.suite import DATASETS
from retrieval import Embedder, ExactIndex, FailureIndex, IndexSettings, recall_at_k


def real_vectors(embedder: Embedder) -> tuple[np.ndarray, np.ndarray]:
    """(stored, held-out query) vectors of real sentences from the dev review calls."""
    vectors = embedder.embed(sentences(DATASETS))
    return vectors[:900], vectors[900:1000]


def measure(
    size: int, embedder: Embedder, stored: np.ndarray, queries: np.ndarray, ef_values: tuple[int, ...] = (256,)
) -> dict[int, dict[str, float]]:
    """Fill an index to `size`, then time k=10 queries per ef_search value and compare with exact search."""
    rng = np.random.default_rng(size)
    vectors = np.vstack([stored, filler("clustered", size - len(stored), stored, rng)])
    ids = [f"f{i}" for i in range(size)]
    metas = [{"team_id": i % TEAMS} for i in range(size)]
    truth = ExactIndex(ids, vectors).query_ids(queries, K)
    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "index"
        with FailureIndex.open(IndexSettings(path=path), embedder) as index:
            started = time.perf_counter()
            for start in range(0, size, 5000):
                end = start + 5000
                index.upsert_vectors(ids[start:end], vectors[start:end], metas[start:end])
            add_s = time.perf_counter() - started
        for ef in ef_values:  # ef_search is a query-time setting: reopening applies it
            with FailureIndex.open(IndexSettings(path=path, ef_search=ef), embedder) as index:
                index.query_vector(queries[0], K)  # the first query loads the segment
                found, ms = [], []
                for q in queries:
                    t0 = time.perf_counter()
                    found.append([fid for fid, _ in index.query_vector(q, K)])
                    ms.append(1000 * (time.perf_counter() - t0))
            p50, p95 = np.percentile(ms, [50, 95])
            results[ef] = {
                "add per s": round(size / add_s),
                "p50 ms": round(float(p50), 2),
                "p95 ms": round(float(p95), 2),
                "recall vs exact": round(recall_at_k(found, truth, K), 3),
            }
    return results
