"""Import past failures from a JSON file: one record per failure, idempotent by its `id`.

Format (evals/datasets/history/past_failures.json): a list of
`{"id", "team", "date", "title", "summary", "category"}`. Records may carry more keys — notably
`root_theme`, which is evaluation ground truth — and those are never read: each field below is
picked by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.errors import InvalidInput
from service.models import Category, Failure, Team

FIELDS = ("id", "team", "date", "title", "summary", "category")  # the only keys ever read


@dataclass(frozen=True, slots=True)
class PastFailure:
    external_id: str
    team: str
    occurred_on: date | None
    title: str
    summary: str
    category: str | None


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    teams_created: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        teams = f", {len(self.teams_created)} new teams" if self.teams_created else ""
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged{teams}"


def parse_records(payload: Any) -> list[PastFailure]:
    """Check the whole file before anything is written; say which record and field is wrong."""
    if not isinstance(payload, list):
        raise InvalidInput("The history file must hold a JSON list of past failures.")
    parsed, seen = [], set()
    for n, raw in enumerate(payload, 1):
        where = f"record {n}" + (f" ({raw.get('id')})" if isinstance(raw, dict) and raw.get("id") else "")
        if not isinstance(raw, dict):
            raise InvalidInput(f"{where}: expected an object with {', '.join(FIELDS)}.")
        record: dict[str, Any] = {key: raw.get(key) for key in FIELDS}
        for key in ("id", "team", "title"):
            if not isinstance(record[key], str) or not record[key].strip():
                raise InvalidInput(f"{where}: '{key}' must be a non-empty string.", field=key)
        if record["id"] in seen:
            raise InvalidInput(f"{where}: id {record['id']!r} appears twice in the file.", field="id")
        seen.add(record["id"])
        try:
            occurred = date.fromisoformat(record["date"]) if record["date"] else None
        except (TypeError, ValueError):
            raise InvalidInput(f"{where}: 'date' must be YYYY-MM-DD, got {record['date']!r}.", field="date") from None
        category = record["category"] or None
        if category is not None and category not in {c.value for c in Category}:
            raise InvalidInput(f"{where}: 'category' must be avoidable, inherent or experiment.", field="category")
        summary = record["summary"] if isinstance(record["summary"], str) else ""
        parsed.append(
            PastFailure(
                external_id=record["id"].strip(),
                team=record["team"].strip(),
                occurred_on=occurred,
                title=record["title"].strip()[:200],
                summary=summary.strip(),
                category=category,
            )
        )
    return parsed


def import_history(session: Session, records: list[PastFailure]) -> ImportReport:
    """Create or update each past failure by its id, creating teams by name as needed."""
    report = ImportReport()
    teams = {t.name: t for t in session.scalars(select(Team))}
    existing = {
        f.external_id: f
        for f in session.scalars(select(Failure).where(Failure.external_id.in_([r.external_id for r in records])))
    }
    for record in records:
        team = teams.get(record.team)
        if team is None:
            team = teams[record.team] = Team(name=record.team)
            session.add(team)
            session.flush()
            report.teams_created.append(record.team)
        values = {
            "team_id": team.id,
            "title": record.title,
            "summary": record.summary,
            "occurred_on": record.occurred_on,
            "category": record.category,
        }
        failure = existing.get(record.external_id)
        if failure is None:
            session.add(Failure(external_id=record.external_id, review_id=None, **values))
            report.created += 1
        elif any(getattr(failure, key) != value for key, value in values.items()):
            if failure.review_id is not None:
                raise InvalidInput(
                    f"{record.external_id} belongs to a review in Debrief; history import cannot change it."
                )
            for key, value in values.items():
                setattr(failure, key, value)
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()
    return report
