"""Drafting through the API on the extractive path (no model configured to answer in time), and blame flags."""

import pytest

from tests.helpers import ok


@pytest.fixture
def call_in_progress(settings, client, auth, admin):
    team = ok(client.post("/api/teams", headers=admin, json={"name": "Membership"}), 201)
    rosa = ok(client.post("/api/people", headers=admin, json={"name": "Rosa Delgado"}), 201)
    joy = ok(client.post("/api/people", headers=admin, json={"name": "Joy Santos"}), 201)
    for person in (rosa, joy):
        ok(client.post(f"/api/teams/{team['id']}/members", headers=admin, json={"person_id": person["id"]}), 201)
    review = ok(
        client.post(
            "/api/reviews",
            headers=auth(rosa["id"]),
            json={
                "team_id": team["id"],
                "title": "Spring drive",
                "failed_at": "2026-11-23T18:00:00Z",
                "facilitator_id": rosa["id"],
                "participant_ids": [joy["id"]],
            },
        ),
        201,
    )
    rid = review["review"]["id"]
    ok(
        client.post(
            f"/api/reviews/{rid}/segments",
            headers=auth(rosa["id"]),
            json={
                "segments": [
                    {"speaker": "Rosa Delgado", "text": "First question: what did we intend to happen?"},
                    {"speaker": "Joy Santos", "text": "We intended to sign 40 new members by June 30."},
                    {
                        "speaker": "Joy Santos",
                        "text": "If the board had done its job we would have had the summary in time.",
                    },
                ]
            },
        ),
        201,
    )
    failure = ok(
        client.post(
            f"/api/reviews/{rid}/failures", headers=auth(rosa["id"]), json={"title": "Signup window too short"}
        ),
        201,
    )
    return rid, failure["id"], rosa["id"], joy["id"]


def test_a_generated_draft_cites_the_transcript_and_waits_for_a_person(client, auth, call_in_progress, settings):
    rid, fid, _, joy = call_in_progress
    client.app.state.model_endpoint.answer_budget_s = 0.0  # no model time: the extractive path, deterministic
    draft = ok(client.post(f"/api/failures/{fid}/drafts/generate", headers=auth(joy), json={"question": 1}), 201)
    assert draft["grounding"] == "extractive" and draft["decision"] is None
    assert "40" in draft["text"] and draft["citations"]
    assert ok(client.get(f"/api/reviews/{rid}", headers=auth(joy)))["failures"][0]["answers"] == []
    ahead = client.post(f"/api/failures/{fid}/drafts/generate", headers=auth(joy), json={"question": 3})
    assert ahead.status_code == 409


def test_blame_flags_are_for_the_facilitator_only(client, auth, call_in_progress):
    rid, _, rosa, joy = call_in_progress
    flags = ok(client.get(f"/api/reviews/{rid}/blame-flags", headers=auth(rosa)))
    assert len(flags) == 1 and "board" in flags[0]["target"] and flags[0]["rewording"]
    assert client.get(f"/api/reviews/{rid}/blame-flags", headers=auth(joy)).status_code == 403


def test_a_model_endpoint_that_is_down_gives_a_retryable_503_and_stores_nothing(settings, call_in_progress, auth):
    from litestar.testing import TestClient

    from service.app import create_app

    rid, fid, _, joy = call_in_progress
    down = settings.model_copy(
        update={
            "llm": settings.llm.model_copy(
                update={"base_url": "http://127.0.0.1:9/v1", "model": "anything", "timeout_s": 2.0}
            )
        }
    )
    with TestClient(app=create_app(down)) as client:
        response = client.post(f"/api/failures/{fid}/drafts/generate", headers=auth(joy), json={"question": 1})
        assert response.status_code == 503, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.headers["retry-after"]
        assert ok(client.get(f"/api/reviews/{rid}/drafts", headers=auth(joy))) == []
        assert len(ok(client.get(f"/api/reviews/{rid}/segments", headers=auth(joy)))) == 3  # the review is unharmed
