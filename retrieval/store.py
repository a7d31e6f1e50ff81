"""A similarity index of past failures on Chroma: one collection, cosine space, explicit HNSW.

The relational database is the source of truth; this index is a rebuildable cache of it. Opening
reports whether the index is ready or must be rebuilt (missing, damaged, or built with another
embedding model), and `rebuild()` refills it from rows the caller reads from the database:

    index = FailureIndex.open(IndexSettings(path=data_dir / "index"), embedder)
    if index.health.needs_rebuild:
        index.rebuild((f.id, f.title + "\\n" + f.summary, {"team": f.team}) for f in failures)

Chroma's embedded mode is documented as not process-safe: open the embedded index from one
process only (the service), or run a Chroma server and set `host`.
"""

from __future__ import annotations

import contextlib
import enum
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import chromadb
import httpx
import numpy as np
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError, NotFoundError

from retrieval.embedding import ChromaEmbeddingFunction, Embedder
from retrieval.errors import IndexCorruptError, IndexUnavailableError
from retrieval.integrity import IndexState, check_index_dir

Metadata = Mapping[str, str | int | float | bool]
MODEL_KEY = "embedding_model"  # collection metadata: which model made the stored vectors


@dataclass(frozen=True, slots=True)
class IndexSettings:
    """Where the index lives and how its HNSW graph is built (see bench_index.py for figures).

    Args:
        path: directory of the embedded index (Chroma PersistentClient); used unless host is set.
        host, port: a Chroma server (HttpClient) instead of the embedded index.
        collection: collection name.
        ef_construction, max_neighbors: build-time HNSW parameters (fixed once created).
        ef_search: query-time candidate list size; changed on open when the setting changes.
    """

    path: Path | None = None
    host: str | None = None
    port: int = 8000
    collection: str = "failures"
    # Measured on 2 cores (evals/retrieval/bench_index.py): at 10k random vectors, recall@10 vs
    # exact was 0.95 with these values and 0.82 with Chroma's defaults (16/100/100 -> 0.61 at
    # ef_search 128), for ~1.4 ms per query either way. Held-out real sentences: >= 0.99.
    ef_construction: int = 200
    ef_search: int = 256
    max_neighbors: int = 32


class IndexStatus(enum.StrEnum):
    READY = "ready"  # opened an existing, sound index
    CREATED = "created"  # nothing was there: a new, empty index
    RECREATED = "recreated"  # the old files were damaged and moved aside: a new, empty index
    EMPTIED = "emptied"  # vectors came from another embedding model and were dropped


@dataclass(frozen=True, slots=True)
class IndexHealth:
    status: IndexStatus
    detail: str = ""
    problems: tuple[str, ...] = ()
    moved_to: Path | None = None

    @property
    def needs_rebuild(self) -> bool:
        return self.status is not IndexStatus.READY


@dataclass(slots=True)
class FailureIndex:
    """Past failures by id, searchable by meaning. Build with `FailureIndex.open`."""

    settings: IndexSettings
    embedder: Embedder
    health: IndexHealth
    _client: Any = field(repr=False)
    _collection: Any = field(repr=False)

    @classmethod
    def open(
        cls,
        settings: IndexSettings,
        embedder: Embedder,
        *,
        on_corrupt: Literal["recreate", "raise"] = "recreate",
    ) -> FailureIndex:
        """Open or create the index, checking it first; damaged files are moved aside or raise."""
        if settings.host is None and settings.path is None:
            raise ValueError("IndexSettings needs a path (embedded index) or a host (server)")
        moved_to: Path | None = None
        problems: tuple[str, ...] = ()
        if settings.host is None and settings.path is not None:
            check = check_index_dir(settings.path)
            if check.state is IndexState.CORRUPT:
                problems = check.problems
                moved_to = _set_aside(settings.path, problems, on_corrupt)
        index = cls._connect_and_open(settings, embedder)
        if index.health.status is IndexStatus.READY and (probe := index._probe()):
            # Damage Chroma only notices at query time (a lost segment, an unreadable pickle).
            problems = probe
            if on_corrupt == "raise":
                index.close()
                raise _corrupt_error(settings, probe)
            if settings.host is not None:
                index.reset()  # a server's files are not ours to move: drop the collection
            else:
                index.close()
                moved_to = _set_aside(settings.path, probe, on_corrupt)
                index = cls._connect_and_open(settings, embedder)
        if problems:
            detail = f"damaged files moved to {moved_to}" if moved_to else "collection dropped"
            index.health = IndexHealth(IndexStatus.RECREATED, detail, problems, moved_to)
        return index

    @classmethod
    def _connect_and_open(cls, settings: IndexSettings, embedder: Embedder) -> FailureIndex:
        index = cls(settings, embedder, IndexHealth(IndexStatus.READY), _connect(settings), None)
        index.health = index._open_collection()
        return index

    def upsert(self, failure_id: str, text: str, metadata: Metadata | None = None) -> None:
        """Add or replace one failure: its text is embedded, its metadata usable in `where`."""
        self.upsert_many([(failure_id, text, metadata)])

    def upsert_many(self, items: Iterable[tuple[str, str, Metadata | None]]) -> int:
        """Add or replace many failures, embedding in batches; return how many were written."""
        batch: list[tuple[str, str, Metadata | None]] = []
        written = 0
        for item in items:
            batch.append(item)
            if len(batch) == 256:
                written += self._write(batch)
                batch = []
        return written + (self._write(batch) if batch else 0)

    def upsert_vectors(
        self, ids: list[str], vectors: np.ndarray, metadatas: Sequence[Metadata | None] | None = None
    ) -> None:
        """Store precomputed unit vectors (from this embedder) under ids; for bulk loads and tests."""
        if vectors.shape[1:] != (self.embedder.dimension,):
            raise ValueError(f"vectors must be (n, {self.embedder.dimension}), got {vectors.shape}")
        metas = [dict(m) if m else None for m in (metadatas or [None] * len(ids))]
        # Chroma's upsert merges new metadata keys into old ones; delete first so a key removed
        # from a failure does not linger and keep matching `where` filters.
        self._collection.delete(ids=ids)
        self._collection.add(ids=ids, embeddings=vectors, metadatas=metas)

    def delete(self, failure_id: str) -> None:
        """Remove one failure; removing an id that is not there does nothing."""
        self._collection.delete(ids=[failure_id])

    def query(self, text: str, k: int = 5, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """Return up to k (failure id, cosine similarity) pairs, most similar first."""
        return self.query_vector(self.embedder.embed_one(text), k, where)

    def query_vector(
        self, vector: np.ndarray, k: int = 5, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """Like `query`, for a vector already embedded with this index's embedder."""
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        result = self._collection.query(
            query_embeddings=vector[None, :], n_results=k, where=where, include=["distances"]
        )
        # Chroma's cosine distance is 1 - cosine similarity.
        return [(fid, 1.0 - float(d)) for fid, d in zip(result["ids"][0], result["distances"][0], strict=True)]

    def count(self) -> int:
        return int(self._collection.count())

    def metadata_by_id(self) -> dict[str, dict[str, Any]]:
        """Every stored id with its metadata (no vectors): what a reconciliation compares."""
        found = self._collection.get(include=["metadatas"])
        return {fid: dict(meta or {}) for fid, meta in zip(found["ids"], found["metadatas"], strict=True)}

    def vectors(self, ids: Sequence[str] | None = None) -> tuple[list[str], np.ndarray]:
        """Stored vectors of the given ids (all when None), as (ids found, unit rows)."""
        if ids is not None and not ids:  # Chroma rejects an empty id list instead of returning nothing
            return [], np.empty((0, self.embedder.dimension), dtype=np.float32)
        found = self._collection.get(ids=list(ids) if ids is not None else None, include=["embeddings"])
        rows = np.asarray(found["embeddings"], dtype=np.float32).reshape(-1, self.embedder.dimension)
        return list(found["ids"]), rows

    def hnsw_parameters(self) -> dict[str, Any]:
        """The HNSW configuration Chroma holds for the collection (space, ef_*, max_neighbors)."""
        return dict(self._collection.configuration.get("hnsw") or {})

    def reset(self) -> None:
        """Drop every vector by recreating the collection with the configured parameters."""
        with contextlib.suppress(NotFoundError):  # already gone is what we wanted
            self._client.delete_collection(self.settings.collection)
        self._collection = self._create_collection()

    def rebuild(self, items: Iterable[tuple[str, str, Metadata | None]]) -> int:
        """Empty the index and refill it from the database's rows; return how many were written."""
        self.reset()
        written = self.upsert_many(items)
        self.health = IndexHealth(IndexStatus.READY, f"rebuilt with {written} failures")
        return written

    def close(self) -> None:
        """Release Chroma's files and connections (needed before moving the directory)."""
        self._client.close()

    def __enter__(self) -> FailureIndex:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _write(self, batch: list[tuple[str, str, Metadata | None]]) -> int:
        ids = [fid for fid, _, _ in batch]
        if len(set(ids)) != len(ids):
            raise ValueError("the same failure id appears twice in one batch")
        vectors = self.embedder.embed([text for _, text, _ in batch])
        self.upsert_vectors(ids, vectors, [meta for _, _, meta in batch])
        return len(batch)

    def _create_collection(self) -> Any:
        s = self.settings
        hnsw = {
            "space": "cosine",
            "ef_construction": s.ef_construction,
            "ef_search": s.ef_search,
            "max_neighbors": s.max_neighbors,
        }
        return _ServerGuard.around(
            self._client.create_collection(
                s.collection,
                embedding_function=ChromaEmbeddingFunction(self.embedder),
                configuration={"hnsw": hnsw},
                metadata={MODEL_KEY: self.embedder.model_id},
            )
        )

    def _open_collection(self) -> IndexHealth:
        s = self.settings
        try:
            collection = self._client.get_collection(
                s.collection, embedding_function=ChromaEmbeddingFunction(self.embedder)
            )
        except NotFoundError:
            self._collection = self._create_collection()
            return IndexHealth(IndexStatus.CREATED, f"no collection {s.collection!r} yet")
        built_with = (collection.metadata or {}).get(MODEL_KEY)
        if built_with != self.embedder.model_id:
            self._collection = _ServerGuard.around(collection)
            self.reset()
            return IndexHealth(
                IndexStatus.EMPTIED,
                f"vectors were made by {built_with!r}, not {self.embedder.model_id!r}",
            )
        if (collection.configuration.get("hnsw") or {}).get("ef_search") != s.ef_search:
            collection.modify(configuration={"hnsw": {"ef_search": s.ef_search}})
        self._collection = _ServerGuard.around(collection)
        return IndexHealth(IndexStatus.READY)

    def _probe(self) -> tuple[str, ...]:
        """Query with a stored vector; a sound index returns it first and k results in all."""
        try:
            held = self.count()
            if held == 0:
                return ()
            sample = self._collection.get(limit=1, include=["embeddings"])
            vector = np.asarray(sample["embeddings"][0], dtype=np.float32)
            k = min(held, 10)
            found = self.query_vector(vector, k)
        except ChromaError as exc:
            return (f"probe query failed: {exc}",)
        if len(found) < k:
            return (f"probe query returned {len(found)} of {k} neighbours from {held} vectors",)
        if found[0][1] < 0.999:
            return (f"a stored vector is not its own nearest neighbour ({found[0]})",)
        return ()


class _ServerGuard:
    """A Chroma collection whose transport failures say what happened, for every operation.

    Over `HttpClient` the server can go away after start-up; httpx's errors would surface as a bare
    internal error. Wrapping the collection once covers every call (query, count, get, add,
    delete) without a try block in each method. Embedded collections raise no transport errors.
    """

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    @classmethod
    def around(cls, collection: Any) -> Any:
        return collection if isinstance(collection, cls) else cls(collection)

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return attribute(*args, **kwargs)
            except httpx.TransportError as exc:
                raise IndexUnavailableError(
                    f"The Chroma server stopped answering ({exc}). Similar failures are unavailable until "
                    "it is back; the record is unaffected (`debrief index rebuild` re-creates the index)."
                ) from exc

        return call


def _connect(settings: IndexSettings) -> Any:
    # Telemetry off: the service runs offline and must not try to phone home.
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.host is not None:
        try:
            return chromadb.HttpClient(host=settings.host, port=settings.port, settings=chroma_settings)
        except Exception as exc:  # httpx/connection errors vary by transport
            raise IndexUnavailableError(
                f"Cannot reach the Chroma server at {settings.host}:{settings.port}: {exc}. "
                "Start it (`chroma run --path DIR --port PORT`) or unset the retrieval host "
                "to use the embedded index."
            ) from exc
    assert settings.path is not None
    try:
        settings.path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.path), settings=chroma_settings)
    except (OSError, ChromaError) as exc:
        raise IndexUnavailableError(
            f"Cannot open the index directory {settings.path}: {exc}. Check that it is writable, "
            "or point the retrieval path setting elsewhere; the index is rebuilt from the database."
        ) from exc


def _set_aside(path: Path | None, problems: tuple[str, ...], on_corrupt: str) -> Path:
    assert path is not None
    if on_corrupt == "raise":
        raise _corrupt_error(IndexSettings(path=path), problems)
    # Renamed, not deleted: the files may matter for a bug report, and the rename is atomic.
    target = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}")
    suffix = 1
    while target.exists():
        target, suffix = target.with_name(f"{target.name}-{suffix}"), suffix + 1
    path.rename(target)
    return target


def _corrupt_error(settings: IndexSettings, problems: tuple[str, ...]) -> IndexCorruptError:
    where = settings.path or f"{settings.host}:{settings.port}"
    return IndexCorruptError(
        f"The similarity index at {where} is damaged ({'; '.join(problems)}). Open it with "
        "on_corrupt='recreate' (moves the files aside) or delete it, then rebuild it from the "
        "database with FailureIndex.rebuild().",
        path=str(where),
        problems=problems,
    )
