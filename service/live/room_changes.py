"""Tell everyone in a review when its drafts change: a new AI draft, or a person's decision on one.

Hooked on the session rather than on each handler, so the JSON API and the pages announce the same
changes the same way, and only once the transaction has committed: a draft that was rolled back is
never announced. The event carries ids, not text; each reader re-reads the room with its own access.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from service.db.after_commit import on_commit
from service.models import Draft, DraftDecision

_KEY = "debrief_publish_room_changes"
Publish = Callable[[int, dict[str, Any]], None]


def announce_room_changes(session: Session, publish: Publish | None) -> None:
    """Publish a `draft` event to the review's channel for each draft made or decided on ``session``."""
    if publish is not None:
        session.info[_KEY] = publish


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _flush_context: object) -> None:
    publish: Publish | None = session.info.get(_KEY)
    if publish is None:
        return
    for obj in session.new:
        announced = _draft_event(obj)
        if announced is not None:
            on_commit(session, partial(publish, *announced))


def _draft_event(obj: object) -> tuple[int, dict[str, Any]] | None:
    if isinstance(obj, Draft):
        return obj.review_id, {"type": "draft", "draft_id": obj.id, "failure_id": obj.failure_id, "status": "new"}
    if isinstance(obj, DraftDecision):
        # The service sets the relationship when it decides; never lazy-load inside a flush.
        draft = inspect(obj).attrs.draft.loaded_value
        if isinstance(draft, Draft):
            status = obj.decision
            return draft.review_id, {
                "type": "draft",
                "draft_id": draft.id,
                "failure_id": draft.failure_id,
                "status": status,
            }
    return None
