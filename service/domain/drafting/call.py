"""Draft a whole review from its transcript: every failure's four answers, learning and blame flags.

This is what ``debrief draft CALL.json`` prints and what the drafting eval scores. It reads a call's
``participants`` and ``turns`` only: a ``truth`` key, when present, is never touched.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from service.domain.drafting.blame import blame_flags
from service.domain.drafting.category import suggest_category
from service.domain.drafting.compose import DraftText, write_answer
from service.domain.drafting.corrections import Correction, find_corrections
from service.domain.drafting.evidence import select_evidence
from service.domain.drafting.failures import FailureThread, separate_failures
from service.domain.drafting.learning import suggest_learning
from service.domain.drafting.structure import assign_questions, distinct_owners, owner_statements
from service.domain.drafting.text import Segment
from service.domain.drafts.grounding import draft_problems
from service.models.vocabulary import Question

FIELDS = {"intended": Question.INTENDED, "actual": Question.ACTUAL, "gap": Question.GAP}


@dataclass(frozen=True)
class CallContext:
    """The parts of a call every per-failure step needs, worked out once."""

    segments: list[Segment]
    facilitator: str | None
    corrections: list[Correction]
    blamed: set[int]
    threads: list[FailureThread]


def analyse(segments: Sequence[Segment], *, participants: Sequence[str], facilitator: str | None) -> CallContext:
    """Question boundaries, corrections, blame and failure threads for one transcript."""
    labelled = assign_questions(segments, facilitator=facilitator)
    owners = distinct_owners(owner_statements(labelled, participants=participants))
    return CallContext(
        segments=labelled,
        facilitator=facilitator,
        corrections=find_corrections(labelled),
        blamed={flag.segment_id for flag in blame_flags(labelled)},
        threads=separate_failures(labelled, owners=owners, facilitator=facilitator),
    )


def draft_call(case: dict[str, Any], *, llm: Any | None = None) -> dict[str, Any]:
    """Draft every failure of a call in the evals-data format (``participants``, ``turns``)."""
    participants = [p["name"] for p in case["participants"]]
    facilitator = next((p["name"] for p in case["participants"] if "facilitator" in p.get("role", "").lower()), None)
    segments = [Segment(i, t["speaker"], t["text"]) for i, t in enumerate(case["turns"])]
    context = analyse(segments, participants=participants, facilitator=facilitator)
    failures = [draft_failure(context, thread=t, llm=llm) for t in context.threads]
    flags = blame_flags(context.segments)
    return {
        "model": getattr(llm, "model", None) or "extractive",
        "failures": failures,
        "blame_turns": [f.segment_id for f in flags],
        "blame_flags": [f.__dict__ for f in flags],
    }


def draft_failure(context: CallContext, *, thread: FailureThread, llm: Any | None) -> dict[str, Any]:
    """The three answers, the category and the learning of one failure."""
    mine = list(thread.segments)
    title = f"failure {thread.index + 1}" + (f" (learning owned by {thread.owner})" if thread.owner else "")
    drafted: dict[str, Any] = {}
    for key, question in FIELDS.items():
        started = time.perf_counter()
        draft = draft_answer(context, mine, question=question, title=title, llm=llm, batch=True)
        drafted[key] = _answer_json(draft, latency_ms=(time.perf_counter() - started) * 1000)
    q4 = [s for s in mine if s.question == Question.CATEGORY]
    category = suggest_category(q4, facilitator=context.facilitator)
    learning = suggest_learning(q4, owner=thread.owner, owned_at=thread.owned_at)
    checked = _checked(context, category.rationale if category else "", category.citations if category else [])
    drafted["category"] = {
        "value": category.value if category else None,  # avoidable | inherent | experiment | ambiguous
        "leaning": category.leaning if category else None,  # the likelier one, also when ambiguous
        "rationale": checked.pop("text"),
        **checked,
    }
    drafted["learning"] = {
        "owner": thread.owner,
        **_checked(context, learning.text if learning else "", learning.citations if learning else []),
    }
    return drafted


def draft_answer(
    context: CallContext,
    mine: Sequence[Segment],
    *,
    question: Question,
    title: str,
    llm: Any | None,
    batch: bool = False,
) -> DraftText:
    """One answer (questions 1-3) for one failure, from the segments spoken while it was open."""
    pool = [s for s in mine if s.question == question]
    if not pool:  # the thread split missed this question: fall back to everything said then
        pool = [s for s in context.segments if s.question == question]
    evidence = select_evidence(
        pool,
        field=question.key,
        corrections=context.corrections,
        excluded=context.blamed,
        facilitator=context.facilitator,
        call=context.segments,
    )
    by_id = {s.id: s for s in context.segments}
    return write_answer(
        evidence, question=question.prompt, failure=title, segments=by_id, llm=llm, fall_back_when_unavailable=batch
    )


def _checked(context: CallContext, text: str, citations: list[int]) -> dict[str, Any]:
    """Code-written text is checked like any other: what fails is marked unverified, never shown as fact."""
    by_id = {s.id: s for s in context.segments}
    cited = [c for c in citations if c in by_id]
    problems = draft_problems(
        text, citations, {c: by_id[c].text for c in cited}, speakers={c: by_id[c].speaker for c in cited}
    )
    grounding = "unverified" if problems and text else "extractive"
    return {"text": text, "citations": citations, "grounding": grounding, "problems": problems if text else []}


def _answer_json(draft: DraftText, *, latency_ms: float) -> dict[str, Any]:
    return {
        "text": draft.text,
        "citations": draft.citations,
        "grounding": draft.grounding,
        "model_call": draft.call.call_record() if draft.call else None,
        "rejected_model_answers": len(draft.rejected),
        "model_problems": [p for attempt in draft.rejected for p in attempt["problems"]],
        "latency_ms": round(latency_ms, 1),
    }
