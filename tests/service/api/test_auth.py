"""service/api/auth.py: one database session per request, shared by authentication and the handler."""

from __future__ import annotations

import time

import pytest
from litestar.testing import TestClient
from sqlalchemy import event, select

from service.app import create_app
from service.db.engine import make_engine, make_session_factory
from service.models import ApiToken
from tests.helpers import create_person, ok
from tests.service.api.conftest import sign_in


def _review(client, admin) -> tuple[int, dict[str, str]]:
    """A team with its admin as facilitator, a review, and that admin's fresh API token headers."""
    team = ok(client.post("/api/teams", json={"name": "Payments"}, headers=admin), 201)
    me = ok(client.get("/api/session/me", headers=admin))
    client.post(f"/api/teams/{team['id']}/members", json={"person_id": me["id"]}, headers=admin)
    review = ok(
        client.post(
            "/api/reviews/",
            json={"team_id": team["id"], "title": "Outage", "failed_at": "2026-11-24T08:00:00Z",
                  "facilitator_id": me["id"]},
            headers=admin,
        ),
        201,
    )  # fmt: skip
    token = ok(client.post("/api/tokens", json={"name": "script"}, headers=admin), 201)
    return review["review"]["id"], {"Authorization": f"Bearer {token['token']}"}


def test_a_revoked_token_is_refused_on_its_next_request_by_every_process(client, settings, admin):
    review_id, headers = _review(client, admin)
    with TestClient(app=create_app(settings)) as other_process:
        assert other_process.get(f"/api/reviews/{review_id}", headers=headers).status_code == 200
        token_id = next(t for t in _tokens(settings) if t.name == "script").id
        assert client.delete(f"/api/tokens/{token_id}", headers=headers).status_code == 204
        # Nothing is cached: the revoking process and any other refuse it at once.
        for app in (client, other_process):
            refused = app.get(f"/api/reviews/{review_id}", headers=headers)
            assert refused.status_code == 401 and "unknown or revoked" in refused.json()["detail"]


def test_a_read_uses_one_database_connection_for_authentication_and_handler(client, settings, admin):
    review_id, headers = _review(client, admin)
    client.get(f"/api/reviews/{review_id}", headers=headers)  # the token's first use is recorded once
    engine = client.app.state.engine
    checkouts: list[object] = []

    def count(*args: object) -> None:
        checkouts.append(args)

    event.listen(engine, "checkout", count)
    try:  # the room's read itself takes another path (service/api/room_read.py); its list of drafts does not
        assert client.get(f"/api/reviews/{review_id}/drafts", headers=headers).status_code == 200
    finally:
        event.remove(engine, "checkout", count)
    assert len(checkouts) == 1


def test_a_write_by_token_still_takes_its_own_write_transaction(client, settings, admin):
    review_id, headers = _review(client, admin)
    created = client.post(f"/api/reviews/{review_id}/failures", json={"title": "Config push"}, headers=headers)
    assert created.status_code == 201
    assert ok(client.get(f"/api/reviews/{review_id}", headers=headers))["failures"][0]["title"] == "Config push"


def test_a_read_on_postgresql_runs_without_a_transaction_and_a_write_keeps_one(client, settings, admin, backend):
    if backend != "postgresql":
        pytest.skip("SQLite keeps its read transaction: there BEGIN and COMMIT cost no round trip")
    review_id, headers = _review(client, admin)
    client.get(f"/api/reviews/{review_id}", headers=headers)
    _wait_for_token_use(settings)  # its bookkeeping is a write of its own, after the response
    engine = client.app.state.engine
    autocommit: dict[str, list[bool]] = {}

    def note(connection, _cursor, statement: str, *_args: object) -> None:
        verb = statement.split(None, 1)[0].upper()
        autocommit.setdefault(verb, []).append(connection.connection.dbapi_connection.autocommit)

    event.listen(engine, "before_cursor_execute", note)
    try:
        assert client.get(f"/api/reviews/{review_id}/drafts", headers=headers).status_code == 200
        read, autocommit = autocommit, {}
        created = client.post(f"/api/reviews/{review_id}/failures", json={"title": "Config push"}, headers=headers)
        assert created.status_code == 201
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert read.keys() == {"SELECT"} and all(read["SELECT"])  # no BEGIN sent, no COMMIT
    assert autocommit["INSERT"] and not any(flag for flags in autocommit.values() for flag in flags)


def test_a_tokens_use_is_recorded_after_the_response(client, settings, admin):
    review_id, headers = _review(client, admin)
    assert next(t for t in _tokens(settings) if t.name == "script").last_used_at is None
    assert client.get(f"/api/reviews/{review_id}", headers=headers).status_code == 200
    _wait_for_token_use(settings)


def test_a_signed_in_browser_reads_through_the_same_path(client, settings, admin):
    review_id, headers = _review(client, admin)
    create_person(settings, "Bea", email="bea@example.org", password="a long passphrase")
    sign_in(client, "bea@example.org", "a long passphrase")
    assert ok(client.get("/api/session/me"))["name"] == "Bea"
    assert client.get(f"/api/reviews/{review_id}").status_code == 404  # Bea is in no team
    assert client.get(f"/api/reviews/{review_id}", headers=headers).status_code == 200  # the token wins


def _wait_for_token_use(settings) -> None:
    deadline = time.monotonic() + 10
    while next(t for t in _tokens(settings) if t.name == "script").last_used_at is None:
        assert time.monotonic() < deadline, "the token's use was never recorded"
        time.sleep(0.05)


def _tokens(settings) -> list[ApiToken]:
    engine = make_engine(settings)
    try:
        with make_session_factory(engine)() as session:
            return list(session.scalars(select(ApiToken)))
    finally:
        engine.dispose()
