"""The review room's read, built once per change: a per-process cache keyed by the review's revision.

Every participant's room reads `GET /api/reviews/{id}`, and most reads follow no change. Each read
still authenticates and checks access on its own transaction (a revoked token or a removed member
is refused at once, in every process); it then loads the review's row, whose `revision` is bumped in
the same transaction as any change the room shows (service/models/revision.py). If this process
already built the room at that revision, it serves those bytes; otherwise it builds them.

Never stale: the revision is read before the rest, in the database every process writes to, so what
was built at revision R holds every change up to R. The review's summary (its timeliness moves with
the clock; its team's and facilitator's names) is rebuilt on every read and is part of the key. The
room shows the same to everyone who may see the review, so the viewer is not part of the key.

Hand-written rather than Litestar's response cache (`cache=True`, `cache_key_builder`, a store): that
cache answers before the handler runs — before the access check — from a key built synchronously on
the event loop, and it expires by time; this one must be checked against the database on every read.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from litestar.serialization import encode_json
from sqlalchemy.orm import Session

from service.domain.reviews.detail import REVIEW_LOADS, review_detail
from service.domain.reviews.schemas import ReviewSummary
from service.domain.reviews.service import ReviewService


@dataclass(frozen=True, slots=True)
class RoomRead:
    body: bytes  # the JSON Litestar would send for the ReviewDetail
    etag: str  # a strong entity tag, quoted: a hash of the body, the same in every process


class RoomReads:
    """The latest room read this process built for each of the most recently read reviews."""

    def __init__(self, capacity: int = 256) -> None:
        # 256 rooms of ~5-50 kB: a few MB. Rooms are read while a review is held, so the busy set is small.
        self.capacity = capacity
        self._entries: OrderedDict[int, tuple[int, bytes, RoomRead]] = OrderedDict()
        self._lock = threading.Lock()  # handlers run in a pool of threads

    def read(self, session: Session, reviews: ReviewService, review_id: int) -> RoomRead:
        """The room as `GET /api/reviews/{id}` shows it (404 unless this viewer may see it)."""
        review = reviews.get(review_id, options=REVIEW_LOADS)
        summary = ReviewSummary.of(review)
        summary_json = encode_json(summary)
        cached = self._cached(review.id, review.revision, summary_json)
        if cached is not None:
            return cached
        body = encode_json(review_detail(session, review, summary))
        built = RoomRead(body=body, etag=f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"')
        with self._lock:
            entry = self._entries.get(review.id)
            if entry is None or entry[0] <= review.revision:  # a slow older read never replaces a newer one
                self._entries[review.id] = (review.revision, summary_json, built)
                self._entries.move_to_end(review.id)
                while len(self._entries) > self.capacity:
                    self._entries.popitem(last=False)
        return built

    def cached(self, review_id: int, revision: int, summary: ReviewSummary) -> RoomRead | None:
        """The room built at this revision around this summary, if this process has it (room_access.py)."""
        return self._cached(review_id, revision, encode_json(summary))

    def _cached(self, review_id: int, revision: int, summary_json: bytes) -> RoomRead | None:
        with self._lock:
            entry = self._entries.get(review_id)
            if entry is None or entry[0] != revision or entry[1] != summary_json:
                return None
            self._entries.move_to_end(review_id)
            return entry[2]


def not_modified(if_none_match: str | None, etag: str) -> bool:
    """Does an If-None-Match header name ``etag``? (Weak comparison, as RFC 9110 asks for this header.)"""
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags
