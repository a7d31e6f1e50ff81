"""Measure the retrieval stack: embedding speed, query latency and recall vs exact search.

Run from the project root:  python -m evals.retrieval.bench_index  [--sizes 10000,100000]

Stored items are real sentences from the dev review calls (embedded with the real model) plus
filler vectors added directly: "clustered" filler is a real sentence vector plus noise (a corpus
of related texts), "random" filler is uniform on the sphere (the worst case for HNSW). Queries
are held-out real sentences and random unit vectors. Prints figures; asserts nothing. Bounded by
--max-seconds: configurations that would start after it are skipped and reported as such.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from pathlib import Path

import numpy as np

from evals.retrieval.similar_failures import DATA, print_scores
from evals.retrieval.similar_failures import run as run_quality
from retrieval import Embedder, ExactIndex, FailureIndex, IndexSettings, recall_at_k

K = 10
TEAMS = 8


def sentences(data: Path) -> list[str]:
    found = []
    for path in sorted((data / "cases").glob("*.json")):
        for turn in json.loads(path.read_text())["turns"]:
            found += [s for s in re.split(r"(?<=[.!?])\s+", turn["text"]) if len(s.split()) >= 4]
    return found


def bench_embedding(texts: list[str], long_texts: list[str]) -> None:
    print("embedding (100 texts per call, best of 3)")
    for threads in (1, 2):
        embedder = Embedder(threads=threads)
        embedder.load()
        for name, batch in (("sentences", texts[:100]), ("failure records", long_texts[:100])):
            best = min(_timed(embedder.embed, batch) for _ in range(3))
            print(f"  threads={threads} {name:16s} {len(batch) / best:7.0f} texts/s")
    embedder = Embedder(threads=2)
    single = sorted(_timed(embedder.embed_one, t) for t in texts[:100])
    print(f"  one query sentence, threads=2: p50 {1000 * single[50]:.1f} ms")


def filler(kind: str, n: int, real: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    noise = rng.standard_normal((n, real.shape[1])).astype(np.float32)
    if kind == "clustered":
        # Noise of norm ~0.9 around a real sentence: cosine ~0.75 to its parent, like rewordings.
        noise = real[rng.integers(0, len(real), n)] + 0.9 * noise / np.sqrt(real.shape[1])
    return noise / np.linalg.norm(noise, axis=1, keepdims=True)


def bench_index(
    size: int,
    kind: str,
    settings: IndexSettings,
    embedder: Embedder,
    stored_real: np.ndarray,
    queries: dict[str, np.ndarray],
    ef_values: list[int],
) -> None:
    rng = np.random.default_rng(size)
    vectors = np.vstack([stored_real, filler(kind, size - len(stored_real), stored_real, rng)])
    ids = [f"f{i}" for i in range(size)]
    teams = [{"team": i % TEAMS} for i in range(size)]
    exact = ExactIndex(ids, vectors)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "index"
        started = time.perf_counter()
        with FailureIndex.open(_with(settings, path), embedder) as index:
            for start in range(0, size, 5000):
                index.upsert_vectors(
                    ids[start : start + 5000], vectors[start : start + 5000], teams[start : start + 5000]
                )
        add_rate = size / (time.perf_counter() - started)
        print(
            f"\n{size:,} items, {kind} filler, M={settings.max_neighbors} "
            f"ef_construction={settings.ef_construction}: add {add_rate:,.0f}/s"
        )
        for name, q in queries.items():
            truth = exact.query_ids(q, K)
            exact_ms = sorted(_timed(exact.query_vector, v, K) * 1000 for v in q)
            print(f"  {name} queries (n={len(q)}), exact NumPy p50 {exact_ms[len(q) // 2]:.1f} ms")
            for ef in ef_values:
                with FailureIndex.open(_with(settings, path, ef_search=ef), embedder) as index:
                    index.query_vector(q[0], K)  # first query loads the segment
                    found, ms = [], []
                    for v in q:
                        started = time.perf_counter()
                        found.append([fid for fid, _ in index.query_vector(v, K)])
                        ms.append(1000 * (time.perf_counter() - started))
                    p50, p95 = np.percentile(ms, [50, 95])
                    print(
                        f"    ef_search={ef:4d}: recall@{K} {recall_at_k(found, truth, K):.3f}"
                        f"  p50 {p50:5.1f} ms  p95 {p95:5.1f} ms"
                    )
            _filtered(path, settings, embedder, q[:50], vectors, ids)


def _filtered(
    path: Path, settings: IndexSettings, embedder: Embedder, q: np.ndarray, vectors: np.ndarray, ids: list[str]
) -> None:
    rows = [i for i in range(len(ids)) if i % TEAMS == 3]
    exact = ExactIndex([ids[i] for i in rows], vectors[rows])
    with FailureIndex.open(_with(settings, path), embedder) as index:
        found, ms = [], []
        for v in q:
            started = time.perf_counter()
            found.append([fid for fid, _ in index.query_vector(v, K, where={"team": 3})])
            ms.append(1000 * (time.perf_counter() - started))
    p50, p95 = np.percentile(ms, [50, 95])
    recall = recall_at_k(found, exact.query_ids(q, K), K)
    print(
        f"    where team=3 (1/{TEAMS} of items), ef_search={settings.ef_search}: "
        f"recall@{K} {recall:.3f}  p50 {p50:5.1f} ms  p95 {p95:5.1f} ms"
    )


def _with(settings: IndexSettings, path: Path, **changes: int) -> IndexSettings:
    fields = {f: getattr(settings, f) for f in settings.__slots__}  # type: ignore[attr-defined]
    return IndexSettings(**{**fields, "path": path, **changes})


def _timed(function, *args) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--max-seconds", type=float, default=900)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    deadline = time.monotonic() + args.max_seconds

    texts = sentences(args.data)
    records = json.loads((args.data / "history" / "past_failures.json").read_text())
    bench_embedding(texts, [f"{r['title']}\n{r['summary']}" for r in records])

    embedder = Embedder(threads=2)
    real = embedder.embed(texts)
    stored_real, held_out = real[:900], real[900:]
    rng = np.random.default_rng(7)
    queries = {"held-out sentence": held_out[:150], "random": filler("random", 100, real, rng)}
    default = IndexSettings()
    chroma_default = IndexSettings(ef_construction=100, max_neighbors=16)
    plan = []
    for size in (int(s) for s in args.sizes.split(",")):
        plan += [(size, "clustered", default), (size, "random", default)]
        if size <= 10_000:
            plan.append((size, "random", chroma_default))
    for size, kind, settings in plan:
        if time.monotonic() > deadline:
            print(f"\nskipped {size:,} {kind} (M={settings.max_neighbors}): past --max-seconds")
            continue
        ef_values = [16, 32, 64, 128, 256] if size <= 10_000 else [64, 128, 256]
        bench_index(size, kind, settings, embedder, stored_real, queries, ef_values)

    print()
    print_scores(run_quality(args.data, embedder))


if __name__ == "__main__":
    main()
