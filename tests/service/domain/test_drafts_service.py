import pytest

from service.domain.transcripts.service import NewSegment
from service.errors import Conflict, InvalidInput
from service.models import Answer, Category, DraftKind, Grounding
from tests.helpers import MODEL_CALL, make_cast


@pytest.fixture
def room(services):
    cast = make_cast(services)
    segments = services.transcripts.add(
        cast.review,
        [
            NewSegment(
                speaker="Alice Okafor",
                text="We intended to roll the config out to one region first.",
                start_s=0,
                end_s=4,
            ),
            NewSegment(
                speaker="Bob Lindqvist",
                text="It went to all 4 regions at 14:02 and payments failed for 38 minutes.",
                start_s=4,
                end_s=9,
            ),
        ],
        actor=cast.alice,
    )
    failure = services.failures.create(cast.review, title="Config pushed everywhere", actor=cast.alice)
    return cast, segments, failure


def test_ai_text_is_not_an_answer_until_a_person_accepts_it(services, room):
    cast, segments, failure = room
    draft = services.drafts.record(
        failure,
        kind=DraftKind.ANSWER,
        question=1,
        call=MODEL_CALL,
        text="We intended to roll the config out to one region first.",
        citations=[segments[0].id],
    )
    services.session.flush()
    assert draft.grounding == Grounding.GROUNDED
    assert services.session.query(Answer).count() == 0  # recorded, not part of the record
    services.drafts.accept(draft, actor=cast.bob)
    (answer,) = failure.answers
    assert (answer.text, answer.origin, answer.draft_id, answer.decided_by) == (
        draft.text,
        "accepted",
        draft.id,
        cast.bob.id,
    )
    assert answer.draft.llm_call.model == "smollm2-135m"


def test_edit_records_the_persons_words_and_keeps_the_draft(services, room):
    cast, segments, failure = room
    draft = services.drafts.record(
        failure,
        kind=DraftKind.ANSWER,
        question=1,
        call=MODEL_CALL,
        text="We wanted a careful rollout.",
        citations=[segments[0].id],
    )
    services.drafts.edit(draft, text="We intended to roll out to one region first.", actor=cast.alice)
    (answer,) = failure.answers
    assert answer.origin == "edited" and answer.text.startswith("We intended to roll out")
    assert draft.decision.edited_text == answer.text and draft.text == "We wanted a careful rollout."


def test_rejected_draft_never_reaches_the_record_and_cannot_be_decided_twice(services, room):
    cast, segments, failure = room
    draft = services.drafts.record(
        failure,
        kind=DraftKind.ANSWER,
        question=1,
        call=MODEL_CALL,
        text="We intended to roll the config out to one region first.",
        citations=[segments[0].id],
    )
    services.drafts.reject(draft, actor=cast.alice, note="too vague")
    assert failure.answers == []
    with pytest.raises(Conflict, match="already rejected"):
        services.drafts.accept(draft, actor=cast.bob)


def test_a_number_missing_from_the_citations_marks_the_draft_unverified(services, room):
    _, segments, failure = room
    draft = services.drafts.record(
        failure,
        kind=DraftKind.ANSWER,
        question=1,
        call=MODEL_CALL,
        text="Payments failed for 45 minutes.",
        citations=[segments[1].id],
    )
    assert draft.grounding == Grounding.UNVERIFIED
    assert "the number 45 does not occur in the cited segments" in draft.grounding_problems
    assert "'45 minutes' does not occur in the cited segments" in draft.grounding_problems


def test_citations_must_belong_to_the_review(services, room):
    _, segments, failure = room
    draft = services.drafts.record(
        failure,
        kind=DraftKind.ANSWER,
        question=1,
        call=MODEL_CALL,
        text="We intended a staged rollout.",
        citations=[segments[0].id, 999999],
    )
    assert draft.grounding == Grounding.UNVERIFIED
    assert "999999" in draft.grounding_problems[0]


def test_a_draft_without_a_model_call_must_say_it_is_extractive(services, room):
    _, segments, failure = room
    with pytest.raises(InvalidInput, match="model call"):
        services.drafts.record(
            failure, kind=DraftKind.ANSWER, question=1, call=None, text=segments[0].text, citations=[segments[0].id]
        )
    draft = services.drafts.record(
        failure,
        kind=DraftKind.ANSWER,
        question=1,
        call=None,
        extractive=True,
        text=segments[0].text,
        citations=[segments[0].id],
    )
    assert draft.grounding == Grounding.EXTRACTIVE and draft.llm_call_id is None


def test_accepting_a_category_draft_answers_question_four(services, room):
    cast, segments, failure = room
    for q in (1, 2, 3):
        services.failures.write_answer(failure, question=q, text=f"Answer {q}", actor=cast.alice)
        services.reviews.advance_question(cast.review, actor=cast.facilitator)
    draft = services.drafts.record(
        failure,
        kind=DraftKind.ANSWER,
        question=4,
        category="avoidable",
        call=MODEL_CALL,
        text="Avoidable: the rollout skipped the one-region step.",
        citations=[segments[0].id],
    )
    services.drafts.accept(draft, actor=cast.facilitator)
    assert failure.category == Category.AVOIDABLE
    assert failure.category_set_by == cast.facilitator.id
    assert [a.question for a in failure.answers][-1] == 4


def test_a_learning_draft_needs_one_owner_when_accepted(services, room):
    cast, segments, failure = room
    services.session.flush()
    cast.review.current_question = 4
    services.failures.set_category(failure, category="avoidable", rationale="Skipped staging.", actor=cast.bob)
    draft = services.drafts.record(
        failure,
        kind=DraftKind.LEARNING,
        call=MODEL_CALL,
        suggested_owner="Alice",
        text="Add a one-region canary step to the deploy checklist.",
        citations=[segments[0].id],
    )
    with pytest.raises(InvalidInput, match="owner"):
        services.drafts.accept(draft, actor=cast.bob)
    assert draft.decision is None
    services.drafts.accept(draft, actor=cast.bob, owner_id=cast.alice.id)
    (learning,) = failure.learnings
    assert learning.owner_id == cast.alice.id and learning.draft_id == draft.id
