"""How well the index finds past failures with the same root cause: recall@5, MRR, distractors.

Run from the project root:  python -m evals.retrieval.similar_failures

The product side (FailureIndex) sees only id, title + summary and team. Only this scorer reads the
truth files (`retrieval_truth.json`, the cases' `truth`); `root_theme` is never read at all.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from retrieval import Embedder, FailureIndex, IndexSettings

DATA = Path(__file__).resolve().parents[3] / "shared" / "evals-data"


@dataclass(frozen=True)
class Scores:
    queries: int
    recall_at_5: float
    mrr: float
    distractor_share_top5: float


def index_items(data: Path) -> list[tuple[str, str, dict[str, str]]]:
    """The rows the service would hand to the index: picked field by field, never root_theme."""
    records = json.loads((data / "history" / "past_failures.json").read_text())
    return [(r["id"], f"{r['title']}\n{r['summary']}", {"team": r["team"]}) for r in records]


def truth_queries(data: Path) -> dict[str, dict]:
    truth = json.loads((data / "history" / "retrieval_truth.json").read_text())["queries"]
    cases = {p.name.split("-")[0]: p for p in (data / "cases").glob("*.json")}
    for key, query in truth.items():
        case = json.loads(cases[query["case"]].read_text())
        failure = case["truth"]["failures"][query["failure_index"]]
        # What an accepted draft would carry into the search (the scorer may read case truth).
        query["text_draft"] = "\n".join(failure[f] for f in ("intended", "actual", "gap"))
        query["text_gap"] = failure["gap"]
        query["key"] = key
    return truth


def score(index: FailureIndex, queries: dict[str, dict], field: str) -> Scores:
    recalls, reciprocal_ranks, distractor_shares = [], [], []
    for query in queries.values():
        ranked = [fid for fid, _ in index.query(query[field], k=index.count())]
        similar = query["similar_ids"]
        relevant = set(similar) | set(query.get("also_acceptable", []))
        distractors = set(query["distractor_ids"])
        if similar:
            recalls.append(len(set(ranked[:5]) & set(similar)) / len(similar))
            rank = next((i for i, fid in enumerate(ranked, 1) if fid in relevant), None)
            reciprocal_ranks.append(1 / rank if rank else 0.0)
        distractor_shares.append(len(set(ranked[:5]) & distractors) / 5)
    return Scores(
        queries=len(queries),
        recall_at_5=sum(recalls) / len(recalls),
        mrr=sum(reciprocal_ranks) / len(reciprocal_ranks),
        distractor_share_top5=sum(distractor_shares) / len(distractor_shares),
    )


def run(data: Path, embedder: Embedder) -> dict[str, Scores]:
    queries = truth_queries(data)
    with (
        tempfile.TemporaryDirectory() as tmp,
        FailureIndex.open(IndexSettings(path=Path(tmp) / "index"), embedder) as index,
    ):
        index.rebuild(index_items(data))
        return {field: score(index, queries, field) for field in ("text_draft", "text_gap")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the evals-data directory")
    args = parser.parse_args()
    print_scores(run(args.data, Embedder()))


def print_scores(results: dict[str, Scores]) -> None:
    print("similar past failures (120 records, title + summary embedded)")
    for field, s in results.items():
        query = "intended+actual+gap" if field == "text_draft" else "gap only"
        print(
            f"  query={query:20s} n={s.queries}  recall@5={s.recall_at_5:.3f}  "
            f"MRR={s.mrr:.3f}  distractor share in top 5={s.distractor_share_top5:.3f}"
        )


if __name__ == "__main__":
    main()
