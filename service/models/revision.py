"""Bump `reviews.revision` in the same transaction as every change the review room shows.

The room's read (`GET /api/reviews/{id}`, service/domain/reviews/detail.py) is cached per process by
(review, revision); the cache is only as good as this counter. So it is hooked on the session, not
on each service method: every write through the ORM — requests, jobs, the CLI, tests — is seen,
whichever process makes it. The bump is one UPDATE just before the commit, after the last flush, so
the review's row is locked only for the moment of the commit (writers of one review queue there
anyway), and a rolled-back change bumps nothing.

Watched: every table the room's read shows (a test checks the read queries no other table), and a
person's name, which the room shows beside their answers, learnings and participation. Writes that
bypass the ORM's unit of work (a bulk UPDATE, raw SQL) must bump the revision themselves; Debrief
has none.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, event, false, inspect, or_, select, update
from sqlalchemy.orm import Session, SessionTransaction

from service.models.drafts import Draft, DraftDecision, LLMCall
from service.models.failures import Answer, Failure
from service.models.learnings import Learning
from service.models.people import Person
from service.models.reviews import Participant, Review
from service.models.segments import Segment

_KEY = "debrief_changed_reviews"
# How each watched table leads to its review: (attribute, table it names).
_LINKS: dict[type, tuple[str, str]] = {
    Review: ("id", "reviews"),
    Participant: ("review_id", "reviews"),
    Failure: ("review_id", "reviews"),
    Draft: ("review_id", "reviews"),
    Segment: ("review_id", "reviews"),
    LLMCall: ("review_id", "reviews"),
    Answer: ("failure_id", "failures"),
    Learning: ("failure_id", "failures"),
    DraftDecision: ("draft_id", "drafts"),
}
WATCHED_TABLES = frozenset({"reviews", "participants", "failures", "drafts", "segments", "llm_calls", "answers",
                            "learnings", "draft_decisions", "people", "teams"})  # fmt: skip
# Teams are watched through the read itself: the review's summary (team name, facilitator, timeliness)
# is rebuilt on every read and is part of the cache key.


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: object, _instances: object) -> None:
    # Deleted and changed rows: read their links now, while a lazy load is still possible.
    for obj in (*session.deleted, *session.dirty):
        _note(session, obj, loaded_only=False)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: object) -> None:
    # New rows, and changed links: foreign keys are set once the flush has written them.
    for obj in (*session.new, *session.dirty):
        _note(session, obj, loaded_only=True)


@event.listens_for(Session, "before_commit")
def _bump(session: Session) -> None:
    session.flush()  # the commit's own flush, early (a no-op when clean), so nothing is noted after the bump
    noted: dict[str, set[int]] | None = session.info.pop(_KEY, None)
    if noted:
        session.execute(
            update(Review).where(_reviews_of(noted)).values(revision=Review.revision + 1),
            execution_options={"synchronize_session": False},
        )


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction: SessionTransaction) -> None:
    # Only the outermost rollback undoes everything; a savepoint's leaves earlier changes to commit.
    if previous_transaction.parent is None:
        session.info.pop(_KEY, None)


def _note(session: Session, obj: object, *, loaded_only: bool) -> None:
    if isinstance(obj, Person):
        if inspect(obj).attrs.name.history.has_changes() and obj.id is not None:
            session.info.setdefault(_KEY, {}).setdefault("people", set()).add(obj.id)
        return
    link = _LINKS.get(type(obj))
    if link is None:
        return
    attribute, table = link
    value: Any = inspect(obj).dict.get(attribute) if loaded_only else getattr(obj, attribute)
    if value is not None:
        session.info.setdefault(_KEY, {}).setdefault(table, set()).add(value)


def _reviews_of(noted: dict[str, set[int]]) -> ColumnElement[bool]:
    """The reviews the noted rows belong to, as a WHERE clause on reviews."""
    clauses: list[ColumnElement[bool]] = []
    if ids := noted.get("reviews"):
        clauses.append(Review.id.in_(ids))
    if ids := noted.get("failures"):
        clauses.append(Review.id.in_(select(Failure.review_id).where(Failure.id.in_(ids))))
    if ids := noted.get("drafts"):
        clauses.append(Review.id.in_(select(Draft.review_id).where(Draft.id.in_(ids))))
    if ids := noted.get("people"):
        in_failure = select(Failure.review_id).where(
            or_(
                Failure.id.in_(select(Answer.failure_id).where(Answer.decided_by.in_(ids))),
                Failure.id.in_(select(Learning.failure_id).where(Learning.owner_id.in_(ids))),
            )
        )
        clauses += [
            Review.facilitator_id.in_(ids),
            Review.id.in_(select(Participant.review_id).where(Participant.person_id.in_(ids))),
            Review.id.in_(in_failure),
        ]
    return or_(false(), *clauses)
