"""service/api/sessions.py: sign-in sessions are stored only for requests that have one."""

from __future__ import annotations

from tests.helpers import create_person, ok
from tests.service.api.conftest import sign_in


def _stored_sessions(settings) -> list[str]:
    folder = settings.data_dir / "sessions"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_token_requests_store_no_session_and_set_no_cookie(client, settings, admin):
    for _ in range(3):
        response = client.get("/api/session/me", headers=admin)
        assert response.status_code == 200 and "set-cookie" not in response.headers
    assert _stored_sessions(settings) == []
    assert "debrief_session" not in client.cookies


def test_a_browser_session_is_stored_and_left_alone_by_token_requests(client, settings, admin):
    create_person(settings, "Bea", email="bea@example.org", password="a long passphrase")
    sign_in(client, "bea@example.org", "a long passphrase")
    stored = _stored_sessions(settings)
    assert len(stored) == 1
    before = (settings.data_dir / "sessions" / stored[0]).read_bytes()
    # The same browser running a script with a token: the token decides, the session is untouched.
    assert ok(client.get("/api/session/me", headers=admin))["name"] == "Ada Admin"
    assert _stored_sessions(settings) == stored
    assert (settings.data_dir / "sessions" / stored[0]).read_bytes() == before
    assert ok(client.get("/api/session/me"))["name"] == "Bea"


def test_an_anonymous_request_stores_no_session(client, settings):
    assert client.get("/health").status_code == 200
    assert client.get("/api/reviews/1").status_code == 401
    assert _stored_sessions(settings) == []
