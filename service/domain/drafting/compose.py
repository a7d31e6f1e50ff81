"""Turn selected evidence into the text of a draft: extractive first, the model only if it checks out.

The extractive draft is the speakers' own sentences, so it is grounded by construction. The model is
asked for 1-3 sentences from the same lines; its text is kept only when the checker finds every
figure, date and name in the lines it cites, most of its words in them, and the evidence's figures
actually said. Otherwise it is repaired once with the checker's complaints, then replaced by the
extractive draft. A small model that writes "the gap exists between what we intended and what
happened" therefore never reaches the facilitator as an answer.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from service.domain.drafting.evidence import Evidence
from service.domain.drafting.text import Segment, numbers, words
from service.domain.drafts.grounding import draft_problems
from service.llm import LLMBadOutput, LLMResult, LLMTimeout, LLMUnavailable, load_prompt

ANSWER_BUDGET_S = 9.0  # model time per answer, so one answer takes <= 10 s; past it the extractive draft is used
MIN_CALL_S = 2.0  # less time than this left: don't start another model call
MIN_SUPPORT = 0.8  # share of the model's words that must occur in the cited lines
CONNECTIVES = frozenset(words("the a an and but so because which that was were is are we our of to in on for by"))
PROMPT_ID = "draft_answer"


# The docstring and field descriptions are sent to the model as the tool's instructions. The length
# bounds matter: without maxLength/maxItems small models loop until the token limit.
class AnswerDraft(BaseModel):
    """An answer to one review question, written only from the numbered evidence lines."""

    text: str = Field(max_length=300, description="The answer in 1-3 short sentences, only from the lines.")
    citations: list[int] = Field(max_length=5, description="The numbers of the evidence lines used.")


@dataclass(frozen=True)
class DraftText:
    text: str
    citations: list[int]
    grounding: str  # "grounded" (model text that passed the checker) or "extractive"
    call: LLMResult[AnswerDraft] | None = None  # the call whose text was kept
    rejected: list[dict[str, Any]] = field(default_factory=list)  # model attempts that failed the checker


def extractive_draft(evidence: Evidence) -> DraftText:
    """The evidence sentences themselves, citing the segments they come from."""
    return DraftText(evidence.text, evidence.segment_ids, "extractive")


def write_answer(
    evidence: Evidence,
    *,
    question: str,
    failure: str,
    segments: Mapping[int, Segment],
    llm: Any | None,
    fall_back_when_unavailable: bool = False,
) -> DraftText:
    """Ask the model for the answer; keep it only if it passes the checker, else fall back to extractive.

    The model gets the answer budget (9 s by default): past it, the extractive draft is used. An
    endpoint that is down raises LLMUnavailable (the live "draft this question" answers 503, retry),
    unless ``fall_back_when_unavailable``: batch drafting of a whole call keeps going and notes why.
    """
    extractive = extractive_draft(evidence)
    if llm is None or not evidence.sentences:
        return extractive
    lines = [{"id": s.segment_id, "speaker": s.speaker, "text": s.text} for s in evidence.sentences]
    deadline = time.perf_counter() + float(getattr(llm, "answer_budget_s", ANSWER_BUDGET_S))
    problems: list[str] = []
    rejected: list[dict[str, Any]] = []
    for _ in range(2):  # the first answer, then one repair with the checker's complaints
        remaining = deadline - time.perf_counter()
        if remaining < MIN_CALL_S:
            break
        variables = {"question": question, "failure": failure, "evidence": lines, "problems": problems}
        try:
            result = _ask(llm, variables, timeout_s=remaining, fall_back=fall_back_when_unavailable)
        except _Rejected as exc:
            rejected.append(exc.attempt)
            problems = exc.attempt["problems"]
            if exc.final:
                break
            continue
        problems = check_model_answer(result.parsed, evidence=evidence, segments=segments)
        if not problems:
            return DraftText(result.parsed.text.strip(), sorted(set(result.parsed.citations)), "grounded", result)
        rejected.append({**result.call_record(), "problems": problems})
    return DraftText(extractive.text, extractive.citations, "extractive", None, rejected)


class _Rejected(Exception):
    def __init__(self, attempt: dict[str, Any], *, final: bool) -> None:
        self.attempt, self.final = attempt, final


def _ask(llm: Any, variables: dict[str, Any], *, timeout_s: float, fall_back: bool) -> LLMResult[AnswerDraft]:
    """One model call; an unusable or late answer becomes a rejected attempt, a dead endpoint an error."""
    try:
        return llm.complete(load_prompt(PROMPT_ID), schema=AnswerDraft, variables=variables, timeout_s=timeout_s)
    except LLMBadOutput as exc:
        raise _Rejected(
            {"raw_output": exc.raw_output, "problems": ["the answer was not valid JSON"]}, final=False
        ) from exc
    except LLMTimeout as exc:  # our budget ran out: the extractive draft is ready, no need to fail
        raise _Rejected({"raw_output": "", "problems": [exc.detail]}, final=True) from exc
    except LLMUnavailable as exc:
        if not fall_back:
            raise
        raise _Rejected({"raw_output": "", "problems": [exc.detail]}, final=True) from exc


def check_model_answer(answer: AnswerDraft, *, evidence: Evidence, segments: Mapping[int, Segment]) -> list[str]:
    """Everything wrong with a model's answer, judged only against the lines it was given."""
    given = set(evidence.segment_ids)
    problems = []
    if not answer.text.strip():
        return ["the answer is empty"]
    outside = sorted(set(answer.citations) - given)
    if outside:
        problems.append(f"cites lines it was not given: {outside}")
    cited = [c for c in answer.citations if c in given] or sorted(given)
    texts = {c: segments[c].text for c in cited}
    speakers = {c: segments[c].speaker for c in cited}
    problems += draft_problems(
        answer.text, cited, texts, speakers=speakers, min_support=MIN_SUPPORT, ignore=CONNECTIVES
    )
    wanted = set(numbers(evidence.text))
    said = set(numbers(answer.text)) & wanted
    if len(said) < min(2, len(wanted)):
        problems.append(f"too vague: say the figures from the lines ({', '.join(sorted(wanted)[:6])})")
    return problems
