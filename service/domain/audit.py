"""Append to and read the audit log. There is deliberately no update or delete here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import AuditEvent, Review


def record(
    session: Session,
    *,
    review: Review | None,
    actor_id: int | None,
    action: str,
    subject_type: str,
    subject_id: int | None,
    **detail: Any,
) -> None:
    """Note one change to a review's record; it commits with the change itself or not at all."""
    session.add(
        AuditEvent(
            review_id=review.id if review else None,
            team_id=review.team_id if review else None,
            actor_id=actor_id,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            detail=detail,
        )
    )


def events_for_review(session: Session, review_id: int) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.review_id == review_id).order_by(AuditEvent.id)))
