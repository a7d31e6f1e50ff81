import pytest

from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.models import LearningKind
from tests.helpers import make_cast


@pytest.fixture
def categorised(services):
    cast = make_cast(services)
    failure = services.failures.create(cast.review, title="Config push", actor=cast.alice)
    cast.review.current_question = 4
    services.failures.set_category(failure, category="inherent", rationale="Vendor API has no staging.", actor=cast.bob)
    return cast, failure


@pytest.mark.parametrize("owner", [None, [], "team"])
def test_a_learning_without_exactly_one_person_as_owner_is_refused(services, categorised, owner):
    cast, failure = categorised
    with pytest.raises(InvalidInput, match="exactly one owner"):
        services.learnings.add(
            failure, text="Name the constraint in the roadmap.", owner_id=owner, due_on=None, actor=cast.alice
        )
    assert failure.learnings == []


def test_two_owners_are_refused(services, categorised):
    cast, failure = categorised
    with pytest.raises(InvalidInput, match="exactly one owner"):
        services.learnings.add(
            failure, text="Name it.", owner_id=[cast.alice.id, cast.bob.id], due_on=None, actor=cast.alice
        )


def test_the_owner_must_be_a_known_person_in_the_call_or_team(services, categorised):
    cast, failure = categorised
    with pytest.raises(NotFound):
        services.learnings.add(failure, text="Name it.", owner_id=424242, due_on=None, actor=cast.alice)
    with pytest.raises(Conflict, match="neither in this review nor in its team"):
        services.learnings.add(failure, text="Name it.", owner_id=cast.outsider.id, due_on=None, actor=cast.alice)


def test_the_kind_follows_the_category_and_changes_with_it(services, categorised):
    cast, failure = categorised
    learning = services.learnings.add(
        failure, text="Put 'vendor has no staging' on the roadmap.", owner_id=cast.bob.id, due_on=None, actor=cast.alice
    )
    assert learning.kind == LearningKind.NAMED_CONSTRAINT
    services.failures.set_category(
        failure, category="avoidable", rationale="We never asked the vendor.", actor=cast.facilitator
    )
    assert learning.kind == LearningKind.PROCESS_CHANGE


def test_a_learning_needs_a_category_first(services):
    cast = make_cast(services)
    failure = services.failures.create(cast.review, title="Config push", actor=cast.alice)
    with pytest.raises(Conflict, match="category first"):
        services.learnings.add(failure, text="x", owner_id=cast.alice.id, due_on=None, actor=cast.alice)


def test_dropping_a_learning_needs_a_reason_and_only_owner_or_facilitator_may(services, categorised):
    cast, failure = categorised
    learning = services.learnings.add(failure, text="Name it.", owner_id=cast.bob.id, due_on=None, actor=cast.alice)
    with pytest.raises(Forbidden, match="owner or the review's facilitator"):
        services.learnings.set_status(learning, status="done", note="", actor=cast.alice)
    with pytest.raises(InvalidInput, match="why"):
        services.learnings.set_status(learning, status="dropped", note=" ", actor=cast.bob)
    services.learnings.set_status(learning, status="done", note="On the Q1 roadmap.", actor=cast.bob)
    assert learning.status == "done" and learning.closed_at is not None
