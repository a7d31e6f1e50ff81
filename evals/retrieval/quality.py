"""Retrieval and pattern quality through the product's own code path, on the dev history.

The product side sees what the service would: the imported history (`debrief history import`
reads id, team, date, title, summary, category by name) and, per query, the case's accepted
answers for the gap and what happened. Only this scorer reads the truth files; `root_theme` in
past_failures.json is read here, and only to play the people who confirm or dismiss links.

Tuning split: cases d01-d06 ("tune") were used to choose the ranking's weights; d07-d12 ("held
out") were not looked at while choosing. Both are reported, and the held-out figure is the honest one.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from evals.suite import DATASETS
from service.db.engine import make_engine, make_session_factory
from service.db.migrate import upgrade
from service.domain.services import Services, provide_services
from service.domain.similarity.history import import_history, parse_records
from service.domain.similarity.review import PAGE_SIZE, link_review
from service.domain.similarity.search import CANDIDATE_POOL, index_of
from service.domain.similarity.startup import open_similarity_index
from service.domain.similarity.text import QueryParts
from service.models import Failure, LinkStatus
from service.settings import Settings

HISTORY = DATASETS / "history"
TUNE_CASES = {f"d{n:02d}" for n in range(1, 7)}


@contextmanager
def history_world(min_teams: int = 2) -> Iterator[tuple[Settings, Any]]:
    """A fresh data directory with the dev history imported and indexed, as `debrief` would do it."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), retrieval={"pattern_min_teams": min_teams})
        upgrade(settings)
        engine = make_engine(settings)
        factory = make_session_factory(engine)
        index = open_similarity_index(settings, factory)
        records = parse_records(json.loads((HISTORY / "past_failures.json").read_text()))
        with provide_services(factory, settings) as services:
            import_history(services.session, records)
        try:
            yield settings, factory
        finally:
            index.close()
            engine.dispose()


def truth_queries() -> dict[str, dict[str, Any]]:
    queries = json.loads((HISTORY / "retrieval_truth.json").read_text())["queries"]
    cases = {p.name.split("-")[0]: p for p in (DATASETS / "cases").glob("*.json")}
    for query in queries.values():
        failure = json.loads(cases[query["case"]].read_text())["truth"]["failures"][query["failure_index"]]
        query["parts"] = QueryParts(gap=failure["gap"], actual=failure["actual"])
        query["whole"] = "\n".join(failure[f] for f in ("intended", "actual", "gap"))
    return queries


def _scores(ranked: list[str], query: dict[str, Any]) -> dict[str, float | None]:
    similar = query["similar_ids"]
    relevant = set(similar) | set(query.get("also_acceptable", []))
    rank = next((i for i, fid in enumerate(ranked, 1) if fid in relevant), None)
    return {
        "recall5": len(set(ranked[:5]) & set(similar)) / len(similar) if similar else None,
        "rr": (1 / rank if rank else 0.0) if similar else None,
        "distractors5": len(set(ranked[:5]) & set(query["distractor_ids"])) / 5,
    }


def _mean(rows: list[dict[str, Any]], key: str) -> float:
    values = [r[key] for r in rows if r[key] is not None]
    return round(sum(values) / len(values), 3) if values else 0.0


def retrieval_quality(services: Services) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """recall@5, MRR and distractor share for the product ranking and for plain cosine (baseline)."""
    external = _external_ids(services)
    index = index_of(services.session).index
    rows, latencies = [], []
    for key, query in truth_queries().items():
        started = time.perf_counter()
        hits = services.similar.search(query["parts"], k=CANDIDATE_POOL, team_ids=None)
        latencies.append(1000 * (time.perf_counter() - started))
        ranked = [external[h.failure.id] for h in hits]
        plain = [external[int(fid)] for fid, _ in index.query(query["whole"], k=index.count())]
        split = "tune" if query["case"] in TUNE_CASES else "held out"
        product, baseline = _scores(ranked, query), _scores(plain, query)
        rows.append({"query": key, "split": split, **product, **{f"baseline_{k}": v for k, v in baseline.items()}})
    figures: dict[str, float] = {}
    for label, subset in (("all", rows), ("tune", [r for r in rows if r["split"] == "tune"]),
                          ("held out", [r for r in rows if r["split"] == "held out"])):  # fmt: skip
        for metric in ("recall5", "rr", "distractors5"):
            figures[f"{label} {metric}"] = _mean(subset, metric)
            figures[f"{label} baseline {metric}"] = _mean(subset, f"baseline_{metric}")
    ordered = sorted(latencies)
    figures["search p50 ms"] = round(statistics.median(ordered), 1)
    figures["search p95 ms"] = round(ordered[int(0.95 * (len(ordered) - 1))], 1)
    return figures, rows


def simulate_reviewers(services: Services) -> int:
    """Play the people on the link review page, page by page, deciding each suggestion by the truth (eval only).

    The same calls as /patterns/links: `LinkReview.page` refreshes each past failure's top-k
    hypotheses as its page is opened, and `SimilarityService.decide` records each verdict.
    """
    theme = {r["id"]: r["root_theme"] for r in json.loads((HISTORY / "past_failures.json").read_text())}
    reviewer = services.people.create_person(name="Simulated reviewer")
    review = link_review(services)
    decided = 0
    for number in range(-(-review.count() // PAGE_SIZE)):
        for view in review.page(number):
            for link in view.links:
                if link.status != LinkStatus.HYPOTHESIS.value:
                    continue
                same = theme[link.similar_failure.external_id] == theme[view.failure.external_id]
                services.similarity.decide(link, confirm=same, note="", actor=reviewer)
                decided += 1
    services.session.flush()
    return decided


def pattern_quality(services: Services) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """Refresh patterns, then score them: a reported group matches a true pattern at Jaccard >= 0.5."""
    truth = json.loads((HISTORY / "patterns_truth.json").read_text())
    patterns = [set(p["member_ids"]) for p in truth["patterns"]]
    decoys = [set(p["member_ids"]) for p in truth["decoy_themes"]]
    services.patterns.refresh()
    reported = [{m.failure_id for m in p.members} for p in services.patterns.list_all()]
    external = _external_ids(services)
    rows, matched, correct = [], set(), 0
    for group in reported:
        names = {external[i] for i in group}
        best = max(range(len(patterns)), key=lambda j: _jaccard(names, patterns[j]))
        ok = _jaccard(names, patterns[best]) >= 0.5
        decoy = any(len(names & d) >= 2 for d in decoys)
        correct += ok
        if ok:
            matched.add(best)
        rows.append({"members": ", ".join(sorted(names)), "matches": truth["patterns"][best]["theme"] if ok else "",
                     "touches_decoy": decoy})  # fmt: skip
    return {
        "reported": len(reported),
        "precision": round(correct / len(reported), 3) if reported else 1.0,
        "recall": round(len(matched) / len(patterns), 3),
    }, rows


def _external_ids(services: Services) -> dict[int, str]:
    """Failure id -> the failure history's own id (every failure in the eval's database has one)."""
    return {f.id: f.external_id or f"(no external id: {f.id})" for f in services.session.query(Failure)}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0
