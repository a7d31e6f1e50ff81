"""The review room's cached read across real processes: a change made through one app process is in
the very next read on another (PostgreSQL, Redis for events, two `debrief serve` processes), however
warm the reading process's cache is. Nothing waits: the read after the write's response must show it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from benchmarks.cluster import Cluster
from service.db.engine import make_engine, make_session_factory
from service.domain.services import provide_services
from service.settings import Settings
from tests.helpers import make_cast, token_headers

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("backend", ["postgresql"])]


@pytest.fixture
def apps(settings: Settings, redis_url: str) -> Iterator[tuple[str, str]]:
    cluster = Cluster.configure(
        settings.data_dir, database_url=settings.database.url, queue_url=redis_url, events_url=redis_url
    )
    cluster.start_chroma()
    try:
        yield cluster.start_app("app-a"), cluster.start_app("app-b")
    finally:
        cluster.stop()


@pytest.fixture
def room(settings: Settings) -> dict[str, Any]:
    engine = make_engine(settings)
    with provide_services(make_session_factory(engine), settings) as services:
        cast = make_cast(services)
        ids = {"review": cast.review.id, "alice": cast.alice.id, "bob": cast.bob.id}
    engine.dispose()
    return ids | {
        "alice_headers": token_headers(settings, ids["alice"]),
        "bob_headers": token_headers(settings, ids["bob"]),
    }


def test_a_change_through_one_process_is_in_the_next_read_on_the_other(apps: tuple[str, str], room: dict[str, Any]):
    a, b = apps
    url = f"/api/reviews/{room['review']}"
    reader, writer = room["bob_headers"], room["alice_headers"]
    with httpx.Client(base_url=a, timeout=10) as on_a, httpx.Client(base_url=b, timeout=10) as on_b:
        first = on_a.get(url, headers=reader)
        assert first.status_code == 200, first.text
        etag = first.headers["etag"]
        assert on_a.get(url, headers=reader | {"If-None-Match": etag}).status_code == 304  # A's cache is warm
        for n in range(5):
            title = f"Failure {n} named on B"
            line = {"speaker": "Alice Okafor", "text": f"Line {n}.", "start_s": float(n), "end_s": n + 0.5}
            assert on_b.post(f"{url}/failures", json={"title": title}, headers=writer).status_code == 201
            assert on_b.post(f"{url}/segments", json={"segments": [line]}, headers=writer).status_code == 201
            seen = on_a.get(url, headers=reader | {"If-None-Match": etag})
            assert seen.status_code == 200, f"round {n}: A answered {seen.status_code} to a stale ETag"
            body = seen.json()
            assert (
                body["failures"][-1]["title"] == title
                and body["segment_count"] == first.json()["segment_count"] + n + 1
            )
            etag = seen.headers["etag"]
            # B built its own copy: the same bytes, so the same ETag, in either process.
            assert on_b.get(url, headers=reader | {"If-None-Match": etag}).status_code == 304
