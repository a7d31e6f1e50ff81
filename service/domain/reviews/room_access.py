"""The review room's read, first step: who asks, may they see the review, and at what revision, in one statement.

Every participant's room reads `GET /api/reviews/{id}` once a second, and most reads are answered
from the per-process cache (room_reads.py). What such a read must still ask the database — is the
token live and its person enabled, may that person see the review, the review's revision and its
summary (the cache key) — is asked here in one statement, so a read from the cache costs one round
trip. The answers are the ones `AccountService.token`, the session lookup in service/api/auth.py
and `Access.can_see_review` give (the access rule is `Access.review_visible_to`, shared with them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Select, bindparam, null, select
from sqlalchemy.orm import Session, aliased

from service.api.rows import Related
from service.db.types import utcnow
from service.domain.access import Access
from service.domain.accounts.secrets import token_digest
from service.domain.failures.schemas import PERSON_COLUMNS
from service.domain.reviews.schemas import SUMMARY_COLUMNS, ReviewSummary
from service.models import ApiToken, Person, Review, Team

TOKEN_USE_EVERY_S = 60  # as service/api/auth.py: a token's last use is recorded to the minute


@dataclass(frozen=True, slots=True)
class RoomKey:
    """A signed-in person's view of one review, as far as the room's cache needs it."""

    person_id: int
    stale_token_id: int | None  # the token, when its last recorded use is over a minute old
    summary: ReviewSummary | None  # None: no such review, or this person may not see it
    revision: int = 0


def room_key(connection: Connection, *, review_id: int, token: str | None, person_id: int | None) -> RoomKey | None:
    """The key for this read; None when the credentials are refused (unknown or revoked token, disabled person).

    Takes a Connection (not a Session) so that the same code runs on a worker thread with the sync
    engine and on the event loop through `AsyncConnection.run_sync`.
    """
    values: dict[str, Any] = {"review_id": review_id}
    if token is not None:
        values["digest"] = token_digest(token)
    else:
        values["person_id"] = int(person_id or 0)
    # A Session only to execute the ORM statement (it reads the Related bundles); the caller owns the connection.
    with Session(bind=connection) as session:
        row = session.execute(_statement(by_token=token is not None), values).one_or_none()
    if row is None:
        return None
    last_used: datetime | None = row.token_last_used_at
    overdue = last_used is None or (utcnow() - last_used).total_seconds() > TOKEN_USE_EVERY_S
    stale_token_id = row.token_id if row.token_id is not None and overdue else None
    if row.id is None or not row.visible:
        return RoomKey(person_id=row.viewer_id, stale_token_id=stale_token_id, summary=None)
    summary = ReviewSummary.of(row)
    return RoomKey(person_id=row.viewer_id, stale_token_id=stale_token_id, summary=summary, revision=row.revision)


@cache
def _statement(*, by_token: bool) -> Select[Any]:
    viewer = aliased(Person, name="viewer")
    facilitator = aliased(Person, name="facilitator_person")
    columns = (
        viewer.id.label("viewer_id"),
        *SUMMARY_COLUMNS.select(),
        Review.revision,
        Related("team", Team.id, Team.name),
        Related("facilitator", *PERSON_COLUMNS.select(facilitator)),
        Access.review_visible_to(viewer.id, viewer.is_admin).label("visible"),
    )
    if by_token:
        found = (
            select(*columns, ApiToken.id.label("token_id"), ApiToken.last_used_at.label("token_last_used_at"))
            .select_from(ApiToken)
            .join(viewer, viewer.id == ApiToken.person_id)
            .where(ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None))
        )
    else:
        found = (
            select(*columns, null().label("token_id"), null().label("token_last_used_at"))
            .select_from(viewer)
            .where(viewer.id == bindparam("person_id"))
        )
    # The review is joined outside the viewer's row: a viewer with no such review still gets a row (a 404,
    # not a 401).
    return (
        found.where(viewer.disabled_at.is_(None))
        .outerjoin(Review, Review.id == bindparam("review_id"))
        .outerjoin(Team, Team.id == Review.team_id)
        .outerjoin(facilitator, facilitator.id == Review.facilitator_id)
    )
