"""The room's transcript list (room/_transcript.html) in a real browser: while the events socket is
open, a new segment is fetched alone and put in place; while it is down, the list is re-read every
3 s, and an unchanged list is revalidated by the browser's cache and answered 304."""

import re
import time
from pathlib import Path

import httpx
import pytest

from service.db.engine import make_engine, make_session_factory
from service.domain.services import provide_services
from tests.helpers import token_headers
from tests.web.test_live_and_upload import _review, _sign_in

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("backend", ["sqlite"])]


def _say(server: str, headers: dict[str, str], review_id: int, text: str, start_s: float) -> int:
    line = {"speaker": "Joy Santos", "text": text, "start_s": start_s, "end_s": start_s + 2}
    response = httpx.post(f"{server}/api/reviews/{review_id}/segments", json={"segments": [line]}, headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json()[0]["id"])


def _reads(log: Path, path: str) -> list[str]:
    return re.findall(rf'"GET {re.escape(path)} HTTP/1.1" (\d+)', log.read_text())


def _texts(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.locator("#transcript li.segment .said").all_inner_texts()  # type: ignore[no-any-return]


def test_segments_arrive_one_row_at_a_time_and_an_unchanged_list_is_a_304(server, browser, settings, backend):
    review_id = _review(settings)
    joy = token_headers(settings, _person(settings, "Joy Santos"))
    log = Path(settings.data_dir) / f"serve-{server.rsplit(':', 1)[1]}.log"
    whole = f"/reviews/{review_id}/transcript"
    _say(server, joy, review_id, "We signed eleven members.", 10.0)
    page = _sign_in(browser.new_context(), server, "rosa@example.org")
    page.goto(f"{server}/reviews/{review_id}")
    page.wait_for_function("window.debriefEventsLive === true")
    assert _texts(page) == ["We signed eleven members."]

    # Pushed: each segment's row alone, in order of start time, the list never read whole.
    later = _say(server, joy, review_id, "The queue held.", 20.0)
    earlier = _say(server, joy, review_id, "We intended forty.", 5.0)
    page.wait_for_function("document.querySelectorAll('#transcript li.segment').length === 3")
    assert _texts(page) == ["We intended forty.", "We signed eleven members.", "The queue held."]
    assert _reads(log, f"{whole}/{later}") == ["200"] and _reads(log, f"{whole}/{earlier}") == ["200"]
    assert _reads(log, whole) == []

    # With the socket down (as after a network drop) the list is re-read every 3 s: the first time
    # from the server, then 304s from the browser's cache revalidating an unchanged list.
    page.evaluate("window.debriefEventsLive = false")
    time.sleep(10)
    reads = _reads(log, whole)
    assert len(reads) >= 3 and reads[0] == "200" and set(reads[1:]) == {"304"}, reads
    assert _texts(page) == ["We intended forty.", "We signed eleven members.", "The queue held."]


def _person(settings, name: str) -> int:  # type: ignore[no-untyped-def]
    engine = make_engine(settings)
    with provide_services(make_session_factory(engine), settings) as services:
        person_id = next(p.id for p in services.people.list_people() if p.name == name)
    engine.dispose()
    return person_id
