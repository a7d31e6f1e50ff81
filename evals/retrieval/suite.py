"""Similar past failures and cross-team patterns: quality on the dev history, latency at scale."""

from __future__ import annotations

import logging
import time

from evals.retrieval.bench_index import sentences
from evals.retrieval.quality import history_world, pattern_quality, retrieval_quality, simulate_reviewers
from evals.retrieval.scale import measure, real_vectors
from evals.suite import DATASETS, Figure, SuiteResult
from retrieval import Embedder
from service.domain.services import provide_services
from service.settings import RetrievalSettings

NAME = "retrieval"
DESCRIPTION = "similar failures (recall@5, MRR, distractors), patterns (precision, recall), latency at 10k/100k"


def _at_least(value: float, target: float) -> bool:
    return value >= target


def run(quick: bool = False) -> SuiteResult:
    logging.getLogger("debrief").setLevel(logging.WARNING)
    figures: list[Figure] = []
    notes: list[str] = []
    with history_world() as (settings, factory):
        with provide_services(factory, settings, write=False) as services:
            quality, _ = retrieval_quality(services)
        for label in ("held out", "tune", "all"):
            r, m, d = (quality[f"{label} {x}"] for x in ("recall5", "rr", "distractors5"))
            figures += [
                Figure(f"recall@5 ({label})", r, ">= 0.8", r >= 0.8),
                Figure(f"MRR ({label})", m),
                Figure(f"distractor share in top 5 ({label})", d, "<= 0.2", d <= 0.2),
            ]
        figures += [
            Figure(
                "baseline recall@5 (all; plain cosine, raw intended+actual+gap vs stored vectors)",
                quality["all baseline recall5"],
            ),
            Figure("baseline MRR (all)", quality["all baseline rr"]),
            Figure("baseline distractor share (all)", quality["all baseline distractors5"]),
            Figure("search p50 ms (120 failures, embed + rerank)", quality["search p50 ms"]),
            Figure("search p95 ms (120 failures, embed + rerank)", quality["search p95 ms"]),
        ]
        with provide_services(factory, settings) as services:
            machine, _ = pattern_quality(services)
            services.session.rollback()
        figures += [
            Figure("patterns reported, machine only (no confirmed links)", machine["reported"]),
            Figure("pattern precision, machine only", machine["precision"], "= 1.0", machine["precision"] >= 1.0),
            Figure("pattern recall, machine only", machine["recall"], ">= 0.85", machine["recall"] >= 0.85),
        ]
        with provide_services(factory, settings) as services:
            decided = simulate_reviewers(services)
            human, pattern_rows = pattern_quality(services)
        figures += [
            Figure(
                "links decided by simulated reviewers on the link review page (top 5 of each past failure)", decided
            ),
            Figure("patterns reported after people decide links", human["reported"]),
            Figure(
                "pattern precision after people decide links", human["precision"], "= 1.0", human["precision"] >= 1.0
            ),
            Figure("pattern recall after people decide links", human["recall"], ">= 0.85", human["recall"] >= 0.85),
        ]
        with provide_services(factory, settings, write=False) as services:
            reviewed, _ = retrieval_quality(services)
        for label in ("held out", "tune"):
            r, m = reviewed[f"{label} recall5"], reviewed[f"{label} rr"]
            figures += [
                Figure(f"recall@5 after people decide links ({label}; not machine-only)", r, ">= 0.8", r >= 0.8),
                Figure(f"MRR after people decide links ({label})", m),
            ]
    notes.append(
        "Methods and weights were chosen on cases d01-d06 only; 'held out' (d07-d12) is the honest figure. "
        "Chosen on the tuning half: each team's domain words left out of both embedded texts, one query "
        "vector of gap + what happened, BM25 with whole-record frequencies at weight 1.5 (0.5-3.0 tried). "
        "Simulated reviewers work through the link review page's code path (/patterns/links: each past "
        "failure's top-k suggestions, refreshed as its page opens; a pair already linked is not offered "
        "twice) and confirm a hypothesis exactly when the truth says both failures share a root cause: an "
        "upper bound on what careful people reach with these hypotheses, not a machine-only figure. The "
        "search then lifts candidates a person confirmed as sharing a cause with another well-placed "
        "candidate (weight 2.0, chosen on the tuning half); with no confirmed links it changes nothing."
    )
    embedder = Embedder(threads=2)
    embedder.load()  # the rate below is of embedding, not of loading the model
    started = time.perf_counter()
    stored, queries = real_vectors(embedder)
    rate = len(sentences(DATASETS)) / (time.perf_counter() - started)  # real_vectors embeds them all
    figures.append(Figure("embedding texts/s (2 threads, dev-call sentences)", round(rate), ">= 200", rate >= 200))
    ef = RetrievalSettings().ef_search  # what the service runs with
    for size in (2_000,) if quick else (10_000, 100_000):
        scale = measure(size, embedder, stored, queries, (ef,))[ef]
        figures += [
            Figure(f"query p50 ms at {size:,} (k=10, ef_search {ef})", scale["p50 ms"]),
            Figure(f"query p95 ms at {size:,}", scale["p95 ms"], "<= 50", scale["p95 ms"] <= 50),
            Figure(
                f"recall@10 vs exact at {size:,}", scale["recall vs exact"], ">= 0.95", scale["recall vs exact"] >= 0.95
            ),
            Figure(f"index add rate at {size:,} (vectors/s)", scale["add per s"]),
        ]
    return SuiteResult(figures=figures, rows=pattern_rows, notes=notes)
