"""service/domain/reviews/room_reads.py: the room's read is built once per change, never served stale,
and access is checked on every read."""

from __future__ import annotations

from litestar.testing import TestClient
from sqlalchemy import delete

from service.app import create_app
from service.db.engine import make_engine, make_session_factory, unit_of_work
from service.domain.reviews.room_reads import not_modified
from service.domain.services import provide_services
from service.models import ApiToken, Role, TeamMember
from tests.helpers import make_cast, ok, token_headers

LINE = {"speaker": "Alice Okafor", "text": "It went to all four regions.", "start_s": 1.0, "end_s": 2.0}


def _room(settings) -> dict[str, int]:  # type: ignore[no-untyped-def]
    engine = make_engine(settings)
    with provide_services(make_session_factory(engine), settings) as services:
        cast = make_cast(services)
        reader = services.people.create_person(name="Rita Reader")
        services.people.add_member(team_id=cast.team.id, person_id=reader.id, role=Role.READER)
        ids = {"review": cast.review.id, "team": cast.team.id, "alice": cast.alice.id, "reader": reader.id}
    engine.dispose()
    return ids


def test_a_repeated_read_is_a_304_until_the_review_changes(client, settings):
    room = _room(settings)
    alice = token_headers(settings, room["alice"])
    url = f"/api/reviews/{room['review']}"
    first = client.get(url, headers=alice)
    etag = first.headers["etag"]
    assert first.status_code == 200 and first.headers["cache-control"] == "private, no-cache"

    again = client.get(url, headers=alice | {"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get(url, headers=alice | {"If-None-Match": f'W/{etag}, "other"'}).status_code == 304

    ok(client.post(f"{url}/segments", json={"segments": [LINE]}, headers=alice), 201)
    changed = client.get(url, headers=alice | {"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert changed.json()["segment_count"] == first.json()["segment_count"] + 1


def test_what_one_process_built_is_what_a_fresh_process_builds(client, settings):
    room = _room(settings)
    alice = token_headers(settings, room["alice"])
    url = f"/api/reviews/{room['review']}"
    ok(client.post(f"{url}/failures", json={"title": "Config pushed everywhere"}, headers=alice), 201)
    client.get(url, headers=alice)
    cached = client.get(url, headers=alice)
    with TestClient(app=create_app(settings)) as fresh:
        built = fresh.get(url, headers=alice)
    assert cached.content == built.content and cached.headers["etag"] == built.headers["etag"]


def test_a_change_through_another_process_is_seen_by_the_next_read(client, settings):
    room = _room(settings)
    alice = token_headers(settings, room["alice"])
    url = f"/api/reviews/{room['review']}"
    before = ok(client.get(url, headers=alice))
    with TestClient(app=create_app(settings)) as other_process:
        ok(other_process.post(f"{url}/failures", json={"title": "Alert came late"}, headers=alice), 201)
        ok(other_process.post(f"{url}/segments", json={"segments": [LINE]}, headers=alice), 201)
    after = ok(client.get(url, headers=alice))
    assert [f["title"] for f in after["failures"]] == [*[f["title"] for f in before["failures"]], "Alert came late"]
    assert after["segment_count"] == before["segment_count"] + 1


def test_access_is_checked_on_every_read_however_warm_the_cache(client, settings):
    room = _room(settings)
    reader = token_headers(settings, room["reader"])
    url = f"/api/reviews/{room['review']}"
    etag = client.get(url, headers=reader).headers["etag"]
    assert client.get(url, headers=reader | {"If-None-Match": etag}).status_code == 304

    engine = make_engine(settings)
    with unit_of_work(make_session_factory(engine)) as session:
        session.execute(delete(TeamMember).where(TeamMember.person_id == room["reader"]))
    for headers in (reader, reader | {"If-None-Match": etag}):
        assert client.get(url, headers=headers).status_code == 404

    alice = token_headers(settings, room["alice"])
    assert client.get(url, headers=alice).status_code == 200
    with unit_of_work(make_session_factory(engine)) as session:
        session.execute(delete(ApiToken).where(ApiToken.person_id == room["alice"]))
    engine.dispose()
    assert client.get(url, headers=alice | {"If-None-Match": etag}).status_code == 401


def test_if_none_match_is_compared_weakly_and_star_matches_anything():
    assert not_modified('"a"', '"a"') and not_modified('W/"a"', '"a"') and not_modified('"b", "a"', '"a"')
    assert not_modified("*", '"a"')
    assert not not_modified(None, '"a"') and not not_modified('"b"', '"a"') and not not_modified("", '"a"')
