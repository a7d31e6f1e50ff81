"""service/api/rows.py: one builder takes a loaded object or a row of its columns alike."""

from __future__ import annotations

from sqlalchemy import select

from service.api.rows import Columns, Related
from service.domain.drafts.schemas import CALL_COLUMNS, DECISION_COLUMNS, DRAFT_COLUMNS, DraftOut
from service.domain.reviews.schemas import ReviewSummary
from service.models import Draft, DraftDecision, DraftKind, LLMCall, Review
from tests.helpers import MODEL_CALL, make_cast


def test_the_fields_named_like_a_column_are_copied_and_keywords_win():
    columns = Columns(ReviewSummary, Review)
    # current_question is a column (a number) and a field (a QuestionOut): ReviewSummary.of passes it.
    assert columns.copied == ("id", "team_id", "title", "status", "failed_at", "due_at", "held_at", "current_question")
    assert [c.key for c in Columns(ReviewSummary, Review, extra=("what_failed",)).select()][-1] == "what_failed"


def test_a_row_of_the_columns_builds_what_the_object_builds(services):
    cast = make_cast(services)
    failure = services.failures.create(cast.review, title="Config pushed everywhere", actor=cast.alice)
    undecided = services.drafts.record(
        failure, kind=DraftKind.ANSWER, question=1, call=None, extractive=True, text="It went out.", citations=[]
    )
    accepted = services.drafts.record(
        failure, kind=DraftKind.ANSWER, question=1, call=MODEL_CALL, text="One region first.", citations=[]
    )
    services.drafts.accept(accepted, actor=cast.bob)
    services.session.flush()
    rows = services.session.execute(
        select(
            *DRAFT_COLUMNS.select(),
            Related("llm_call", *CALL_COLUMNS.select()),
            Related("decision", *DECISION_COLUMNS.select()),
        )
        .outerjoin(LLMCall, LLMCall.id == Draft.llm_call_id)
        .outerjoin(DraftDecision, DraftDecision.draft_id == Draft.id)
        .order_by(Draft.id)
    ).all()
    # An outer join that found nothing reads as None, as the relationship does; a found row by name.
    assert rows[0].llm_call is None and rows[0].decision is None
    assert rows[1].llm_call.model == accepted.llm_call.model and rows[1].decision.decided_by == cast.bob.id
    assert [DraftOut.of(row) for row in rows] == [DraftOut.of(undecided), DraftOut.of(accepted)]
