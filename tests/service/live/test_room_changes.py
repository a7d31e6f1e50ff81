"""Drafts made or decided by one participant reach everyone in the review, after the commit only."""

from __future__ import annotations

from service.live.room_changes import announce_room_changes
from service.models import DraftKind
from tests.helpers import make_cast, ok

ORIGIN = {"origin": "http://testserver.local"}


def _draft(client, auth, person_id: int, failure_id: int, segment_id: int, text: str) -> dict:
    body = {"question": 1, "text": text, "citations": [segment_id], "extractive": True}
    return ok(client.post(f"/api/failures/{failure_id}/drafts", headers=auth(person_id), json=body), 201)


def test_a_new_draft_and_the_decision_on_it_reach_the_other_readers(client, cast_ids, auth):
    rid, alice, bob = cast_ids["review"], cast_ids["alice"], cast_ids["bob"]
    line = {"speaker": "Alice", "text": "We intended to sign fifty members.", "start_s": 0.0, "end_s": 2.0}
    segment = ok(client.post(f"/api/reviews/{rid}/segments", headers=auth(alice), json={"segments": [line]}), 201)[0]
    failure = ok(client.post(f"/api/reviews/{rid}/failures", headers=auth(alice), json={"title": "Drive"}), 201)

    with client.websocket_connect(f"/api/reviews/{rid}/events", headers={**auth(bob), **ORIGIN}) as reader:
        assert reader.receive_json(timeout=10)["type"] == "subscribed"
        draft = _draft(client, auth, alice, failure["id"], segment["id"], "We intended to sign fifty members.")
        ok(client.post(f"/api/drafts/{draft['id']}/reject", headers=auth(alice), json={"note": "too vague"}), 201)
        events = [reader.receive_json(timeout=10) for _ in range(2)]

    expected = {"type": "draft", "draft_id": draft["id"], "failure_id": failure["id"]}
    assert events == [{**expected, "status": "new"}, {**expected, "status": "rejected"}]


def test_a_draft_rolled_back_is_never_announced_and_a_committed_one_is_announced_once(services):
    cast = make_cast(services)
    failure = services.failures.create(cast.review, title="Drive", actor=cast.alice)
    services.session.commit()
    published: list[tuple[int, dict]] = []
    announce_room_changes(services.session, lambda review_id, event: published.append((review_id, event)))

    services.drafts.record(
        failure, kind=DraftKind.ANSWER, text="We signed twelve.", citations=[], call=None, question=1, extractive=True
    )
    services.session.flush()
    services.session.rollback()
    assert published == []

    failure = services.failures.get(failure.id)
    kept = services.drafts.record(
        failure, kind=DraftKind.ANSWER, text="We signed 12.", citations=[], call=None, question=1, extractive=True
    )
    services.session.commit()
    assert published == [
        (cast.review.id, {"type": "draft", "draft_id": kept.id, "failure_id": failure.id, "status": "new"})
    ]
