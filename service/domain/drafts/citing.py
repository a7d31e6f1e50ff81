"""Which drafts stand on given transcript segments: what a change to those segments would pull from under."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from service.models import Draft
from service.models.vocabulary import DraftDecisionKind


def drafts_citing(session: Session, review_id: int, segment_ids: Collection[int]) -> list[int]:
    """Ids of the review's drafts, pending or taken into the record (not rejected), that cite any of ``segment_ids``.

    Citations are a JSON list on each draft, so this reads the review's drafts (tens, not thousands)
    rather than asking the database, where SQLite and PostgreSQL would need different JSON queries.
    """
    wanted = set(segment_ids)
    if not wanted:
        return []
    drafts = session.scalars(select(Draft).where(Draft.review_id == review_id).options(selectinload(Draft.decision)))
    return [
        draft.id
        for draft in drafts
        if wanted.intersection(draft.citations)
        and (draft.decision is None or draft.decision.decision != DraftDecisionKind.REJECTED.value)
    ]
