"""Bad input gets a problem detail that says what to fix, and leaves nothing half-written."""

import pytest
from sqlalchemy import func, select

from service.db.engine import make_engine, make_session_factory
from service.models import Failure, Review
from tests.helpers import ok


@pytest.fixture
def seeded(client, auth, admin):
    team = ok(client.post("/api/teams", headers=admin, json={"name": "Ops"}), 201)
    fran = ok(client.post("/api/people", headers=admin, json={"name": "Fran"}), 201)
    ok(
        client.post(
            f"/api/teams/{team['id']}/members", headers=admin, json={"person_id": fran["id"], "role": "facilitator"}
        ),
        201,
    )
    review = ok(
        client.post(
            "/api/reviews",
            headers=auth(fran["id"]),
            json={
                "team_id": team["id"],
                "title": "Outage",
                "failed_at": "2026-11-24T08:00:00Z",
                "facilitator_id": fran["id"],
            },
        ),
        201,
    )
    client.headers.update(auth(fran["id"]))  # reads below are Fran's unless a test says otherwise
    return team, fran, review["review"]["id"]


def _is_problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["detail"]
    return body


def test_unknown_review_is_a_404_problem(client, auth, admin):
    body = _is_problem(client.get("/api/reviews/9999", headers=admin), 404)
    assert body["detail"] == "No review with id 9999."


def test_acting_without_signing_in_is_refused(client, auth, admin, seeded):
    _, _, rid = seeded
    del client.headers["authorization"]
    body = _is_problem(client.post(f"/api/reviews/{rid}/failures", json={"title": "x"}), 401)
    assert "Sign in" in body["detail"]
    body = _is_problem(
        client.post(f"/api/reviews/{rid}/failures", headers={"Authorization": "Bearer forged"}, json={"title": "x"}),
        401,
    )
    assert "unknown or revoked" in body["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {"title": "Outage"},  # missing team, facilitator, failed_at
        {"team_id": "one", "title": "Outage", "failed_at": "2026-11-24T08:00:00Z", "facilitator_id": 1},
        {"team_id": 1, "title": "Outage", "failed_at": "yesterday", "facilitator_id": 1},
    ],
)
def test_malformed_review_bodies_are_400_problems(client, auth, admin, seeded, body):
    _, fran, _ = seeded
    _is_problem(client.post("/api/reviews", headers=auth(fran["id"]), json=body), 400)


def test_a_naive_failure_time_is_refused_with_the_format_to_use(client, auth, admin, seeded):
    team, fran, _ = seeded
    body = _is_problem(
        client.post(
            "/api/reviews",
            headers=auth(fran["id"]),
            json={
                "team_id": team["id"],
                "title": "x",
                "failed_at": "2026-11-24T08:00:00",
                "facilitator_id": fran["id"],
            },
        ),
        400,
    )
    assert "timezone" in body["detail"]


def test_not_json_at_all_is_a_400_problem(client, auth, admin, seeded):
    _, fran, rid = seeded
    response = client.post(
        f"/api/reviews/{rid}/failures",
        headers={**auth(fran["id"]), "content-type": "application/json"},
        content=b"{not json",
    )
    _is_problem(response, 400)


def test_advancing_out_of_order_is_a_409_that_says_why(client, auth, admin, seeded):
    _, fran, rid = seeded
    body = _is_problem(client.post(f"/api/reviews/{rid}/advance", headers=auth(fran["id"])), 409)
    assert "Name at least one failure" in body["detail"]


def test_a_failed_request_writes_nothing(client, auth, admin, seeded, settings):
    """The review is created with its participants in one transaction: a bad participant undoes it all."""
    team, fran, _ = seeded
    _is_problem(
        client.post(
            "/api/reviews",
            headers=auth(fran["id"]),
            json={
                "team_id": team["id"],
                "title": "Second outage",
                "failed_at": "2026-11-24T09:00:00Z",
                "facilitator_id": fran["id"],
                "participant_ids": [fran["id"], 424242],
            },
        ),
        404,
    )
    engine = make_engine(settings)
    with make_session_factory(engine)() as session:
        assert session.scalar(select(func.count(Review.id))) == 1
        assert session.scalar(select(func.count(Failure.id))) == 0
    engine.dispose()


def test_export_rejects_an_unknown_format(client, auth, admin, seeded):
    _, _, rid = seeded
    _is_problem(client.get(f"/api/reviews/{rid}/export", params={"format": "pdf"}), 400)


def test_the_openapi_document_lists_the_api(client):
    schema = ok(client.get("/api/schema/openapi.json"))
    paths = schema["paths"]
    for path in (
        "/api/reviews",
        "/api/drafts/{draft_id}/accept",
        "/api/failures/{failure_id}/learnings",
        "/api/reviews/{review_id}/export",
    ):
        assert path in paths, sorted(paths)


def test_editing_the_failure_time_moves_the_due_time(client, auth, admin, seeded):
    _, fran, rid = seeded
    detail = ok(
        client.patch(
            f"/api/reviews/{rid}",
            headers=auth(fran["id"]),
            json={"failed_at": "2026-11-24T10:00:00Z", "title": "Checkout outage"},
        )
    )
    assert detail["review"]["title"] == "Checkout outage"
    assert detail["review"]["due_at"].startswith("2026-11-27T10:00:00")


def test_a_failure_named_by_mistake_can_be_removed_until_it_has_learnings(client, auth, admin, seeded):
    _, fran, rid = seeded
    failure = ok(client.post(f"/api/reviews/{rid}/failures", headers=auth(fran["id"]), json={"title": "Oops"}), 201)
    draft = ok(
        client.post(
            f"/api/failures/{failure['id']}/drafts",
            headers=auth(fran["id"]),
            json={"question": 1, "text": "A draft.", "citations": [], "extractive": True},
        ),
        201,
    )
    assert [d["id"] for d in ok(client.get(f"/api/reviews/{rid}/drafts", params={"undecided": True}))] == [draft["id"]]
    assert client.delete(f"/api/failures/{failure['id']}", headers=auth(fran["id"])).status_code == 204
    assert ok(client.get(f"/api/reviews/{rid}"))["failures"] == []
    assert ok(client.get(f"/api/reviews/{rid}/drafts")) == []
