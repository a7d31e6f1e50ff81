"""service/domain/reviews/detail.py: the room's read path shows exactly what ReviewDetail.of shows."""

from __future__ import annotations

import msgspec

from service.domain.drafts.service import ModelCall
from service.domain.reviews.detail import read_review_detail
from service.domain.reviews.schemas import ReviewDetail
from service.domain.services import build_services
from service.domain.transcripts.service import NewSegment
from service.models import Category, DraftKind
from tests.helpers import make_cast

CALL = ModelCall(prompt_id="draft_answer", prompt_version="1", model="smollm2-135m", input_hash="0" * 64,
                 raw_output='{"text": "..."}')  # fmt: skip


def test_the_read_path_shows_what_the_objects_show(services):
    cast = make_cast(services)
    said = services.transcripts.add(
        cast.review,
        [
            NewSegment(speaker="Alice Okafor", text="We intended to roll out to one region first.", start_s=0, end_s=4),
            NewSegment(speaker="Bob Lindqvist", text="It went to all 4 regions at 14:02.", start_s=4, end_s=9),
        ],
        actor=cast.alice,
    )
    first = services.failures.create(cast.review, title="Config pushed everywhere", actor=cast.alice)
    second = services.failures.create(cast.review, title="Alert came late", actor=cast.alice)
    # An accepted draft with its model call, an edited one, a rejected one, typed answers, one undecided.
    accepted = services.drafts.record(
        first, kind=DraftKind.ANSWER, question=1, call=CALL, text=said[0].text, citations=[said[0].id]
    )
    services.drafts.accept(accepted, actor=cast.bob)
    rejected = services.drafts.record(second, kind=DraftKind.ANSWER, question=1, call=CALL, text="No.", citations=[])
    services.drafts.reject(rejected, actor=cast.facilitator, note="not what was said")
    services.drafts.record(second, kind=DraftKind.ANSWER, question=1, call=CALL, text="Late.", citations=[])
    services.failures.write_answer(second, question=1, text="We intended to page within 5 minutes.", actor=cast.bob)
    services.reviews.advance_question(cast.review, actor=cast.facilitator)
    edited = services.drafts.record(
        first, kind=DraftKind.ANSWER, question=2, call=None, extractive=True, text=said[1].text, citations=[said[1].id]
    )
    services.drafts.edit(edited, text="It went to all four regions at 14:02.", actor=cast.alice)
    services.failures.write_answer(second, question=2, text="The page came after 20 minutes.", actor=cast.bob)
    services.reviews.advance_question(cast.review, actor=cast.facilitator)
    for failure in (first, second):
        services.failures.write_answer(failure, question=3, text="Nothing enforced the plan.", actor=cast.bob)
    services.reviews.advance_question(cast.review, actor=cast.facilitator)
    services.failures.set_category(first, category=Category.AVOIDABLE.value, rationale="A check", actor=cast.alice)
    services.learnings.add(
        first, text="Stage config pushes region by region.", owner_id=cast.bob.id, due_on=None, actor=cast.alice
    )
    services.session.flush()

    # Each side on a fresh session, as two requests would see it.
    session = services.session
    session.expunge_all()
    fast = read_review_detail(session, build_services(session, services.settings, system=True).reviews, cast.review.id)
    session.expunge_all()
    review = build_services(session, services.settings, system=True).reviews.get(cast.review.id)
    slow = ReviewDetail.of(session, review)
    fast_json, slow_json = (
        msgspec.json.decode(msgspec.json.encode(fast)),
        msgspec.json.decode(msgspec.json.encode(slow)),
    )
    assert fast_json["review"].pop("timeliness")["state"] == slow_json["review"].pop("timeliness")["state"]
    assert fast_json == slow_json
    assert [len(f["answers"]) for f in fast_json["failures"]] == [4, 3]  # the category is answer 4
    assert [len(f["drafts"]) for f in fast_json["failures"]] == [2, 2]
    assert fast_json["failures"][0]["answers"][0]["provenance"]["draft"]["llm_call"]["model"] == "smollm2-135m"
    assert fast_json["failures"][0]["learnings"][0]["owner"] == cast.bob.name
