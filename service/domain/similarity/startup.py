"""Open the similarity index for a process (the service at start-up, or a CLI command) and bring it in step."""

from __future__ import annotations

import logging
import time

from sqlalchemy.orm import Session, sessionmaker

from retrieval import RetrievalError
from service.db.engine import unit_of_work
from service.domain.similarity.index import SimilarityIndex
from service.domain.similarity.keeper import IndexKeeper
from service.settings import Settings

log = logging.getLogger("debrief.similarity")


def open_similarity_index(settings: Settings, factory: sessionmaker[Session]) -> SimilarityIndex:
    """Open the index, repair it from the database if needed, and follow the factory's commits."""
    started = time.perf_counter()
    index = SimilarityIndex.open(settings)
    try:
        with unit_of_work(factory, write=False) as session:
            result = index.reconcile(session)
    except BaseException:
        index.close()
        raise
    IndexKeeper(index).attach(factory)
    health = index.index.health
    if health.moved_to is not None:
        log.warning(
            "The similarity index was damaged (%s); its files were moved to %s.", health.problems, health.moved_to
        )
    log.info("%s in %.1f s; %d failures indexed", result, time.perf_counter() - started, index.index.count())
    return index


def open_or_warn(settings: Settings, factory: sessionmaker[Session]) -> SimilarityIndex | None:
    """Like open_similarity_index, but a broken index must not stop reviews: log what to do instead."""
    try:
        return open_similarity_index(settings, factory)
    except RetrievalError as exc:
        log.error(
            "Similar failures and patterns are unavailable: %s. Reviews work without them; fix the cause, "
            "then restart or run `debrief index rebuild`.",
            exc,
        )
        return None
