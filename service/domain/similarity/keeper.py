"""Keep the index in step with committed changes, whichever service made them.

Listening on the session factory (not calling from each service) means a failure created, renamed,
answered through an accepted draft, imported or removed reaches the index the same way, and a
rolled-back transaction reaches it not at all. The index is written *after* the commit: if writing
fails the record is still right, and the next start-up's reconciliation repairs the index.

What the index embeds leaves out each team's domain words (vocabulary.py), which are learned from
the whole record. When the record has doubled since they were learned (a history import into a new
installation, say), the keeper learns them again and reconciles: doubling keeps the cost of these
passes proportional to the failures added, and between them new rows use the words already learned.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from service.db.engine import unit_of_work
from service.domain.similarity.index import SESSION_KEY, IndexRow, SimilarityIndex, index_row
from service.models import Answer, Failure

log = logging.getLogger("debrief.similarity")
_TOUCHED = "debrief.index_touched"  # failure ids changed in this transaction
_ROWS = "debrief.index_rows"  # what to write once the transaction has committed


class IndexKeeper:
    """Attach to a sessionmaker: every session it makes carries the index and updates it on commit."""

    def __init__(self, index: SimilarityIndex) -> None:
        self.index = index
        self._factory: sessionmaker[Session] | None = None

    def attach(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory
        factory.configure(info={SESSION_KEY: self.index})
        event.listen(factory, "after_flush", self._after_flush)
        event.listen(factory, "before_commit", self._before_commit)
        event.listen(factory, "after_commit", self._after_commit)
        event.listen(factory, "after_rollback", self._forget)

    def _after_flush(self, session: Session, _context: Any) -> None:
        touched: set[int] = session.info.setdefault(_TOUCHED, set())
        for obj in (*session.new, *session.dirty, *session.deleted):
            if isinstance(obj, Failure):
                touched.add(obj.id)
            elif isinstance(obj, Answer) and obj.failure_id is not None:
                touched.add(obj.failure_id)

    def _before_commit(self, session: Session) -> None:
        session.flush()  # the commit's own flush comes after this hook; its changes count too
        touched: set[int] = session.info.pop(_TOUCHED, set())
        if not touched:
            return
        rows: list[IndexRow] = []
        gone: list[int] = []
        for failure_id in sorted(touched):
            failure = session.get(Failure, failure_id)
            if failure is None:
                gone.append(failure_id)
            else:
                rows.append(index_row(failure, self.index.vocabulary))
        session.info[_ROWS] = (rows, gone)

    def _after_commit(self, session: Session) -> None:
        rows, gone = session.info.pop(_ROWS, ([], []))
        if not rows and not gone:
            return
        try:
            self.index.delete(gone)
            self.index.write(rows)
            if self._factory is not None and self.index.index.count() > 2 * self.index.vocabulary.documents:
                with unit_of_work(self._factory, write=False) as fresh:  # this session can no longer read
                    log.info("the record has doubled: %s", self.index.reconcile(fresh))
        except Exception:  # the record is committed and right; only the derived index lags
            log.exception(
                "The similarity index missed %d changed and %d removed failures. It is repaired at the "
                "next start-up, or now with `debrief index rebuild`.",
                len(rows),
                len(gone),
            )

    def _forget(self, session: Session) -> None:
        session.info.pop(_TOUCHED, None)
        session.info.pop(_ROWS, None)
