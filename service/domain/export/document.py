"""The review as a document: the record, with where each piece of text came from.

Only decided text is part of the record. Undecided drafts are counted, never quoted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.db.types import utcnow
from service.domain.reviews.timeliness import window
from service.models import (
    Answer,
    Draft,
    DraftDecision,
    Failure,
    LinkStatus,
    Person,
    Question,
    Review,
    SimilarityLink,
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def provenance(session: Session, answer: Answer) -> dict[str, Any]:
    """Who wrote an answer: a person typing, or a person deciding on an AI draft made by a model call."""
    decider = session.get(Person, answer.decided_by)
    result: dict[str, Any] = {
        "origin": answer.origin,
        "decided_by": {"id": decider.id, "name": decider.name} if decider else None,
        "decided_at": _iso(answer.decided_at),
        "draft": None,
    }
    if answer.draft is not None:
        draft = answer.draft
        call = draft.llm_call
        result["draft"] = {
            "id": draft.id,
            "text": draft.text,
            "grounding": draft.grounding,
            "citations": draft.citations,
            "llm_call": None
            if call is None
            else {
                "id": call.id,
                "model": call.model,
                "prompt_id": call.prompt_id,
                "prompt_version": call.prompt_version,
            },
        }
    return result


def review_document(session: Session, review: Review, *, now: datetime | None = None) -> dict[str, Any]:
    """Build the whole after-action review as plain data (the JSON export, and the source of the Markdown)."""
    w = window(due_at=review.due_at, held_at=review.held_at, now=now or utcnow())
    pending = (
        session.scalar(
            select(func.count(Draft.id))
            .outerjoin(DraftDecision)
            .where(Draft.review_id == review.id, DraftDecision.id.is_(None))
        )
        or 0
    )
    return {
        "id": review.id,
        "title": review.title,
        "team": review.team.name,
        "what_failed": review.what_failed,
        "status": review.status,
        "failed_at": _iso(review.failed_at),
        "due_at": _iso(review.due_at),
        "held_at": _iso(review.held_at),
        "closed_at": _iso(review.closed_at),
        "timeliness": {"state": w.state.value, "label": w.label},
        "facilitator": review.facilitator.name,
        "participants": [p.person.name for p in review.participants],
        "current_question": review.current_question,
        "failures": [_failure(session, f) for f in review.failures],
        "undecided_drafts": pending,
    }


def _failure(session: Session, failure: Failure) -> dict[str, Any]:
    answers = {a.question: a for a in failure.answers}
    links = session.scalars(
        select(SimilarityLink)
        .where(SimilarityLink.failure_id == failure.id, SimilarityLink.status != LinkStatus.DISMISSED.value)
        .order_by(SimilarityLink.score.desc())
    )
    return {
        "id": failure.id,
        "title": failure.title,
        "answers": {
            q.key: None
            if q not in answers
            else {
                "question": q.prompt,
                "text": answers[q].text,
                "provenance": provenance(session, answers[q]),
            }
            for q in Question
        },
        "category": failure.category,
        "category_rationale": failure.category_rationale,
        "learnings": [
            {
                "id": learning.id,
                "kind": learning.kind,
                "text": learning.text,
                "owner": learning.owner.name,
                "due_on": learning.due_on.isoformat() if learning.due_on else None,
                "status": learning.status,
                "status_note": learning.status_note,
                "from_ai_draft": learning.draft_id is not None,
            }
            for learning in failure.learnings
        ],
        "similar_failures": [
            {
                "id": link.id,
                "title": link.similar_failure.title,
                "team": link.similar_failure.team.name,
                "score": round(link.score, 3),
                "reason": link.reason,
                "status": link.status,
                "note": link.note,
            }
            for link in links
        ],
    }
