"""The review room's read path: the whole review as plain rows, straight into the API shapes.

Every participant's room polls `GET /api/reviews/{id}`, so this is the most frequent request
Debrief serves. Loading it as ORM objects spent most of the request building objects and their
loaders (profiled: ~60 % of the app's CPU per read); here each part is one query of plain columns,
and the rows become the same msgspec structs `ReviewDetail.of` builds from objects
(tests/service/domain/test_review_detail.py checks the two agree). Writes keep `ReviewDetail.of`.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, joinedload

from service.domain.drafts.schemas import CallRef, DecisionOut, DraftOut
from service.domain.failures.schemas import AnswerOut, DraftRef, FailureOut, PersonRef, Provenance
from service.domain.learnings.schemas import LearningOut
from service.domain.reviews.schemas import QUESTIONS, ReviewDetail, ReviewSummary
from service.domain.reviews.service import ReviewService
from service.models import (
    Answer,
    Draft,
    DraftDecision,
    Failure,
    Learning,
    LLMCall,
    Participant,
    Person,
    Question,
    Review,
    Segment,
)

REVIEW_LOADS = (joinedload(Review.team), joinedload(Review.facilitator))
_AnswerDraft, _AnswerCall = aliased(Draft), aliased(LLMCall)


def read_review_detail(session: Session, reviews: ReviewService, review_id: int) -> ReviewDetail:
    """The whole review as `GET /api/reviews/{id}` shows it (404 unless this viewer may see it)."""
    review = reviews.get(review_id, options=REVIEW_LOADS)
    return review_detail(session, review, ReviewSummary.of(review))


def review_detail(session: Session, review: Review, summary: ReviewSummary) -> ReviewDetail:
    """The whole of ``review`` (loaded with ``REVIEW_LOADS``, access already checked), around ``summary``."""
    in_review = Failure.review_id == review.id
    participants = session.execute(
        select(Person.id, Person.name)
        .join(Participant, Participant.person_id == Person.id)
        .where(Participant.review_id == review.id)
        .order_by(Participant.id)
    )
    failures = session.execute(
        select(Failure.id, Failure.position, Failure.title, Failure.category, Failure.category_rationale)
        .where(in_review)
        .order_by(Failure.position, Failure.id)
    ).all()
    answers: dict[int, list[AnswerOut]] = {}
    for a in session.execute(_answers().where(in_review)):
        answers.setdefault(a.failure_id, []).append(_answer(a))
    learnings: dict[int, list[LearningOut]] = {}
    for row in session.execute(_learnings().where(in_review)):
        learnings.setdefault(row.failure_id, []).append(_learning(row))
    drafts: dict[int, list[DraftOut]] = {}
    for row in session.execute(_drafts().where(Draft.review_id == review.id)):
        drafts.setdefault(row.failure_id, []).append(_draft(row))
    segment_count = session.scalar(select(func.count(Segment.id)).where(Segment.review_id == review.id)) or 0
    return ReviewDetail(
        review=summary,
        what_failed=review.what_failed,
        questions=QUESTIONS,
        participants=[PersonRef(id=p.id, name=p.name) for p in participants],
        failures=[
            FailureOut(
                id=f.id,
                review_id=review.id,
                position=f.position,
                title=f.title,
                category=f.category,
                category_rationale=f.category_rationale,
                answers=answers.get(f.id, []),
                learnings=learnings.get(f.id, []),
                drafts=drafts.get(f.id, []),
            )
            for f in failures
        ],
        segment_count=segment_count,
    )


def _answers():  # type: ignore[no-untyped-def]
    return (
        select(
            Answer.id,
            Answer.failure_id,
            Answer.question,
            Answer.text,
            Answer.origin,
            Answer.decided_at,
            Person.id.label("decider_id"),
            Person.name.label("decider_name"),
            _AnswerDraft.id.label("draft_id"),
            _AnswerDraft.text.label("draft_text"),
            _AnswerDraft.grounding,
            _AnswerDraft.citations,
            _AnswerCall.id.label("call_id"),
            _AnswerCall.model,
            _AnswerCall.prompt_id,
            _AnswerCall.prompt_version,
        )
        .join(Failure, Failure.id == Answer.failure_id)
        .join(Person, Person.id == Answer.decided_by)
        .outerjoin(_AnswerDraft, _AnswerDraft.id == Answer.draft_id)
        .outerjoin(_AnswerCall, _AnswerCall.id == _AnswerDraft.llm_call_id)
        .order_by(Answer.failure_id, Answer.question, Answer.id)
    )


def _answer(a) -> AnswerOut:  # type: ignore[no-untyped-def]
    draft = None
    if a.draft_id is not None:
        draft = DraftRef(
            id=a.draft_id,
            text=a.draft_text,
            grounding=a.grounding,
            citations=list(a.citations),
            llm_call=_call(a.call_id, a.model, a.prompt_id, a.prompt_version),
        )
    return AnswerOut(
        id=a.id,
        question=a.question,
        key=Question(a.question).key,
        text=a.text,
        provenance=Provenance(
            origin=a.origin,
            decided_by=PersonRef(id=a.decider_id, name=a.decider_name),
            decided_at=a.decided_at,
            draft=draft,
        ),
    )


def _learnings():  # type: ignore[no-untyped-def]
    return (
        select(
            Learning.id,
            Learning.failure_id,
            Learning.kind,
            Learning.text,
            Learning.owner_id,
            Person.name.label("owner"),
            Learning.due_on,
            Learning.status,
            Learning.status_note,
            Learning.closed_at,
            Learning.draft_id,
        )
        .join(Failure, Failure.id == Learning.failure_id)
        .join(Person, Person.id == Learning.owner_id)
        .order_by(Learning.id)
    )


def _learning(row) -> LearningOut:  # type: ignore[no-untyped-def]
    return LearningOut(
        id=row.id,
        failure_id=row.failure_id,
        kind=row.kind,
        text=row.text,
        owner_id=row.owner_id,
        owner=row.owner,
        due_on=row.due_on,
        status=row.status,
        status_note=row.status_note,
        closed_at=row.closed_at,
        from_draft_id=row.draft_id,
    )


def _drafts():  # type: ignore[no-untyped-def]
    return (
        select(
            Draft.id,
            Draft.failure_id,
            Draft.kind,
            Draft.question,
            Draft.text,
            Draft.category,
            Draft.suggested_owner,
            Draft.citations,
            Draft.grounding,
            Draft.grounding_problems,
            Draft.created_at,
            LLMCall.id.label("call_id"),
            LLMCall.model,
            LLMCall.prompt_id,
            LLMCall.prompt_version,
            DraftDecision.id.label("decision_id"),
            DraftDecision.decision,
            DraftDecision.decided_by,
            DraftDecision.decided_at,
            DraftDecision.edited_text,
            DraftDecision.note,
        )
        .outerjoin(LLMCall, LLMCall.id == Draft.llm_call_id)
        .outerjoin(DraftDecision, DraftDecision.draft_id == Draft.id)
        .order_by(Draft.id)
    )


def _draft(row) -> DraftOut:  # type: ignore[no-untyped-def]
    decision = None
    if row.decision_id is not None:
        decision = DecisionOut(
            decision=row.decision,
            decided_by=row.decided_by,
            decided_at=row.decided_at,
            edited_text=row.edited_text,
            note=row.note,
        )
    return DraftOut(
        id=row.id,
        failure_id=row.failure_id,
        kind=row.kind,
        question=row.question,
        text=row.text,
        category=row.category,
        suggested_owner=row.suggested_owner,
        citations=list(row.citations),
        grounding=row.grounding,
        grounding_problems=list(row.grounding_problems),
        llm_call=_call(row.call_id, row.model, row.prompt_id, row.prompt_version),
        created_at=row.created_at,
        decision=decision,
    )


def _call(call_id: int | None, model: str, prompt_id: str, prompt_version: str) -> CallRef | None:
    if call_id is None:
        return None
    return CallRef(id=call_id, model=model, prompt_id=prompt_id, prompt_version=prompt_version)
