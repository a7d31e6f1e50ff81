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


def test_sign_in_starts_a_new_session_id_so_a_planted_one_is_useless(client, settings):
    create_person(settings, "Bea", email="bea@example.org", password="a long passphrase")
    planted = "f" * 64  # an id an attacker put in the victim's browser before she signed in
    client.cookies.set("debrief_session", planted, domain="testserver.local")
    sign_in(client, "bea@example.org", "a long passphrase")
    issued = client.cookies.get("debrief_session")
    assert issued and issued != planted
    assert len(_stored_sessions(settings)) == 1  # Bea's, under the issued id only
    assert ok(client.get("/api/session/me"))["name"] == "Bea"
    client.cookies.set(
        "debrief_session", planted, domain="testserver.local"
    )  # the attacker's browser, holding the planted id
    assert client.get("/api/session/me").status_code == 401


def test_signing_in_again_drops_the_previous_session_id(client, settings):
    create_person(settings, "Bea", email="bea@example.org", password="a long passphrase")
    sign_in(client, "bea@example.org", "a long passphrase")
    first = client.cookies.get("debrief_session")
    sign_in(client, "bea@example.org", "a long passphrase")
    second = client.cookies.get("debrief_session")
    assert first and second and first != second
    assert len(_stored_sessions(settings)) == 1  # the first was deleted, not left behind
    client.cookies.set("debrief_session", first, domain="testserver.local")
    assert client.get("/api/session/me").status_code == 401
