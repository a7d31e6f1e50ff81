"""All domain services built on one session: per request in the web layer, per job or command elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from service.db.engine import unit_of_work
from service.domain.access import Access
from service.domain.accounts.service import AccountService
from service.domain.drafts.service import DraftService
from service.domain.failures.service import FailureService
from service.domain.learnings.service import LearningService
from service.domain.patterns.service import PatternService
from service.domain.people.service import PeopleService
from service.domain.recordings.purge import audio_purger
from service.domain.reviews.service import ReviewService
from service.domain.similarity.search import SimilarFailureSearch
from service.domain.similarity.service import SimilarityService
from service.domain.transcripts.service import TranscriptService
from service.models import Person
from service.settings import Settings


@dataclass
class Services:
    session: Session
    settings: Settings
    access: Access
    accounts: AccountService
    people: PeopleService
    reviews: ReviewService
    transcripts: TranscriptService
    failures: FailureService
    learnings: LearningService
    drafts: DraftService
    similarity: SimilarityService
    similar: SimilarFailureSearch
    patterns: PatternService


def build_services(
    session: Session, settings: Settings, *, viewer: Person | None = None, system: bool = False
) -> Services:
    """Services acting for ``viewer`` (access checked on every object), or for the system itself."""
    access = Access(session, viewer, system=system)
    reviews = ReviewService(
        session, access=access, due_hours=settings.review_due_hours, purgers=[audio_purger(settings.audio_dir)]
    )
    failures = FailureService(session, reviews=reviews)
    learnings = LearningService(session, reviews=reviews)
    similarity = SimilarityService(session, reviews=reviews)
    return Services(
        session=session,
        settings=settings,
        access=access,
        accounts=AccountService(session, reset_hours=settings.auth.reset_hours),
        people=reviews.people,
        reviews=reviews,
        transcripts=TranscriptService(session, reviews=reviews),
        failures=failures,
        learnings=learnings,
        drafts=DraftService(session, reviews=reviews, failures=failures, learnings=learnings),
        similarity=similarity,
        similar=SimilarFailureSearch(session, access=access, similarity=similarity, k=settings.retrieval.similar_k),
        patterns=PatternService(session, access=access, settings=settings.retrieval),
    )


@contextmanager
def provide_services(factory: sessionmaker[Session], settings: Settings, *, write: bool = True) -> Iterator[Services]:
    """Services for code outside a request (jobs, CLI): one transaction, committed on success."""
    with unit_of_work(factory, write=write) as session:
        yield build_services(session, settings, system=True)
