"""What the AI proposed, the model call that produced it, and what a person decided."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db.base import Base, Timestamped
from service.models.people import Person
from service.models.vocabulary import (
    Category,
    DraftDecisionKind,
    DraftKind,
    Grounding,
    one_of,
)


class LLMCall(Timestamped, Base):
    """One call to a model: enough to see exactly what was asked and what came back."""

    __tablename__ = "llm_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    prompt_id: Mapped[str] = mapped_column(String(120))
    prompt_version: Mapped[str] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(200))
    input_hash: Mapped[str] = mapped_column(String(64))
    raw_output: Mapped[str] = mapped_column(Text, default="")
    parsed_output: Mapped[Any | None] = mapped_column(JSON)
    prompt_tokens: Mapped[int | None]
    completion_tokens: Mapped[int | None]
    latency_ms: Mapped[float | None]
    redactions: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)


class Draft(Timestamped, Base):
    """AI-made text. It never enters the record until a person accepts or edits it."""

    __tablename__ = "drafts"
    __table_args__ = (
        one_of("kind", DraftKind, name="kind"),
        one_of("grounding", Grounding, name="grounding"),
        one_of("category", Category, name="category", nullable=True),
        CheckConstraint("question IS NULL OR question BETWEEN 1 AND 4", name="question"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    failure_id: Mapped[int] = mapped_column(ForeignKey("failures.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default=DraftKind.ANSWER.value)
    question: Mapped[int | None]
    text: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(20))
    suggested_owner: Mapped[str | None] = mapped_column(String(120))
    citations: Mapped[list[int]] = mapped_column(JSON, default=list)
    grounding: Mapped[str] = mapped_column(String(12))
    grounding_problems: Mapped[list[str]] = mapped_column(JSON, default=list)
    llm_call_id: Mapped[int | None] = mapped_column(ForeignKey("llm_calls.id", ondelete="SET NULL"))

    llm_call: Mapped[LLMCall | None] = relationship()
    decision: Mapped[DraftDecision | None] = relationship(back_populates="draft", uselist=False)


class DraftDecision(Timestamped, Base):
    __tablename__ = "draft_decisions"
    __table_args__ = (
        one_of("decision", DraftDecisionKind, name="decision"),
        CheckConstraint("(decision = 'edited') = (edited_text IS NOT NULL)", name="edited_text"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), unique=True)
    decision: Mapped[str] = mapped_column(String(10))
    decided_by: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    decided_at: Mapped[datetime]
    edited_text: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")

    draft: Mapped[Draft] = relationship(back_populates="decision")
    decider: Mapped[Person] = relationship()
