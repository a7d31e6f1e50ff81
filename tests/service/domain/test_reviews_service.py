from datetime import UTC, datetime, timedelta

import pytest

from service.errors import Conflict, Forbidden, InvalidInput
from service.models import Question, ReviewStatus
from tests.helpers import make_cast


def test_review_is_due_72_hours_after_the_failure(services):
    cast = make_cast(services)
    assert cast.review.due_at - cast.review.failed_at == timedelta(hours=72)
    assert cast.review.status == ReviewStatus.SCHEDULED
    assert [p.person_id for p in cast.review.participants] == [cast.facilitator.id, cast.alice.id, cast.bob.id]


def test_a_failure_in_the_future_is_refused(services):
    cast = make_cast(services)
    with pytest.raises(InvalidInput, match="future"):
        services.reviews.create(
            team_id=cast.team.id,
            title="x",
            what_failed="",
            failed_at=datetime.now(UTC) + timedelta(days=1),
            facilitator_id=cast.facilitator.id,
            participant_ids=[],
            actor=cast.facilitator,
        )


def test_questions_advance_in_order_only_when_every_failure_is_answered(services):
    cast = make_cast(services)
    review = cast.review
    with pytest.raises(Conflict, match="at least one failure"):
        services.reviews.advance_question(review, actor=cast.facilitator)
    first = services.failures.create(review, title="Config pushed to all regions", actor=cast.alice)
    second = services.failures.create(review, title="Alert went to an empty channel", actor=cast.alice)
    services.failures.write_answer(first, question=1, text="Roll out region by region.", actor=cast.alice)
    with pytest.raises(Conflict, match="Alert went to an empty channel"):
        services.reviews.advance_question(review, actor=cast.facilitator)
    services.failures.write_answer(second, question=1, text="Page the on-call within 5 minutes.", actor=cast.bob)
    services.reviews.advance_question(review, actor=cast.facilitator)
    assert review.current_question == Question.ACTUAL
    assert review.status == ReviewStatus.IN_PROGRESS and review.held_at is not None


def test_answers_cannot_run_ahead_of_the_current_question(services):
    cast = make_cast(services)
    failure = services.failures.create(cast.review, title="Config push", actor=cast.alice)
    with pytest.raises(Conflict, match="question 3 comes later"):
        services.failures.write_answer(failure, question=3, text="The gap", actor=cast.alice)


def test_going_back_is_allowed_and_keeps_answers(services):
    cast = make_cast(services)
    failure = services.failures.create(cast.review, title="Config push", actor=cast.alice)
    services.failures.write_answer(failure, question=1, text="Intended: staged rollout.", actor=cast.alice)
    services.reviews.advance_question(cast.review, actor=cast.facilitator)
    services.failures.write_answer(failure, question=2, text="Pushed to all 4 regions at once.", actor=cast.alice)
    services.reviews.go_back_to(cast.review, question=1, actor=cast.facilitator)
    assert cast.review.current_question == 1
    assert {a.question for a in failure.answers} == {1, 2}
    with pytest.raises(Conflict, match="advance"):
        services.reviews.go_back_to(cast.review, question=2, actor=cast.facilitator)


def test_only_the_facilitator_moves_the_questions(services):
    cast = make_cast(services)
    with pytest.raises(Forbidden, match="facilitator"):
        services.reviews.advance_question(cast.review, actor=cast.alice)


def test_people_outside_the_review_cannot_change_it(services):
    cast = make_cast(services)
    with pytest.raises(Forbidden, match="taking part"):
        services.failures.create(cast.review, title="Config push", actor=cast.outsider)


def test_close_lists_everything_still_missing_then_succeeds(services):
    cast = make_cast(services)
    failure = services.failures.create(cast.review, title="Config push", actor=cast.alice)
    with pytest.raises(Conflict) as missing:
        services.reviews.close(cast.review, actor=cast.facilitator)
    assert "no category" in missing.value.detail and "no learning" in missing.value.detail
    for q in (1, 2, 3):
        services.failures.write_answer(failure, question=q, text=f"Answer {q}.", actor=cast.alice)
        services.reviews.advance_question(cast.review, actor=cast.facilitator)
    services.failures.set_category(failure, category="avoidable", rationale="No staged rollout step.", actor=cast.bob)
    services.learnings.add(
        failure,
        text="Add a canary step to the deploy checklist.",
        owner_id=cast.alice.id,
        due_on=None,
        actor=cast.facilitator,
    )
    services.reviews.close(cast.review, actor=cast.facilitator)
    assert cast.review.status == ReviewStatus.CLOSED
    with pytest.raises(Conflict, match="closed"):
        services.failures.write_answer(failure, question=1, text="late edit", actor=cast.alice)


def test_list_puts_the_most_urgent_open_review_first(services):
    cast = make_cast(services, hours_ago=10)
    older = services.reviews.create(
        team_id=cast.team.id,
        title="Older failure",
        what_failed="",
        failed_at=datetime.now(UTC) - timedelta(hours=80),
        facilitator_id=cast.facilitator.id,
        participant_ids=[],
        actor=cast.facilitator,
    )
    assert [r.id for r in services.reviews.list_reviews()] == [older.id, cast.review.id]
    assert [r.id for r in services.reviews.list_reviews(person_id=cast.alice.id)] == [cast.review.id]


def test_splitting_a_failure_moves_the_chosen_answers_to_the_second(services):
    cast = make_cast(services)
    first = services.failures.create(cast.review, title="Drive signed 11 of 40", actor=cast.alice)
    services.failures.write_answer(first, question=1, text="Sign 40 members by June 30.", actor=cast.alice)
    services.reviews.advance_question(cast.review, actor=cast.facilitator)
    services.failures.write_answer(first, question=2, text="Voice notes brought 3 sign-ups.", actor=cast.alice)
    second = services.failures.split(first, title="Voice-note outreach trial", move_questions=[2], actor=cast.bob)
    assert [a.question for a in first.answers] == [1]
    assert [(a.question, a.text) for a in second.answers] == [(2, "Voice notes brought 3 sign-ups.")]
    assert second.position == 2 and second.review_id == cast.review.id
    with pytest.raises(Forbidden):
        services.failures.split(first, title="x", move_questions=[], actor=cast.outsider)
