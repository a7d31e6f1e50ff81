"""Review rooms for the benchmarks: a scratch database and rooms with a short transcript each.

Shared by the load benchmark (benchmarks/load.py) and the read-cost probe (benchmarks/read_cost.py),
so both read the same rooms.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from service.db.engine import make_engine, make_session_factory
from service.db.migrate import upgrade
from service.domain.accounts.bootstrap import issue_token
from service.domain.services import provide_services
from service.domain.transcripts.service import NewSegment
from service.models import SegmentSource
from service.settings import Settings

LINES = (
    "We intended to have the new rota live by Monday for all six wards.",
    "What happened was that two wards kept the old rota because nobody told the night shift.",
    "The gap is that we announced it by email only, and the night shift reads the board.",
)


@dataclass
class Room:
    review_id: int
    failure_id: int
    token: str


def scratch_database(kind: str, postgres: str, data_dir: Path) -> tuple[str | None, str]:
    """(schema, URL): a fresh PostgreSQL schema for "pg", or (None, "") for SQLite in the data directory."""
    if kind == "sqlite":
        return None, ""
    schema = f"debrief_load_{uuid.uuid4().hex[:8]}"
    admin = Settings(database={"url": postgres}).database_url
    engine = create_engine(admin)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    url = make_url(admin).update_query_dict({"options": f"-csearch_path={schema}"})
    return schema, url.render_as_string(hide_password=False)


def drop_schema(postgres: str, schema: str) -> None:
    engine = create_engine(Settings(database={"url": postgres}).database_url)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def make_rooms(settings: Settings, count: int, *, segments: int = len(LINES)) -> list[Room]:
    """A team, three people, an open review with one failure and a transcript of ``segments`` lines, per room."""
    upgrade(settings)
    engine = make_engine(settings)
    rooms = []
    with provide_services(make_session_factory(engine), settings) as services:
        people = services.people
        for n in range(count):
            team = people.create_team(name=f"Team {n}")
            lead, alice, bob = (people.create_person(name=f"{who} {n}") for who in ("Lead", "Alice", "Bob"))
            for person in (lead, alice, bob):
                people.add_member(team_id=team.id, person_id=person.id)
            review = services.reviews.create(
                team_id=team.id, title=f"Rota change {n}", what_failed="Two wards kept the old rota",
                failed_at=datetime.now(UTC) - timedelta(hours=20), facilitator_id=lead.id,
                participant_ids=[alice.id, bob.id], actor=lead,
            )  # fmt: skip
            failure = services.failures.create(review, title="Rota not adopted", actor=lead)
            spoken = [NewSegment(speaker=alice.name, text=LINES[i % len(LINES)], start_s=10.0 * i, end_s=10.0 * i + 8,
                                 source=SegmentSource.TYPED, person_id=alice.id)
                      for i in range(segments)]  # fmt: skip
            services.transcripts.add(review, spoken, actor=lead)
            rooms.append((review.id, failure.id, lead.id))
    engine.dispose()
    return [
        Room(review_id=review_id, failure_id=failure_id, token=issue_token(settings, person=lead_id, name="load"))
        for review_id, failure_id, lead_id in rooms
    ]
