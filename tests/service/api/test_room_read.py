"""service/api/room_read.py: the room's read checks credentials and access itself, in one statement."""

from __future__ import annotations

from sqlalchemy import event, update

from service.db.engine import make_engine, make_session_factory
from service.db.types import utcnow
from service.domain.services import provide_services
from service.models import Person
from tests.helpers import create_person, make_cast, ok, token_headers
from tests.service.api.conftest import sign_in


def _room(settings) -> dict[str, int]:  # type: ignore[no-untyped-def]
    engine = make_engine(settings)
    with provide_services(make_session_factory(engine), settings) as services:
        cast = make_cast(services)
        ids = {"review": cast.review.id, "alice": cast.alice.id}
    engine.dispose()
    return ids


def test_a_read_from_the_cache_asks_the_database_one_statement(client, settings):
    room = _room(settings)
    alice = token_headers(settings, room["alice"])
    url = f"/api/reviews/{room['review']}"
    ok(client.get(url, headers=alice))  # builds the room; records the token's first use
    engines = [client.app.state.engine]
    if client.app.state.room_read_engine is not None:
        engines.append(client.app.state.room_read_engine.sync_engine)
    statements: list[str] = []

    def note(_connection, _cursor, statement: str, *_args: object) -> None:
        if statement.split(None, 1)[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            statements.append(statement)

    for engine in engines:
        event.listen(engine, "before_cursor_execute", note)
    try:
        assert client.get(url, headers=alice).status_code == 200
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", note)
    assert len(statements) == 1, statements


def test_a_browser_is_refused_once_signed_out_or_disabled(client, settings):
    room = _room(settings)
    url = f"/api/reviews/{room['review']}"
    refused = client.get(url)
    assert refused.status_code == 401 and "Sign in first" in refused.json()["detail"]
    bea = create_person(settings, "Bea", email="bea@example.org", password="a long passphrase")
    sign_in(client, "bea@example.org", "a long passphrase")
    assert client.get(url).status_code == 404  # signed in, but Bea is in no team
    engine = make_engine(settings)
    with engine.begin() as connection:
        connection.execute(update(Person).where(Person.id == bea).values(disabled_at=utcnow()))
    engine.dispose()
    disabled = client.get(url)
    assert disabled.status_code == 401 and "no longer active" in disabled.json()["detail"]
