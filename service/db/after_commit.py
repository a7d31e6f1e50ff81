"""Run side effects (deleting files, updating the vector index) only once the transaction commits.

A failed request must leave no trace outside the database either: work queued here is dropped on
rollback, and runs, in order, right after a successful commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger("debrief")
_KEY = "debrief_after_commit"


def on_commit(session: Session, action: Callable[[], None]) -> None:
    """Queue ``action`` to run after ``session`` commits (and never if it rolls back)."""
    session.info.setdefault(_KEY, []).append(action)


@event.listens_for(Session, "after_commit")
def _run(session: Session) -> None:
    for action in session.info.pop(_KEY, []):
        try:
            action()
        except Exception:  # the record is committed; a failed clean-up is logged, never raised as a 500
            log.exception("after-commit action failed: %r", action)


@event.listens_for(Session, "after_rollback")
def _drop(session: Session) -> None:
    session.info.pop(_KEY, None)
