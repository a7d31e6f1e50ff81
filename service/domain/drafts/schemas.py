"""API shapes for AI drafts and the decisions on them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import msgspec

from service.api.types import Id
from service.models import Draft, DraftKind, LLMCall

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
    def of(cls, call: LLMCall | None) -> CallRef | None:
        if call is None:
            return None
        return cls(id=call.id, model=call.model, prompt_id=call.prompt_id, prompt_version=call.prompt_version)


class DecisionOut(msgspec.Struct, kw_only=True):
    decision: str
    decided_by: int
    decided_at: datetime
    edited_text: str | None
    note: str


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
    def of(cls, draft: Draft) -> DraftOut:
        d = draft.decision
        return cls(
            id=draft.id,
            failure_id=draft.failure_id,
            kind=draft.kind,
            question=draft.question,
            text=draft.text,
            category=draft.category,
            suggested_owner=draft.suggested_owner,
            citations=list(draft.citations),
            grounding=draft.grounding,
            grounding_problems=list(draft.grounding_problems),
            llm_call=CallRef.of(draft.llm_call),
            created_at=draft.created_at,
            decision=None
            if d is None
            else DecisionOut(
                decision=d.decision,
                decided_by=d.decided_by,
                decided_at=d.decided_at,
                edited_text=d.edited_text,
                note=d.note,
            ),
        )
