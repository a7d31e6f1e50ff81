from datetime import UTC, date, datetime, timedelta

from service.domain.dashboard.service import build_dashboard
from service.models import Failure
from tests.helpers import make_cast


def _close_with_learning(services, cast, *, due_on):  # type: ignore[no-untyped-def]
    failure = services.failures.create(cast.review, title="Config pushed everywhere", actor=cast.alice)
    for q in (1, 2, 3):
        services.failures.write_answer(failure, question=q, text=f"Answer {q}.", actor=cast.alice)
        services.reviews.advance_question(cast.review, actor=cast.facilitator)
    services.failures.set_category(failure, category="avoidable", rationale="No canary.", actor=cast.bob)
    services.learnings.add(
        failure, text="Add a canary step.", owner_id=cast.alice.id, due_on=due_on, actor=cast.facilitator
    )
    services.reviews.close(cast.review, actor=cast.facilitator)
    return failure


def test_timeliness_owners_and_a_review_whose_learnings_were_never_carried_out(services):
    cast = make_cast(services, hours_ago=30)
    _close_with_learning(services, cast, due_on=date(2026, 1, 1))
    late = services.reviews.create(
        team_id=cast.team.id,
        title="Never held",
        what_failed="",
        failed_at=datetime.now(UTC) - timedelta(hours=100),
        facilitator_id=cast.facilitator.id,
        participant_ids=[],
        actor=cast.facilitator,
    )
    assert late.held_at is None
    board = build_dashboard(services.session, services.access, now=datetime.now(UTC))
    assert (board.overall.judged, board.overall.on_time) == (2, 1)  # one held on time, one overdue
    (owner,) = board.owners
    assert (owner.owner, owner.overdue, owner.open, owner.done) == ("Alice Okafor", 1, 0, 0)
    assert [w.review_id for w in board.warnings] == [cast.review.id]
    assert "none of its 1 learning(s) was carried out" in board.warnings[0].reason


def test_a_failure_recurring_after_a_learning_is_a_warning(services):
    cast = make_cast(services, hours_ago=30)
    older = _close_with_learning(services, cast, due_on=None)
    services.reviews.reopen(cast.review, actor=cast.facilitator)
    newer = services.failures.create(cast.review, title="Flag flipped for every tenant", actor=cast.alice)
    older.created_at = datetime.now(UTC) - timedelta(days=90)
    for learning in older.learnings:
        learning.created_at = datetime.now(UTC) - timedelta(days=89)
    link = services.similarity.propose(newer, similar=older, score=0.8, reason="both: a change applied everywhere")
    services.similarity.decide(link, confirm=True, note="same cause", actor=cast.bob)
    board = build_dashboard(services.session, services.access, now=datetime.now(UTC))
    assert any("repeats 'Config pushed everywhere'" in w.reason for w in board.warnings)
    assert isinstance(older, Failure)


def test_blame_flags_per_review_are_counted_for_the_facilitator(services):
    from service.domain.access import Access
    from service.domain.transcripts.service import NewSegment

    cast = make_cast(services, hours_ago=30)
    services.transcripts.add(
        cast.review,
        [
            NewSegment(
                speaker="Bob Lindqvist",
                text="If marketing had done their job we would have hit it.",
                start_s=0,
                end_s=3,
            ),
            NewSegment(
                speaker="Alice Okafor", text="It's nobody's fault; the rollout had no canary.", start_s=3, end_s=6
            ),
        ],
        actor=cast.alice,
    )
    board = build_dashboard(services.session, Access(services.session, cast.facilitator), now=datetime.now(UTC))
    assert [(b.review_id, b.flags) for b in board.blame] == [(cast.review.id, 1)]
    others = build_dashboard(services.session, Access(services.session, cast.alice), now=datetime.now(UTC))
    assert others.blame == []  # flags are the facilitator's, privately
