"""Model text is kept only when the checker passes it; otherwise repaired once, then extractive."""

from __future__ import annotations

from typing import Any

from service.domain.drafting.compose import AnswerDraft, check_model_answer, write_answer
from service.domain.drafting.evidence import Evidence
from service.domain.drafting.text import Segment, Sentence
from service.llm import LLMResult, load_prompt
from service.llm.prompts import PromptFile

SEGMENTS = {
    1: Segment(1, "Eli Brooks", "Any sev-1 recovered within 30 minutes, night or day.", 1),
    3: Segment(3, "Eli Brooks", "At 02:14 the primary database disk filled. Writes were down 72 minutes.", 2),
}
EVIDENCE = Evidence(
    (
        Sentence(3, "Eli Brooks", "At 02:14 the primary database disk filled.", 0),
        Sentence(3, "Eli Brooks", "Writes were down 72 minutes.", 1),
    )
)


class ScriptedModel:
    """A fake with the real ``complete`` signature, answering from a script (for the keep/repair paths)."""

    model = "scripted"

    def __init__(self, *answers: AnswerDraft) -> None:
        self.answers = list(answers)
        self.prompts: list[dict[str, Any]] = []

    def complete(
        self,
        prompt: PromptFile,
        *,
        schema: type[AnswerDraft],
        variables: dict[str, Any],
        timeout_s: float | None = None,
    ) -> LLMResult:
        rendered = prompt.render(**variables)
        self.prompts.append(variables)
        answer = self.answers.pop(0)
        return LLMResult(
            rendered.prompt_id, rendered.version, self.model, "0" * 64, answer.model_dump_json(), answer, 1, 1, 1.0
        )


def _write(llm: Any) -> Any:
    return write_answer(EVIDENCE, question="What actually happened?", failure="failure 1", segments=SEGMENTS, llm=llm)


def test_a_checked_model_answer_is_kept_as_grounded_with_its_call():
    good = AnswerDraft(text="At 02:14 the primary database disk filled; writes were down 72 minutes.", citations=[3])
    draft = _write(ScriptedModel(good))
    assert (draft.grounding, draft.text, draft.citations) == ("grounded", good.text, [3])
    assert draft.call is not None and draft.call.prompt_id == "draft_answer"


def test_a_wrong_figure_is_sent_back_once_with_the_checkers_complaint_then_fixed():
    wrong = AnswerDraft(text="At 02:14 the disk filled and writes were down 75 minutes.", citations=[3])
    fixed = AnswerDraft(text="At 02:14 the primary database disk filled. Writes were down 72 minutes.", citations=[3])
    model = ScriptedModel(wrong, fixed)
    draft = _write(model)
    assert draft.grounding == "grounded" and "72 minutes" in draft.text
    assert "the number 75 does not occur in the cited segments" in model.prompts[1]["problems"]


def test_vague_or_invented_text_twice_falls_back_to_the_speakers_words():
    vague = AnswerDraft(text="The gap exists between what we intended and what happened.", citations=[3])
    invented = AnswerDraft(text="Kenji failed at 02:14 and writes were down 72 minutes.", citations=[3, 9])
    draft = _write(ScriptedModel(vague, invented))
    assert draft.grounding == "extractive" and draft.call is None
    assert draft.text == "At 02:14 the primary database disk filled. Writes were down 72 minutes."
    assert len(draft.rejected) == 2 and any("Kenji" in p for p in draft.rejected[1]["problems"])


def test_check_model_answer_names_every_problem():
    answer = AnswerDraft(text="On Friday Priscilla saw 90 minutes of downtime.", citations=[7])
    problems = check_model_answer(answer, evidence=EVIDENCE, segments=SEGMENTS)
    assert "cites lines it was not given: [7]" in problems
    assert any("90" in p for p in problems) and any("Priscilla" in p for p in problems)
    assert any("friday" in p for p in problems) and any(p.startswith("too vague") for p in problems)


def test_the_real_small_model_is_never_shown_unchecked(recorded_llm):
    """SmolLM2-135M on real evidence (replayed): whatever it writes, what is shown passes the checker."""
    recorded_llm.answer_budget_s = 600  # type: ignore[attr-defined]  # both attempts, however busy the recording machine
    draft = _write(recorded_llm)
    if draft.grounding == "grounded":
        assert (
            check_model_answer(
                AnswerDraft(text=draft.text, citations=draft.citations), evidence=EVIDENCE, segments=SEGMENTS
            )
            == []
        )
    else:
        assert draft.text == EVIDENCE.text and len(draft.rejected) == 2
    assert load_prompt("draft_answer").version == "1"
