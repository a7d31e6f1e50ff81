"""The append-only audit log of every change to a review's record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base
from service.db.types import utcnow


class AuditEvent(Base):
    """Who did what to which part of a review, and when.

    No foreign keys on purpose: the log must outlive what it describes (a deleted review keeps its
    "deleted" event). Rows are never updated or deleted; database triggers refuse it (see the
    initial migration). Details hold identifiers and decisions, never transcript text.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int | None] = mapped_column(index=True)
    team_id: Mapped[int | None]
    actor_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int | None]
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)
