"""API shapes for learnings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import msgspec
from sqlalchemy import Row

from service.api.rows import Columns
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
    def of(cls, learning: Learning | Row[Any]) -> LearningOut:
        """From a Learning, or a row of `LEARNING_COLUMNS.select()` with its `owner` as `Related`."""
        return LEARNING_COLUMNS.build(learning, owner=learning.owner.name, from_draft_id=learning.draft_id)


LEARNING_COLUMNS = Columns(LearningOut, Learning, extra=("draft_id",))
