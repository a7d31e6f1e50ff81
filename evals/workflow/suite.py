"""The human path end to end: each dev call typed in, answered from its ground truth, exported.

This is the baseline every AI suite is measured against: when people type the true answers, the
exported record must carry every fact the method asks for (`must_mention`), each learning with its
one owner. It also times the API on the embedded SQLite defaults.
"""

from __future__ import annotations

import json
import logging
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from evals.suite import DATASETS, Figure, SuiteResult
from service.app import create_app
from service.db.migrate import upgrade
from service.domain.accounts.bootstrap import create_user, issue_token
from service.settings import Settings

NAME = "workflow"
DESCRIPTION = "dev calls typed in, answered from truth, exported; API latency on SQLite"


class _TimedClient:
    """Calls the API as a person (through a real API token) and times every request."""

    def __init__(self, client: TestClient, settings: Settings, admin: int) -> None:
        self.client = client
        self.settings = settings
        self.admin = admin
        self.tokens: dict[int, str] = {}
        self.latencies_ms: list[float] = []

    def call(self, method: str, url: str, actor: int | None = None, **kwargs: Any) -> Any:
        person = actor or self.admin
        if person not in self.tokens:
            self.tokens[person] = issue_token(self.settings, person=person, name="eval")
        headers = {"Authorization": f"Bearer {self.tokens[person]}"}
        t0 = time.perf_counter()
        response = self.client.request(method, url, headers=headers, **kwargs)
        self.latencies_ms.append((time.perf_counter() - t0) * 1000)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {url}: {response.status_code} {response.text}")
        return response.json() if "json" in response.headers.get("content-type", "") else response.text


def _run_case(api: _TimedClient, case: dict[str, Any]) -> dict[str, Any]:
    team = api.call("POST", "/api/teams", json={"name": case["team"]})
    people = {p["name"]: api.call("POST", "/api/people", json={"name": p["name"]}) for p in case["participants"]}
    for person in people.values():
        api.call("POST", f"/api/teams/{team['id']}/members", json={"person_id": person["id"]})
    facilitator = people[case["participants"][0]["name"]]["id"]
    review = api.call(
        "POST",
        "/api/reviews",
        actor=facilitator,
        json={
            "team_id": team["id"],
            "title": case["title"],
            "failed_at": case["failure_date"] + "T12:00:00Z",
            "facilitator_id": facilitator,
            "participant_ids": [p["id"] for p in people.values()],
        },
    )
    rid = review["review"]["id"]
    api.call(
        "POST",
        f"/api/reviews/{rid}/segments",
        actor=facilitator,
        json={
            "segments": [
                {
                    "speaker": t["speaker"],
                    "text": t["text"],
                    "start_s": float(i),
                    "end_s": float(i) + 1,
                    "source": "typed",
                    "source_key": f"turn-{i}",
                }
                for i, t in enumerate(case["turns"])
            ]
        },
    )
    failures = [
        api.call("POST", f"/api/reviews/{rid}/failures", actor=facilitator, json={"title": truth["gap"][:120]})
        for truth in case["truth"]["failures"]
    ]
    for question, key in ((1, "intended"), (2, "actual"), (3, "gap")):
        for failure, truth in zip(failures, case["truth"]["failures"], strict=True):
            api.call(
                "POST",
                f"/api/failures/{failure['id']}/answers",
                actor=facilitator,
                json={"question": question, "text": truth[key]},
            )
        api.call("POST", f"/api/reviews/{rid}/advance", actor=facilitator)
    for failure, truth in zip(failures, case["truth"]["failures"], strict=True):
        api.call(
            "PUT",
            f"/api/failures/{failure['id']}/category",
            actor=facilitator,
            json={"category": truth["category"], "rationale": truth["category_rationale"]},
        )
        api.call(
            "POST",
            f"/api/failures/{failure['id']}/learnings",
            actor=facilitator,
            json={"text": truth["learning"], "owner_id": people[truth["owner"]]["id"]},
        )
    api.call("POST", f"/api/reviews/{rid}/close", actor=facilitator)
    markdown = api.call("GET", f"/api/reviews/{rid}/export", params={"format": "md"})
    api.call("GET", f"/api/reviews/{rid}")
    mentions = [m for truth in case["truth"]["failures"] for m in truth["must_mention"]]
    found = [m for m in mentions if m in markdown]
    owners_ok = all(f"owner: **{t['owner']}**" in markdown for t in case["truth"]["failures"])
    missing = [m for m in mentions if m not in markdown]
    return {
        "case": case["id"],
        "failures": len(failures),
        "turns": len(case["turns"]),
        "must_mention": f"{len(found)}/{len(mentions)}",
        "owners_in_export": owners_ok,
        "missing": ", ".join(missing),
        "_found": len(found),
        "_total": len(mentions),
    }


def run(quick: bool = False) -> SuiteResult:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    cases = sorted((DATASETS / "cases").glob("*.json"))[: 3 if quick else None]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        upgrade(settings)
        admin = create_user(settings, name="Eval Admin", email="eval@example.org", password=None, admin=True)
        with TestClient(app=create_app(settings)) as client:
            api = _TimedClient(client, settings, admin)
            rows = [_run_case(api, json.loads(path.read_text())) for path in cases]
    found, total = sum(r.pop("_found") for r in rows), sum(r.pop("_total") for r in rows)
    coverage = found / total if total else 0.0
    lat = sorted(api.latencies_ms)
    p95 = lat[int(0.95 * (len(lat) - 1))]
    return SuiteResult(
        figures=[
            Figure("reviews closed and exported", len(rows)),
            # The truth answers paraphrase some transcript phrases ("1.2 GB" for "1.2 gigabytes"), so
            # even perfect human answers do not contain every must_mention string: this is the
            # ceiling an exact-substring coverage metric can reach, reported for the drafting suite.
            Figure("must_mention found in the typed truth answers (human ceiling)", round(coverage, 3)),
            Figure("learnings exported with their one owner", sum(r["owners_in_export"] for r in rows)),
            Figure("API requests", len(lat)),
            Figure("API latency p50 ms (in-process, SQLite)", round(statistics.median(lat), 2)),
            Figure("API latency p95 ms (in-process, SQLite)", round(p95, 2)),
        ],
        rows=rows,
    )
