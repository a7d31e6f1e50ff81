"""API shapes for AI drafts and the decisions on them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import msgspec
from sqlalchemy import Row

from service.api.rows import Columns
from service.api.types import Id
from service.models import Draft, DraftDecision, DraftKind, LLMCall

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]


class ModelCallIn(msgspec.Struct, kw_only=True):
    """The model call that produced a draft, as the drafting tool reports it."""

    prompt_id: str
    prompt_version: str
    model: str
    input_hash: str
    raw_output: str
    parsed_output: Any = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_ms: float | None = None


class DraftIn(msgspec.Struct, kw_only=True):
    kind: DraftKind = DraftKind.ANSWER
    question: Annotated[int, msgspec.Meta(ge=1, le=4)] | None = None
    text: Text
    citations: Annotated[list[Id], msgspec.Meta(max_length=50, description="Transcript segment ids.")] = []
    category: str | None = None
    suggested_owner: str | None = None
    model_call: ModelCallIn | None = None
    extractive: bool = False


class AcceptIn(msgspec.Struct, kw_only=True):
    owner_id: Id | None = None
    due_on: date | None = None


class EditIn(msgspec.Struct, kw_only=True):
    text: Text
    category: str | None = None
    owner_id: Id | None = None
    due_on: date | None = None


class RejectIn(msgspec.Struct, kw_only=True):
    note: str = ""


class CallRef(msgspec.Struct, kw_only=True):
    id: int
    model: str
    prompt_id: str
    prompt_version: str

    @classmethod
    def of(cls, call: LLMCall | Row[Any] | None) -> CallRef | None:
        """From an LLMCall, or a `Related` row of `CALL_COLUMNS.select()`; None for none."""
        return None if call is None else CALL_COLUMNS.build(call)


class DecisionOut(msgspec.Struct, kw_only=True):
    decision: str
    decided_by: int
    decided_at: datetime
    edited_text: str | None
    note: str

    @classmethod
    def of(cls, decision: DraftDecision | Row[Any] | None) -> DecisionOut | None:
        """From a DraftDecision, or a `Related` row of `DECISION_COLUMNS.select()`; None for none."""
        return None if decision is None else DECISION_COLUMNS.build(decision)


class DraftOut(msgspec.Struct, kw_only=True):
    id: int
    failure_id: int
    kind: str
    question: int | None
    text: str
    category: str | None
    suggested_owner: str | None
    citations: list[int]
    grounding: str
    grounding_problems: list[str]
    llm_call: CallRef | None
    decision: DecisionOut | None
    created_at: datetime

    @classmethod
    def of(cls, draft: Draft | Row[Any]) -> DraftOut:
        """From a Draft, or a row of `DRAFT_COLUMNS.select()` with `llm_call` and `decision` as `Related`."""
        return DRAFT_COLUMNS.build(
            draft,
            citations=list(draft.citations),
            grounding_problems=list(draft.grounding_problems),
            llm_call=CallRef.of(draft.llm_call),
            decision=DecisionOut.of(draft.decision),
        )


CALL_COLUMNS = Columns(CallRef, LLMCall)
DECISION_COLUMNS = Columns(DecisionOut, DraftDecision)
DRAFT_COLUMNS = Columns(DraftOut, Draft)
