import pytest

from service.domain.drafting.review import draft_learning, draft_question
from service.domain.drafting.text import Segment
from service.errors import InvalidInput


def _call(load, stem):
    case = load(stem)
    segments = [Segment(i, t["speaker"], t["text"]) for i, t in enumerate(case["turns"])]
    return segments, [p["name"] for p in case["participants"]], case["participants"][0]["name"]


def test_each_question_of_a_stored_review_is_drafted_from_its_own_part_of_the_call(load):
    segments, people, facilitator = _call(load, "d12")
    kwargs = {"failure_title": "Overnight failover", "participants": people, "facilitator": facilitator}
    actual = draft_question(segments, question=2, **kwargs)
    assert actual.grounding == "extractive" and actual.call is None and actual.citations == [3]
    category = draft_question(segments, question=4, **kwargs)
    assert (category.category, category.ambiguous, category.grounding) == ("inherent", False, "extractive")
    learning = draft_learning(segments, **kwargs)
    assert learning.suggested_owner == "Nora Lindqvist" and "named constraint" in learning.text


def test_the_second_failure_of_a_review_gets_its_own_evidence(load):
    segments, people, facilitator = _call(load, "d09")
    draft = draft_question(
        segments, question=1, failure_title="Incubator alarm", failure_position=2, failure_count=2,
        participants=people, facilitator=facilitator,
    )  # fmt: skip
    assert "incubator" in draft.text and "CYMAL-6" not in draft.text


def test_a_question_nobody_has_answered_yet_says_so(load):
    segments, people, facilitator = _call(load, "d12")
    with pytest.raises(InvalidInput, match="Nothing said so far answers question 3"):
        draft_question(segments[:3], question=3, failure_title="x", participants=people, facilitator=facilitator)
