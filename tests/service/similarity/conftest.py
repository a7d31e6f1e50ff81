"""An indexed world for similarity and pattern tests: real database (both backends), real Chroma, real model."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pytest
from sqlalchemy.orm import Session, sessionmaker

from service.db.engine import make_engine, make_session_factory
from service.domain.services import Services, provide_services
from service.domain.similarity.history import import_history, parse_records
from service.domain.similarity.index import SimilarityIndex
from service.domain.similarity.startup import open_similarity_index
from service.settings import Settings

# Small on purpose: three causes, each told by more than one team in different words, plus noise.
HISTORY = [
    {
        "id": "H-1",
        "team": "Payments SRE",
        "date": "2024-01-10",
        "category": "avoidable",
        "title": "Rate limit change reached every region at once",
        "summary": "A config value was changed in the shared runtime config store, which pushes to all regions "
        "in two minutes. There was no canary or staged rollout for config.",
    },
    {
        "id": "H-2",
        "team": "Benefits",
        "date": "2024-02-11",
        "category": "avoidable",
        "title": "Eligibility rule edit applied to every county on the same day",
        "summary": "A rules table change went live for all counties at once with no pilot county or staged "
        "rollout, so a wrong threshold denied thousands of renewals.",
    },
    {
        "id": "H-3",
        "team": "Mobile",
        "date": "2024-03-12",
        "category": "avoidable",
        "title": "Remote config flag flipped for all users",
        "summary": "A remote config flag was switched on for all users at once instead of a staged percentage "
        "rollout, and the new onboarding crashed on old phones.",
    },
    {
        "id": "H-4",
        "team": "Nursing",
        "date": "2024-04-13",
        "category": "avoidable",
        "title": "Pending potassium dose lost at shift handover",
        "summary": "The handover sheet had no place for pending doses, so a potassium replacement ordered "
        "before the shift change was never given.",
    },
    {
        "id": "H-5",
        "team": "Payments SRE",
        "date": "2024-05-14",
        "category": "avoidable",
        "title": "Open incident action dropped at on-call handover",
        "summary": "The on-call handover template had no field for work in progress, so a pending database "
        "failover step was forgotten by the next engineer.",
    },
    {
        "id": "H-6",
        "team": "Campaigns",
        "date": "2024-06-15",
        "category": "inherent",
        "title": "Rain cancelled the outdoor rally",
        "summary": "Heavy rain on the day kept most supporters at home; the season's weather was known.",
    },
]


def history_records() -> list[dict]:
    return [dict(r) for r in HISTORY]


@pytest.fixture
def indexed(settings: Settings) -> Iterator[tuple[sessionmaker[Session], SimilarityIndex]]:
    """A session factory whose sessions carry the open index and keep it in step on commit."""
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    index = open_similarity_index(settings, factory)
    yield factory, index
    index.close()
    engine.dispose()


@pytest.fixture
def unit(settings: Settings, indexed) -> Callable[..., AbstractContextManager[Services]]:
    """`with unit() as services:` — one committed transaction, like a request or a CLI command."""
    factory, _ = indexed
    return lambda write=True: provide_services(factory, settings, write=write)


@pytest.fixture
def imported(unit) -> dict[str, int]:
    """The small history imported; returns failure ids by external id."""
    with unit() as services:
        import_history(services.session, parse_records(history_records()))
    with unit(write=False) as services:
        from service.models import Failure

        return {f.external_id: f.id for f in services.session.query(Failure) if f.external_id}
