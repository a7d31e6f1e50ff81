"""The room's transcript list (room/_transcript.html) in a real browser: while the events socket is
open, a new or changed segment's row is built from its event with no read, and is the row the
server renders; while the socket is down, the list is re-read every 3 s and an unchanged list is
revalidated by the browser's cache and answered 304."""

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

# Each row as the page holds it: what a reader sees and what the row's buttons carry.
ROWS = """(html) => {
  const holder = document.createElement("div");
  holder.innerHTML = html;
  return [...holder.querySelectorAll("li.segment")].map((li) => ({
    id: li.id, start: Number(li.dataset.start), text: li.innerText.replace(/\\s+/g, " ").trim(),
    button: li.querySelector("button") && {...li.querySelector("button").dataset,
                                           label: li.querySelector("button").getAttribute("aria-label")},
  }));
}"""


def _say(
    server: str, headers: dict[str, str], review_id: int, text: str, start_s: float, joy: int | None = None
) -> int:
    line = {"speaker": "Joy Santos", "text": text, "start_s": start_s, "end_s": start_s + 2, "person_id": joy}
    response = httpx.post(f"{server}/api/reviews/{review_id}/segments", json={"segments": [line]}, headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json()[0]["id"])


def _reads(log: Path, path: str) -> list[str]:
    return re.findall(rf'"GET {re.escape(path)}(?:/\d+)? HTTP/1.1" (\d+)', log.read_text())


def _texts(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.locator("#transcript li.segment .said").all_inner_texts()  # type: ignore[no-any-return]


def _person(settings, name: str) -> int:  # type: ignore[no-untyped-def]
    engine = make_engine(settings)
    with provide_services(make_session_factory(engine), settings) as services:
        person_id = next(p.id for p in services.people.list_people() if p.name == name)
    engine.dispose()
    return person_id


def test_rows_come_from_events_as_the_server_renders_them_and_an_unchanged_list_is_a_304(
    server, browser, settings, backend
):
    review_id = _review(settings)
    joy_id = _person(settings, "Joy Santos")
    joy = token_headers(settings, joy_id)
    log = Path(settings.data_dir) / f"serve-{server.rsplit(':', 1)[1]}.log"
    whole = f"/reviews/{review_id}/transcript"
    _say(server, joy, review_id, "We signed eleven members.", 70.0)
    pages = {email: _sign_in(browser.new_context(), server, email) for email in ("rosa@example.org", "joy@example.org")}
    for page in pages.values():
        page.goto(f"{server}/reviews/{review_id}")
        page.wait_for_function("window.debriefEventsLive === true")
        assert _texts(page) == ["We signed eleven members."]

    # Pushed: rows in order of start time, the list never read, not even one row of it.
    later = _say(server, joy, review_id, "The queue held <b>for an hour</b>.", 130.5, joy=joy_id)
    _say(server, joy, review_id, "We intended forty.", 5.0)
    corrected = httpx.patch(
        f"{server}/api/reviews/{review_id}/segments/{later}", json={"text": "The queue held for an hour."}, headers=joy
    )
    assert corrected.status_code == 200, corrected.text
    for page in pages.values():
        page.wait_for_function("document.body.innerText.includes('The queue held for an hour.')")
        assert _texts(page) == ["We intended forty.", "We signed eleven members.", "The queue held for an hour."]
    assert _reads(log, whole) == []

    # What each page built from the events is what the server renders for that viewer.
    for email, page in pages.items():
        built = page.evaluate(ROWS, page.locator("#transcript").inner_html())
        served = page.evaluate(ROWS, page.evaluate(f"fetch('{whole}').then((r) => r.text())"))
        assert built == served, email
        # The facilitator may strike any segment; Joy only her own (the third: said, then corrected).
        strikable = [row["button"]["strikable"] for row in built]
        assert strikable == (["1", "1", "1"] if email.startswith("rosa") else ["0", "0", "1"]), email

    # With the socket down (as after a network drop) the list is re-read every 3 s, and the browser's
    # cache (holding the list fetched just above) revalidates it: an unchanged list is a 304 each time.
    page = pages["rosa@example.org"]
    before = len(_reads(log, whole))
    page.evaluate("window.debriefEventsLive = false")
    time.sleep(10)
    reads = _reads(log, whole)[before:]
    assert len(reads) >= 3 and set(reads) == {"304"}, reads
    assert _texts(page) == ["We intended forty.", "We signed eleven members.", "The queue held for an hour."]
