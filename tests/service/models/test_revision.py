"""service/models/revision.py: every change the review room shows bumps its review's revision, on commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.sql.util import find_tables

from service.domain.reviews.detail import read_review_detail
from service.domain.services import Services, build_services
from service.domain.transcripts.service import NewSegment
from service.models import Category, DraftKind, LearningStatus, Review
from service.models.revision import WATCHED_TABLES
from tests.helpers import MODEL_CALL, make_cast


def _revision(services: Services, review_id: int) -> int:
    return services.session.scalar(
        select(Review.revision).where(Review.id == review_id).execution_options(populate_existing=True)
    )


def test_every_change_the_room_shows_bumps_the_revision_once_committed(services):
    cast = make_cast(services)
    other = services.reviews.create(
        team_id=cast.team.id,
        title="Another call",
        what_failed="",
        failed_at=cast.review.failed_at,
        facilitator_id=cast.facilitator.id,
        participant_ids=[],
        actor=cast.facilitator,
    )
    services.session.commit()
    review = cast.review
    state: dict[str, Any] = {}

    def segment() -> None:
        spoken = NewSegment(speaker="Alice Okafor", text="It went to all 4 regions.", start_s=0, end_s=4)
        state["segment"] = services.transcripts.add(review, [spoken], actor=cast.alice)[0]

    def failure() -> None:
        state["failure"] = services.failures.create(review, title="Config pushed everywhere", actor=cast.alice)
        state["spare"] = services.failures.create(review, title="Named by mistake", actor=cast.alice)

    def draft() -> None:
        state["draft"] = services.drafts.record(
            state["failure"],
            kind=DraftKind.ANSWER,
            question=1,
            call=MODEL_CALL,
            text=state["segment"].text,
            citations=[state["segment"].id],
        )

    def category() -> None:
        services.reviews.advance_question(review, actor=cast.facilitator)
        for which in ("failure", "spare"):
            services.failures.write_answer(state[which], question=3, text="Nothing enforced it.", actor=cast.bob)
        services.reviews.advance_question(review, actor=cast.facilitator)
        services.failures.set_category(
            state["failure"], category=Category.AVOIDABLE.value, rationale="A check", actor=cast.alice
        )

    def learning() -> None:
        state["learning"] = services.learnings.add(
            state["failure"], text="Stage config pushes.", owner_id=cast.bob.id, due_on=None, actor=cast.alice
        )

    def rename_person() -> None:
        cast.bob.name = "Bob L."

    changes: list[tuple[str, Callable[[], None]]] = [
        ("a transcript segment", segment),
        ("a failure", failure),
        ("a draft", draft),
        ("a decision on a draft", lambda: services.drafts.accept(state["draft"], actor=cast.bob)),
        (
            "a typed answer",
            lambda: services.failures.write_answer(state["spare"], question=1, text="It went.", actor=cast.bob),
        ),
        ("the review moving on", lambda: services.reviews.advance_question(review, actor=cast.facilitator)),
        (
            "an answer revised",
            lambda: services.failures.write_answer(state["spare"], question=1, text="It all went.", actor=cast.bob),
        ),
        (
            "answers to the next question",
            lambda: [
                services.failures.write_answer(state[which], question=2, text="It went.", actor=cast.bob)
                for which in ("failure", "spare")
            ],
        ),
        ("a category", category),
        ("a learning", learning),
        (
            "a learning's status",
            lambda: services.learnings.set_status(
                state["learning"], status=LearningStatus.DONE.value, note="shipped", actor=cast.bob
            ),
        ),
        (
            "a participant",
            lambda: services.reviews.add_participant(review, person_id=cast.outsider.id, actor=cast.facilitator),
        ),
        ("a participant's name", rename_person),
        ("a failure removed", lambda: services.failures.remove(state["spare"], actor=cast.facilitator)),
        ("a segment in a review already started", segment),
        (
            "a draft without a model call",
            lambda: state.update(
                extractive=services.drafts.record(
                    state["failure"],
                    kind=DraftKind.ANSWER,
                    question=2,
                    call=None,
                    extractive=True,
                    text=state["segment"].text,
                    citations=[state["segment"].id],
                )
            ),
        ),
        ("a draft rejected", lambda: services.drafts.reject(state["extractive"], actor=cast.bob, note="no")),
        ("a failure renamed", lambda: services.failures.rename(state["failure"], title="Pushed", actor=cast.alice)),
    ]
    for what, change in changes:
        before, other_before = _revision(services, review.id), _revision(services, other.id)
        change()
        services.session.flush()
        assert _revision(services, review.id) == before, f"{what}: bumped before the commit"
        services.session.commit()
        assert _revision(services, review.id) > before, f"{what} did not bump the revision"
        assert _revision(services, other.id) == other_before, f"{what} bumped another review"


def test_a_rolled_back_change_or_a_read_bumps_nothing(services):
    cast = make_cast(services)
    services.session.commit()
    before = _revision(services, cast.review.id)
    services.failures.create(cast.review, title="Named by mistake", actor=cast.alice)
    services.session.flush()
    services.session.rollback()
    read_review_detail(services.session, services.reviews, cast.review.id)
    services.session.commit()
    assert _revision(services, cast.review.id) == before


def test_a_change_kept_past_a_rolled_back_savepoint_still_bumps(services):
    cast = make_cast(services)
    services.session.commit()
    before = _revision(services, cast.review.id)
    services.failures.create(cast.review, title="Kept", actor=cast.alice)
    with services.session.begin_nested() as savepoint:
        services.failures.create(cast.review, title="Undone", actor=cast.alice)
        savepoint.rollback()
    services.session.commit()
    assert _revision(services, cast.review.id) > before


def test_the_rooms_read_queries_only_watched_tables(services):
    """A table the read starts to show must be watched too, or its changes would be served stale."""
    cast = make_cast(services)
    services.session.commit()
    read: set[str] = set()

    def note(_conn: object, clause: Any, *_args: object) -> None:
        for table in find_tables(clause, include_joins=True, include_aliases=True):
            read.add(getattr(table, "original", table).name)  # an alias names its table

    engine = services.session.get_bind()
    event.listen(engine, "before_execute", note)
    try:
        session = services.session
        session.expunge_all()
        reviews = build_services(session, services.settings, viewer=session.get(type(cast.bob), cast.bob.id)).reviews
        read_review_detail(session, reviews, cast.review.id)
    finally:
        event.remove(engine, "before_execute", note)
    # team_members decides who may see the review (checked on every read, never cached).
    assert read - {"team_members"} <= WATCHED_TABLES, read - WATCHED_TABLES
    assert {"segments", "answers", "learnings", "drafts", "draft_decisions"} <= read
