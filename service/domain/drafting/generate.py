"""Draft one question (or the learning) for a failure in a stored review, and store it as a draft.

The model call happens outside any database transaction: a call takes seconds and, on SQLite, an open
write transaction would keep every other writer waiting. So: read what is needed, end the read, call
the model, then store the draft in a fresh write transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from service.domain.drafting.blame import BlameFlag, blame_flags
from service.domain.drafting.review import draft_learning, draft_question
from service.domain.drafting.text import Segment as DraftingSegment
from service.domain.drafts.service import ModelCall
from service.domain.services import Services
from service.errors import InvalidInput
from service.models import Draft, DraftKind, Review, Segment


def _segments(services: Services, review: Review) -> list[DraftingSegment]:
    rows = services.session.scalars(
        select(Segment).where(Segment.review_id == review.id).order_by(Segment.start_s, Segment.id)
    )
    return [DraftingSegment(id=s.id, speaker=s.speaker, text=s.text, question=s.question) for s in rows]


def generate_draft(
    services: Services, *, failure_id: int, question: int | None, learning: bool, endpoint: Any
) -> Draft:
    """Draft, check and store; the draft waits for a person's accept, edit or reject."""
    failure = services.failures.get(failure_id)
    review = services.failures.review_of(failure)
    actor = services.access.viewer
    if actor is not None:
        services.reviews.ensure_participant(review, actor, "ask for an AI draft")
    services.reviews.ensure_open(review)
    if not learning:
        if question is None:
            raise InvalidInput("Say which question (1-4) to draft, or ask for the learning.", field="question")
        services.reviews.ensure_question_open(review, question)
    context: dict[str, Any] = {
        "failure_title": failure.title,
        "failure_position": failure.position,
        "failure_count": len(review.failures),
        "participants": [p.person.name for p in review.participants],
        "facilitator": review.facilitator.name,
    }
    segments = _segments(services, review)
    services.session.rollback()  # end the read: no lock is held while the model thinks

    if learning:
        drafted = draft_learning(segments, **context)
        if drafted is None:
            raise InvalidInput("Nobody has proposed a change and its owner yet; draft again after question 4.")
    else:
        assert question is not None
        drafted = draft_question(segments, question=question, llm=endpoint, **context)

    services.session.connection(execution_options={"debrief_write": True})
    failure = services.failures.get(failure_id)
    call = ModelCall(**drafted.call) if drafted.call else None
    return services.drafts.record(
        failure,
        kind=DraftKind.LEARNING if learning else DraftKind.ANSWER,
        question=None if learning else question,
        text=drafted.text,
        citations=drafted.citations,
        call=call,
        category=drafted.category,
        suggested_owner=drafted.suggested_owner,
        extractive=call is None,
    )


def review_blame_flags(services: Services, review: Review) -> list[BlameFlag]:
    return blame_flags(_segments(services, review))
