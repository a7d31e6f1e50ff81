"""The similarity index as the service uses it: opened from settings, kept in step with the database.

The relational database is the truth; the Chroma index is derived from it. Each stored vector
carries a digest of the text it was made from, so `reconcile` (run at start-up) can tell which
failures are missing, stale or gone and fix only those; a missing or damaged index is rebuilt
whole. Between start-ups, `IndexKeeper` follows every committed change to failures and answers.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from retrieval import Embedder, FailureIndex, IndexSettings
from service.domain.similarity.text import failure_document
from service.domain.similarity.vocabulary import Vocabulary
from service.models import Failure
from service.settings import Settings

log = logging.getLogger("debrief.similarity")
SESSION_KEY = "debrief.similarity_index"  # where a session finds the index (sessionmaker info)


@dataclass(frozen=True, slots=True)
class IndexRow:
    failure_id: int
    text: str
    team_id: int
    review_id: int | None

    @property
    def digest(self) -> str:
        return hashlib.sha256(f"{self.team_id}\n{self.text}".encode()).hexdigest()[:32]

    def item(self) -> tuple[str, str, dict[str, str | int]]:
        meta: dict[str, str | int] = {"team_id": self.team_id, "review_id": self.review_id or 0, "digest": self.digest}
        return str(self.failure_id), self.text, meta


def index_row(failure: Failure, vocabulary: Vocabulary) -> IndexRow:
    """What the index embeds for a failure: its document without its team's domain words."""
    text = vocabulary.without_domain_words(failure_document(failure))
    return IndexRow(failure.id, text, failure.team_id, failure.review_id)


def rows_from_database(session: Session, vocabulary: Vocabulary | None = None) -> Iterator[IndexRow]:
    """Every failure's index row; the vocabulary defaults to that of the index the session carries."""
    if vocabulary is None:
        vocabulary = session.info[SESSION_KEY].vocabulary
    for failure in failures_from_database(session):
        yield index_row(failure, vocabulary)


def failures_from_database(session: Session, chunk: int = 1000) -> Iterator[Failure]:
    """Every failure with its answers, read in chunks so 100k failures never sit in memory at once."""
    last = 0
    while True:
        batch = list(
            session.scalars(
                select(Failure)
                .where(Failure.id > last)
                .order_by(Failure.id)
                .limit(chunk)
                .options(selectinload(Failure.answers))
            )
        )
        if not batch:
            return
        yield from batch
        last = batch[-1].id
        session.expunge_all()  # read-only pass: keep the identity map small


def learn_vocabulary(session: Session) -> Vocabulary:
    """The vocabulary of every failure in the database (its team and its document)."""
    return Vocabulary.learn((f.team_id, failure_document(f)) for f in failures_from_database(session))


@functools.cache
def shared_embedder() -> Embedder:
    """One embedding model per process: it is read-only and thread-safe, and loads on first use."""
    return Embedder()


@dataclass(frozen=True, slots=True)
class Reconciled:
    written: int
    deleted: int
    rebuilt: bool
    detail: str

    def __str__(self) -> str:
        action = "rebuilt" if self.rebuilt else "reconciled"
        return f"index {action}: {self.written} written, {self.deleted} removed ({self.detail})"


class SimilarityIndex:
    """Failures by meaning, for one process; writes are serialised, reads run concurrently."""

    def __init__(self, index: FailureIndex) -> None:
        self.index = index
        self.vocabulary = Vocabulary()  # learned from the database by reconcile()
        self._write_lock = threading.Lock()

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> SimilarityIndex:
        """Open the configured index: a Chroma server when chroma_host is set, else DATA_DIR/index."""
        r = settings.retrieval
        index_settings = (
            IndexSettings(host=r.chroma_host, port=r.chroma_port, ef_search=r.ef_search)
            if r.chroma_host
            else IndexSettings(path=settings.index_dir, ef_search=r.ef_search)
        )
        return cls(FailureIndex.open(index_settings, embedder or shared_embedder()))

    def reconcile(self, session: Session) -> Reconciled:
        """Bring the index in step with the database; rebuild it whole when it was missing or damaged."""
        health = self.index.health
        # Two passes over the database: the vocabulary decides what each row's text is.
        self.vocabulary = learn_vocabulary(session)
        with self._write_lock:
            if health.needs_rebuild:
                written = self.index.rebuild(r.item() for r in rows_from_database(session, self.vocabulary))
                return Reconciled(written, 0, True, f"{health.status.value}: {health.detail}".strip(": "))
            stored = {fid: meta.get("digest") for fid, meta in self.index.metadata_by_id().items()}
            seen: set[str] = set()

            def changed() -> Iterator[tuple[str, str, dict[str, str | int]]]:
                for row in rows_from_database(session, self.vocabulary):
                    seen.add(str(row.failure_id))
                    if stored.get(str(row.failure_id)) != row.digest:
                        yield row.item()

            written = self.index.upsert_many(changed())
            gone = set(stored) - seen
            for fid in gone:
                self.index.delete(fid)
        return Reconciled(written, len(gone), False, "index was present")

    def write(self, rows: Iterable[IndexRow]) -> int:
        with self._write_lock:
            return self.index.upsert_many(r.item() for r in rows)

    def delete(self, failure_ids: Iterable[int]) -> None:
        with self._write_lock:
            for fid in failure_ids:
                self.index.delete(str(fid))

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.index.embedder.embed(texts)

    def neighbours(
        self, vectors: Iterable[np.ndarray], *, k: int, team_ids: set[int] | None
    ) -> tuple[list[int], np.ndarray]:
        """The union of the k nearest failures to each vector, limited to team_ids (None: all teams)."""
        if team_ids is not None and not team_ids:
            return [], np.empty((0, self.index.embedder.dimension), dtype=np.float32)
        held = self.index.count()
        where = None if team_ids is None else {"team_id": {"$in": sorted(team_ids)}}
        found: dict[str, None] = {}
        for vector in vectors:
            if held:
                found.update((fid, None) for fid, _ in self.index.query_vector(vector, min(k, held), where))
        ids, rows = self.index.vectors(list(found)) if found else ([], np.empty((0, 384), dtype=np.float32))
        return [int(fid) for fid in ids], rows

    def close(self) -> None:
        self.index.close()
