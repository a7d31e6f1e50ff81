"""API shapes for learnings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

from service.api.types import Id
from service.models import Learning


class LearningIn(msgspec.Struct, kw_only=True):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]
    owner_id: Annotated[Id, msgspec.Meta(description="The one person who carries this learning.")]
    due_on: date | None = None


class LearningPatch(msgspec.Struct, kw_only=True):
    status: str | None = None
    note: str = ""
    owner_id: Id | None = None


class LearningOut(msgspec.Struct, kw_only=True):
    id: int
    failure_id: int
    kind: str
    text: str
    owner_id: Id
    owner: str
    due_on: date | None
    status: str
    status_note: str
    closed_at: datetime | None
    from_draft_id: int | None

    @classmethod
    def of(cls, learning: Learning) -> LearningOut:
        return cls(
            id=learning.id,
            failure_id=learning.failure_id,
            kind=learning.kind,
            text=learning.text,
            owner_id=learning.owner_id,
            owner=learning.owner.name,
            due_on=learning.due_on,
            status=learning.status,
            status_note=learning.status_note,
            closed_at=learning.closed_at,
            from_draft_id=learning.draft_id,
        )
