"""PostgreSQL dropping connections mid-request: a clear, retryable 503, nothing half-written, and the
next request reconnects by itself (pool_pre_ping)."""

import pytest
from sqlalchemy import create_engine, event, func, select, text

from service.db.engine import make_engine, make_session_factory
from service.models import Participant, Review
from tests.helpers import ok

pytestmark = pytest.mark.parametrize("backend", ["postgresql"])


def _terminate(url: str, pids: set[int]) -> None:
    """What a PostgreSQL restart does to a client: its server processes end under it.

    Only the app's own backends are terminated, never others: CI and other test runs share this server.
    """
    admin = create_engine(url)
    with admin.connect() as connection:
        for pid in pids:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        connection.commit()
    admin.dispose()


def test_connections_dropped_mid_request_give_503_and_no_partial_review(backend, settings, client, admin, auth):
    team = ok(client.post("/api/teams", headers=admin, json={"name": "Ops"}), 201)
    fran = ok(client.post("/api/people", headers=admin, json={"name": "Fran"}), 201)
    ok(client.post(f"/api/teams/{team['id']}/members", headers=admin, json={"person_id": fran["id"]}), 201)
    fran_headers = auth(fran["id"])
    app_engine = client.app.state.engine
    url = settings.database_url
    app_pids: set[int] = set()

    def remember(dbapi_connection, record, proxy):  # type: ignore[no-untyped-def]
        app_pids.add(dbapi_connection.info.backend_pid)

    def drop_everything(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        # The review row is already written in this transaction; the connection dies before the participants.
        if statement.lstrip().upper().startswith("INSERT INTO PARTICIPANTS"):
            _terminate(url, app_pids | {conn.connection.dbapi_connection.info.backend_pid})

    event.listen(app_engine.pool, "checkout", remember)
    event.listen(app_engine, "before_cursor_execute", drop_everything)
    try:
        response = client.post(
            "/api/reviews",
            headers=fran_headers,
            json={
                "team_id": team["id"],
                "title": "Outage",
                "failed_at": "2026-11-24T08:00:00Z",
                "facilitator_id": fran["id"],
            },
        )
    finally:
        event.remove(app_engine, "before_cursor_execute", drop_everything)
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "nothing was saved" in response.json()["detail"] and response.headers["retry-after"]

    engine = make_engine(settings)
    with make_session_factory(engine)() as session:
        assert session.scalar(select(func.count(Review.id))) == 0
        assert session.scalar(select(func.count(Participant.id))) == 0
    engine.dispose()

    # The pool notices its dead connections (pre-ping) and the retried request simply works.
    _terminate(url, app_pids)
    created = ok(
        client.post(
            "/api/reviews",
            headers=fran_headers,
            json={
                "team_id": team["id"],
                "title": "Outage",
                "failed_at": "2026-11-24T08:00:00Z",
                "facilitator_id": fran["id"],
            },
        ),
        201,
    )
    assert created["review"]["title"] == "Outage"
