"""Run side effects (deleting files, updating the vector index) only once the transaction commits.

A failed request must leave no trace outside the database either: work queued here is dropped on
rollback, and runs, in order, right after a successful commit. Each action remembers the
transaction (or savepoint) it was queued in, so rolling back a savepoint drops only the work queued
inside it, and work queued before it still runs when the outer transaction commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger("debrief")
_KEY = "debrief_after_commit"


def on_commit(session: Session, action: Callable[[], None]) -> None:
    """Queue ``action`` to run after ``session`` commits (and never if it rolls back)."""
    queued_in = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_KEY, []).append((queued_in, action))


@event.listens_for(Session, "after_commit")
def _run(session: Session) -> None:
    for _, action in session.info.pop(_KEY, []):
        try:
            action()
        except Exception:  # the record is committed; a failed clean-up is logged, never raised as a 500
            log.exception("after-commit action failed: %r", action)


@event.listens_for(Session, "after_soft_rollback")
def _drop(session: Session, previous_transaction: SessionTransaction) -> None:
    queued = session.info.get(_KEY)
    if queued:
        queued[:] = [(t, a) for t, a in queued if not _inside(t, previous_transaction)]


def _inside(transaction: SessionTransaction | None, rolled_back: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is rolled_back:
            return True
        transaction = transaction.parent
    return False
