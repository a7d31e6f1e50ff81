"""Grounded drafting on the 12 dev calls: extractive path and the configured model (embedded by default).

The drafter sees ``participants`` and ``turns`` only; ``scoring`` alone reads ``truth``. The model run
uses the same code as the service: ``ModelEndpoint.from_settings`` — the embedded llama.cpp server
unless DEBRIEF_LLM_BASE_URL names another endpoint.
"""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from evals.drafting import scoring
from evals.suite import DATASETS, Figure, SuiteResult
from service.domain.drafting.call import draft_call
from service.settings import Settings

NAME = "drafting"
DESCRIPTION = "grounded drafts, categories, owners, blame flags, corrections — extractive and with the model"


def run(quick: bool = False) -> SuiteResult:
    cases = [json.loads(p.read_text()) for p in sorted((DATASETS / "cases").glob("*.json"))[: 3 if quick else None]]
    figures, rows = _score_run("extractive", cases, llm=None)
    # Latency on a shared 2-core machine depends on what else runs: the load average says how busy it was.
    load_before = os.getloadavg()[0]
    notes = [f"human ceiling for must_mention (found in the truth answers themselves): {_ceiling(cases):.3f}"]
    endpoint = _endpoint(notes)
    if endpoint is not None:
        try:
            model_figures, model_rows = _score_run("model", cases, llm=endpoint)
        finally:
            endpoint.close()
        figures += model_figures
        rows += model_rows
        notes.append(f"1-minute load average: {load_before:.1f} before the model run, {os.getloadavg()[0]:.1f} after")
    return SuiteResult(figures=figures, rows=rows, notes=notes)


def _endpoint(notes: list[str]) -> Any | None:
    settings = Settings()
    if not settings.llm.base_url and importlib.util.find_spec("llama_cpp") is None:
        notes.append("model run skipped: llama-cpp-python[server] is not installed and no endpoint is configured")
        return None
    from service.llm import ModelEndpoint

    # The server's log goes to a scratch directory, never into the user's data directory.
    scratch = Path(tempfile.mkdtemp(prefix="debrief-drafting-eval-"))
    endpoint = ModelEndpoint.from_settings(settings.model_copy(update={"data_dir": scratch}))
    started = time.perf_counter()
    endpoint.client()  # start-up happens once per process, so it is timed apart from the answers
    notes.append(
        f"model run: {endpoint.model} at {settings.llm.base_url or 'the embedded llama.cpp server'} "
        f"(ready in {time.perf_counter() - started:.1f} s)"
    )
    return endpoint


def _score_run(label: str, cases: list[dict[str, Any]], *, llm: Any) -> tuple[list[Figure], list[dict[str, Any]]]:
    totals: dict[str, list[Any]] = {k: [] for k in ("shown", "passed", "found", "mentions", "cat", "ambig",
                                                    "owner", "corr", "latency", "kinds", "count", "down")}  # fmt: skip
    blame = {"tp": 0, "fp": 0, "fn": 0}
    rows = []
    for case in cases:
        started = time.perf_counter()
        result = draft_call({"participants": case["participants"], "turns": case["turns"]}, llm=llm)
        seconds = time.perf_counter() - started
        rows.append(_score_case(case, result, totals, blame) | {"run": label, "seconds": round(seconds, 2)})
    return _figures(label, totals, blame), rows


def _score_case(case: dict[str, Any], result: dict[str, Any], totals: dict[str, list[Any]], blame: dict[str, int]):
    truth = case["truth"]
    shown, passed, problems = scoring.grounding_checks(case, result)
    totals["shown"].append(shown)
    totals["passed"].append(passed)
    totals["count"].append(len(result["failures"]) == len(truth["failures"]))
    missing, wrong = _score_failures(result, truth, totals)
    flagged, true_blame = set(result["blame_turns"]), set(truth["blame_turns"])
    blame["tp"] += len(flagged & true_blame)
    blame["fp"] += len(flagged - true_blame)
    blame["fn"] += len(true_blame - flagged)
    kept = [
        f"{k}: {f[k]['text']}" for f in result["failures"] for k in scoring.ANSWERS if f[k]["grounding"] == "grounded"
    ]
    handled = scoring.corrections_handled(case, result)
    totals["corr"] += handled
    return {
        "case": case["id"],
        "failures": f"{len(result['failures'])}/{len(truth['failures'])}",
        "grounded": f"{passed}/{shown}",
        "must_mention missing": ", ".join(missing),
        "wrong category": "; ".join(wrong),
        "blame flagged/true": f"{sorted(flagged)}/{sorted(true_blame)}",
        "corrections": f"{sum(handled)}/{len(handled)}",
        "grounding problems": "; ".join(problems)[:300],
        "model text kept": " | ".join(kept)[:400],
    }


def _score_failures(
    result: dict[str, Any], truth: dict[str, Any], totals: dict[str, list[Any]]
) -> tuple[list[str], list[str]]:
    """Per true failure: facts mentioned, category, owner, and each answer's latency and kind."""
    missing, wrong = [], []
    for true, drafted in zip(
        truth["failures"], scoring.match_failures(result["failures"], truth["failures"]), strict=True
    ):
        text = scoring.draft_text(drafted)
        missing += [m for m in true["must_mention"] if m not in text]
        totals["found"].append(sum(m in text for m in true["must_mention"]))
        totals["mentions"].append(len(true["must_mention"]))
        category = (drafted or {}).get("category", {})
        totals["cat"].append(category.get("leaning") == true["category"])
        totals["ambig"].append((category.get("value") == "ambiguous") == true["ambiguous"])
        if category.get("leaning") != true["category"]:
            wrong.append(f"{category.get('value')} (truth {true['category']}, cited {category.get('citations')})")
        totals["owner"].append((drafted or {}).get("learning", {}).get("owner") == true["owner"])
        for answer in [drafted[k] for k in scoring.ANSWERS] if drafted else []:
            totals["latency"].append(answer["latency_ms"])
            totals["kinds"].append(answer["grounding"])
            totals["down"].append(any("did not answer" in p or "reached" in p for p in answer["model_problems"]))
    return missing, wrong


def _figures(label: str, t: dict[str, list[Any]], blame: dict[str, int]) -> list[Figure]:
    def share(values: list[Any]) -> float:
        return round(sum(values) / len(values), 3) if values else 0.0

    grounded = sum(t["passed"]) / max(sum(t["shown"]), 1)
    coverage = sum(t["found"]) / max(sum(t["mentions"]), 1)
    precision = blame["tp"] / max(blame["tp"] + blame["fp"], 1)
    recall = blame["tp"] / max(blame["tp"] + blame["fn"], 1)
    lat = sorted(t["latency"]) or [0.0]
    p95 = lat[int(0.95 * (len(lat) - 1))]
    model_kept = t["kinds"].count("grounded")
    return [
        Figure(f"[{label}] shown-as-grounded drafts passing the checker", round(grounded, 3), "== 1.0", grounded == 1),
        Figure(f"[{label}] must_mention coverage", round(coverage, 3), ">= 0.6", coverage >= 0.6),
        Figure(f"[{label}] category accuracy", share(t["cat"]), ">= 0.7", share(t["cat"]) >= 0.7),
        Figure(f"[{label}] ambiguity flagged as in truth", share(t["ambig"])),
        Figure(f"[{label}] owner accuracy", share(t["owner"])),
        Figure(f"[{label}] failure count right", share(t["count"])),
        Figure(f"[{label}] blame precision", round(precision, 3), ">= 0.8", precision >= 0.8),
        Figure(f"[{label}] blame recall", round(recall, 3), ">= 0.8", recall >= 0.8),
        Figure(f"[{label}] corrections handled", f"{sum(t['corr'])}/{len(t['corr'])}"),
        Figure(f"[{label}] answers whose model text passed the checker", f"{model_kept}/{len(t['kinds'])}"),
        Figure(f"[{label}] answers where the model was down or timed out (extractive used)", sum(t["down"])),
        Figure(f"[{label}] latency per answer p50 ms", round(statistics.median(lat), 1)),
        Figure(f"[{label}] latency per answer p95 ms", round(p95, 1), "<= 10000", p95 <= 10000),
    ]


def _ceiling(cases: list[dict[str, Any]]) -> float:
    found = total = 0
    for case in cases:
        for true in case["truth"]["failures"]:
            text = "\n".join(
                [true["intended"], true["actual"], true["gap"], true["category_rationale"], true["learning"]]
            )
            found += sum(m in text for m in true["must_mention"])
            total += len(true["must_mention"])
    return found / max(total, 1)
