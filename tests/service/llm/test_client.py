"""The one call site against the real embedded server's answers (replayed from tests/cassettes)."""

import json

from service.domain.drafting.compose import AnswerDraft
from service.domain.drafts.service import ModelCall
from service.llm import LLMClient, load_prompt

EVIDENCE = [
    {"id": 1, "speaker": "Eli Brooks", "text": "Any sev-1 recovered within 30 minutes, night or day."},
    {
        "id": 3,
        "speaker": "Eli Brooks",
        "text": "At 02:14 the primary database disk filled. Writes were down 72 minutes.",
    },
]


def test_a_structured_answer_comes_back_with_everything_needed_to_log_the_call(recorded_llm: LLMClient):
    prompt = load_prompt("draft_answer")
    variables = {
        "question": "What did we intend to happen?",
        "failure": "failure 1",
        "evidence": EVIDENCE,
        "problems": [],
    }
    result = recorded_llm.complete(prompt, schema=AnswerDraft, variables=variables)
    assert isinstance(result.parsed, AnswerDraft) and result.parsed.text
    assert len(result.parsed.text) <= 400 and len(result.parsed.citations) <= 5  # the schema's bounds held
    assert json.loads(result.raw_output)["text"] == result.parsed.text
    assert (result.prompt_id, result.prompt_version, result.model) == ("draft_answer", "1", recorded_llm.model)
    assert len(result.input_hash) == 64 and result.prompt_tokens and result.completion_tokens
    call = ModelCall(**result.call_record())  # what DraftService.record logs as an LLMCall row
    assert call.parsed_output == result.parsed.model_dump()


def test_the_same_question_hashes_the_same_and_a_different_one_does_not():
    from service.llm.client import input_hash

    assert input_hash("m", "s", "u", AnswerDraft) == input_hash("m", "s", "u", AnswerDraft)
    assert input_hash("m", "s", "u", AnswerDraft) != input_hash("m", "s", "u2", AnswerDraft)
