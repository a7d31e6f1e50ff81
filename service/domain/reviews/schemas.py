"""API shapes for reviews."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from service.api.rows import Columns
from service.api.types import Id
from service.db.types import utcnow
from service.domain.failures.schemas import FailureOut, PersonRef
from service.domain.reviews.timeliness import window
from service.models import Answer, Draft, Failure, Learning, Participant, Question, Review, Segment


class ReviewIn(msgspec.Struct, kw_only=True):
    team_id: Id
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    what_failed: Annotated[str, msgspec.Meta(max_length=4000)] = ""
    failed_at: Annotated[datetime, msgspec.Meta(description="When the failure happened (ISO 8601, with timezone).")]
    facilitator_id: Id
    participant_ids: list[Id] = []


class ReviewPatch(msgspec.Struct, kw_only=True):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
    what_failed: Annotated[str, msgspec.Meta(max_length=4000)] | None = None
    failed_at: datetime | None = None


class ParticipantIn(msgspec.Struct, kw_only=True):
    person_id: Id


class InviteOut(msgspec.Struct, kw_only=True):
    id: int
    url: Annotated[str, msgspec.Meta(description="Share with the person to invite; it works until it expires.")]
    expires_at: datetime


class GoBackIn(msgspec.Struct, kw_only=True):
    question: Annotated[int, msgspec.Meta(ge=1, le=4)]


class TimelinessOut(msgspec.Struct, kw_only=True):
    state: str
    label: str
    hours_to_due: float


class QuestionOut(msgspec.Struct, kw_only=True):
    number: int
    key: str
    text: str


QUESTIONS = [QuestionOut(number=q.value, key=q.key, text=q.prompt) for q in Question]


class ReviewSummary(msgspec.Struct, kw_only=True):
    id: int
    team_id: Id
    team: str
    title: str
    status: str
    failed_at: datetime
    due_at: datetime
    held_at: datetime | None
    timeliness: TimelinessOut
    facilitator: PersonRef
    current_question: QuestionOut

    @classmethod
    def of(cls, review: Review | Row[Any]) -> ReviewSummary:
        """From a Review loaded with its team and facilitator, or a row shaped like one (room_access.py)."""
        w = window(due_at=review.due_at, held_at=review.held_at, now=utcnow())
        q = Question(review.current_question)
        return SUMMARY_COLUMNS.build(
            review,
            team=review.team.name,
            timeliness=TimelinessOut(state=w.state.value, label=w.label, hours_to_due=round(w.hours_to_due, 1)),
            facilitator=PersonRef.of(review.facilitator),
            current_question=QuestionOut(number=q.value, key=q.key, text=q.prompt),
        )


SUMMARY_COLUMNS = Columns(ReviewSummary, Review)


class ReviewDetail(msgspec.Struct, kw_only=True):
    review: ReviewSummary
    what_failed: str
    questions: list[QuestionOut]
    participants: list[PersonRef]
    failures: list[FailureOut]
    segment_count: int

    @classmethod
    def of(cls, session: Session, review: Review, *, loaded: bool = False) -> ReviewDetail:
        """The whole review; ``loaded`` says it was read with ``DETAIL_LOADS`` already (the read path)."""
        # The room's read path, polled by every participant: load the whole review in a fixed
        # handful of queries instead of one lazy load per participant, answer and draft.
        if not loaded:
            session.scalars(select(Review).where(Review.id == review.id).options(*DETAIL_LOADS)).one()
        drafts = list(
            session.scalars(
                select(Draft)
                .where(Draft.review_id == review.id)
                .options(joinedload(Draft.decision), joinedload(Draft.llm_call))
                .order_by(Draft.id)
            )
        )
        return cls.around(
            session,
            review,
            ReviewSummary.of(review),
            participants=[PersonRef.of(p.person) for p in review.participants],
            failures=[FailureOut.of(session, f, drafts) for f in review.failures],
        )

    @classmethod
    def around(
        cls,
        session: Session,
        review: Review,
        summary: ReviewSummary,
        *,
        participants: list[PersonRef],
        failures: list[FailureOut],
    ) -> ReviewDetail:
        """The detail of ``review`` from its parts, as `of` and the room's read (reviews/detail.py) build them."""
        segment_count = session.scalar(select(func.count(Segment.id)).where(Segment.review_id == review.id)) or 0
        return cls(
            review=summary,
            what_failed=review.what_failed,
            questions=QUESTIONS,
            participants=participants,
            failures=failures,
            segment_count=segment_count,
        )


# Everything ReviewDetail shows, as loader options: one-to-one and many-to-one relations are
# joined into their parent's query, collections take one query each.
DETAIL_LOADS = (
    joinedload(Review.team),
    joinedload(Review.facilitator),
    selectinload(Review.participants).joinedload(Participant.person),
    selectinload(Review.failures).options(
        selectinload(Failure.answers).options(
            joinedload(Answer.decider), joinedload(Answer.draft).joinedload(Draft.llm_call)
        ),
        selectinload(Failure.learnings).joinedload(Learning.owner),
    ),
)
