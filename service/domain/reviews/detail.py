"""The review room's read path: the whole review as plain rows, straight into the API shapes.

Every participant's room polls `GET /api/reviews/{id}`, so this is the most frequent request
Debrief serves. Loading it as ORM objects spent most of the request building objects and their
loaders (profiled: ~60 % of the app's CPU per read); here each part is one query of plain columns.
The rows go through the same builders `ReviewDetail.of` gives objects (service/api/rows.py), so the
fields are listed once, in the schemas (tests/service/domain/test_review_detail.py checks the two
agree). Writes keep `ReviewDetail.of`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Integer, Select, bindparam, select
from sqlalchemy.orm import Session, joinedload

from service.api.rows import Related
from service.domain.drafts.schemas import CALL_COLUMNS, DECISION_COLUMNS, DRAFT_COLUMNS, DraftOut
from service.domain.failures.schemas import (
    ANSWER_COLUMNS,
    DRAFT_REF_COLUMNS,
    FAILURE_COLUMNS,
    PERSON_COLUMNS,
    AnswerOut,
    PersonRef,
)
from service.domain.learnings.schemas import LEARNING_COLUMNS, LearningOut
from service.domain.reviews.schemas import ReviewDetail, ReviewSummary
from service.domain.reviews.service import ReviewService
from service.models import Answer, Draft, DraftDecision, Failure, Learning, LLMCall, Participant, Person, Review

REVIEW_LOADS = (joinedload(Review.team), joinedload(Review.facilitator))
T = TypeVar("T")


def read_review_detail(session: Session, reviews: ReviewService, review_id: int) -> ReviewDetail:
    """The whole review as `GET /api/reviews/{id}` shows it (404 unless this viewer may see it)."""
    review = reviews.get(review_id, options=REVIEW_LOADS)
    return review_detail(session, review, ReviewSummary.of(review))


def review_detail(session: Session, review: Review, summary: ReviewSummary) -> ReviewDetail:
    """The whole of ``review`` (loaded with ``REVIEW_LOADS``, access already checked), around ``summary``."""
    this = {"review_id": review.id}
    participants = [PersonRef.of(row) for row in session.execute(_participants(), this)]
    failure_rows = session.execute(_failures(), this).all()
    answers = _by_failure(session.execute(_answers(), this), lambda row: AnswerOut.build(row, row.decider))
    learnings = _by_failure(session.execute(_learnings(), this), LearningOut.of)
    drafts = _by_failure(session.execute(_drafts(), this), DraftOut.of)
    failures = [
        FAILURE_COLUMNS.build(
            row, answers=answers.get(row.id, []), learnings=learnings.get(row.id, []), drafts=drafts.get(row.id, [])
        )
        for row in failure_rows
    ]
    return ReviewDetail.around(session, review, summary, participants=participants, failures=failures)


def _by_failure(rows: Iterable[Any], build: Callable[[Any], T]) -> dict[int, list[T]]:
    by_failure: dict[int, list[T]] = {}
    for row in rows:
        by_failure.setdefault(row.failure_id, []).append(build(row))
    return by_failure


# Each query is built once per process and run with the review's id as its parameter. Its rows are
# shaped like the objects the schemas' builders also take: the object's own columns, and each
# related row the builder reads as a `Related` named like the relationship.
REVIEW_ID = bindparam("review_id", type_=Integer)


@cache
def _participants() -> Select[Any]:
    return (
        select(*PERSON_COLUMNS.select())
        .join(Participant, Participant.person_id == Person.id)
        .where(Participant.review_id == REVIEW_ID)
        .order_by(Participant.id)
    )


@cache
def _failures() -> Select[Any]:
    return (
        select(*FAILURE_COLUMNS.select()).where(Failure.review_id == REVIEW_ID).order_by(Failure.position, Failure.id)
    )


@cache
def _answers() -> Select[Any]:
    return (
        select(
            *ANSWER_COLUMNS.select(),
            Answer.failure_id,
            Related("decider", *PERSON_COLUMNS.select()),
            Related("draft", *DRAFT_REF_COLUMNS.select(), Related("llm_call", *CALL_COLUMNS.select())),
        )
        .join(Failure, Failure.id == Answer.failure_id)
        .join(Person, Person.id == Answer.decided_by)
        .outerjoin(Draft, Draft.id == Answer.draft_id)
        .outerjoin(LLMCall, LLMCall.id == Draft.llm_call_id)
        .where(Failure.review_id == REVIEW_ID)
        .order_by(Answer.failure_id, Answer.question, Answer.id)
    )


@cache
def _learnings() -> Select[Any]:
    return (
        select(*LEARNING_COLUMNS.select(), Related("owner", Person.name))
        .join(Failure, Failure.id == Learning.failure_id)
        .join(Person, Person.id == Learning.owner_id)
        .where(Failure.review_id == REVIEW_ID)
        .order_by(Learning.id)
    )


@cache
def _drafts() -> Select[Any]:
    return (
        select(
            *DRAFT_COLUMNS.select(),
            Related("llm_call", *CALL_COLUMNS.select()),
            Related("decision", *DECISION_COLUMNS.select()),
        )
        .outerjoin(LLMCall, LLMCall.id == Draft.llm_call_id)
        .outerjoin(DraftDecision, DraftDecision.draft_id == Draft.id)
        .where(Draft.review_id == REVIEW_ID)
        .order_by(Draft.id)
    )
