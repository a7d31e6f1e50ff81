"""Draft one question for one failure of a stored review ("draft the current question").

The caller loads the review's segments (with the question recorded live, when there is one), calls
``draft_question`` off the event loop, and stores the result with ``DraftService.record`` — passing
``ModelCall(**draft.call)`` when a model wrote the text, ``extractive=True`` when code did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from service.domain.drafting.call import CallContext, analyse, draft_answer
from service.domain.drafting.category import suggest_category
from service.domain.drafting.failures import FailureThread
from service.domain.drafting.learning import suggest_learning
from service.domain.drafting.text import Segment, content_words
from service.domain.drafts.grounding import draft_problems
from service.errors import InvalidInput
from service.models.vocabulary import Question


@dataclass(frozen=True)
class QuestionDraft:
    text: str
    citations: list[int]
    grounding: str  # grounded (model text that passed) | extractive (speakers' words) | unverified
    category: str | None = None  # question 4: the suggested (or, when ambiguous, likelier) category
    ambiguous: bool = False
    suggested_owner: str | None = None
    call: dict[str, Any] | None = None  # ModelCall fields of the call whose text was kept
    problems: list[str] = field(default_factory=list)


def draft_question(
    segments: Sequence[Segment],
    *,
    question: int,
    failure_title: str,
    failure_position: int = 1,
    failure_count: int = 1,
    participants: Sequence[str] = (),
    facilitator: str | None = None,
    llm: Any | None = None,
) -> QuestionDraft:
    """Draft the answer to ``question`` (1-4) for the failure at ``failure_position`` (1-based).

    Raises InvalidInput when nothing said so far answers the question, so the facilitator knows to
    wait for the discussion rather than accept an empty draft. Raises LLMUnavailable when a model is
    configured but down; passing ``llm=None`` gives the extractive draft instead.
    """
    context = analyse(segments, participants=participants, facilitator=facilitator)
    thread = _thread_for(context, title=failure_title, position=failure_position, count=failure_count)
    if Question(question) == Question.CATEGORY:
        return _category_draft(context, thread)
    draft = draft_answer(context, thread.segments, question=Question(question), title=failure_title, llm=llm)
    if not draft.text:
        raise InvalidInput(
            f"Nothing said so far answers question {question} for “{failure_title}”; "
            "draft again once the group has discussed it.",
            field="question",
        )
    return QuestionDraft(
        draft.text, draft.citations, draft.grounding, call=draft.call.call_record() if draft.call else None
    )


def draft_learning(
    segments: Sequence[Segment],
    *,
    failure_title: str,
    failure_position: int = 1,
    failure_count: int = 1,
    participants: Sequence[str] = (),
    facilitator: str | None = None,
) -> QuestionDraft | None:
    """The learning proposed for the failure and its one owner, if the call named them."""
    context = analyse(segments, participants=participants, facilitator=facilitator)
    thread = _thread_for(context, title=failure_title, position=failure_position, count=failure_count)
    q4 = [s for s in thread.segments if s.question == Question.CATEGORY]
    learning = suggest_learning(q4, owner=thread.owner, owned_at=thread.owned_at)
    if learning is None:
        return None
    return _checked(context, learning.text, learning.citations, suggested_owner=learning.owner)


def _category_draft(context: CallContext, thread: FailureThread) -> QuestionDraft:
    q4 = [s for s in thread.segments if s.question == Question.CATEGORY]
    suggestion = suggest_category(q4, facilitator=context.facilitator)
    if suggestion is None:
        raise InvalidInput(
            "Nobody has said yet whether the gap is avoidable, inherent or an experiment; "
            "draft again once the group has discussed question 4.",
            field="question",
        )
    return _checked(
        context,
        suggestion.rationale,
        suggestion.citations,
        category=suggestion.leaning,
        ambiguous=suggestion.value == "ambiguous",
    )


def _checked(context: CallContext, text: str, citations: list[int], **extra: Any) -> QuestionDraft:
    """Extractive unless the checker objects; then unverified, never shown as fact."""
    by_id = {s.id: s for s in context.segments}
    problems = draft_problems(
        text,
        citations,
        {c: by_id[c].text for c in citations if c in by_id},
        speakers={c: by_id[c].speaker for c in citations if c in by_id},
    )
    return QuestionDraft(text, citations, "unverified" if problems else "extractive", problems=problems, **extra)


def _thread_for(context: CallContext, *, title: str, position: int, count: int) -> FailureThread:
    """The thread of the stored failure: by position when the counts agree, else by the title's words."""
    threads = context.threads
    if len(threads) == 1 or count == 1:
        return FailureThread(0, threads[0].owner if len(threads) == 1 else None, None, tuple(context.segments))
    if len(threads) == count and 1 <= position <= count:
        return threads[position - 1]
    title_words = set(content_words(title))
    return max(threads, key=lambda t: len(title_words & {w for s in t.segments for w in content_words(s.text)}))
