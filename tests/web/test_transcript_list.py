"""The room's transcript list (room/_transcript.html), re-read every 3 s, in a real browser: an
unchanged list is revalidated by the browser's cache and answered 304; a new segment still shows."""

import re
import time
from pathlib import Path

import pytest

from service.db.engine import make_engine, make_session_factory
from service.domain.services import provide_services
from service.domain.transcripts.service import NewSegment
from tests.web.test_live_and_upload import _review, _sign_in

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("backend", ["sqlite"])]


def _say(settings, review_id: int, text: str, start_s: float) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(settings)
    with provide_services(make_session_factory(engine), settings) as services:
        review = services.reviews.get(review_id)
        services.transcripts.add(
            review, [NewSegment(speaker="Joy Santos", text=text, start_s=start_s, end_s=start_s + 2)], actor=None
        )
    engine.dispose()


def test_an_unchanged_transcript_is_a_304_and_a_new_segment_still_appears(server, browser, settings, backend):
    review_id = _review(settings)
    _say(settings, review_id, "We signed eleven members.", 1.0)
    page = _sign_in(browser.new_context(), server, "rosa@example.org")
    page.goto(f"{server}/reviews/{review_id}")
    transcript = page.locator("#transcript")
    assert "We signed eleven members." in transcript.inner_text()

    time.sleep(10)  # three of the list's 3 s re-reads, with nothing new
    log = Path(settings.data_dir) / f"serve-{server.rsplit(':', 1)[1]}.log"
    reads = re.findall(rf'"GET /reviews/{review_id}/transcript HTTP/1.1" (\d+)', log.read_text())
    # The first re-read has nothing in the browser's cache (the page carried the list); then 304s.
    assert len(reads) >= 3 and set(reads[1:]) == {"304"}, reads

    _say(settings, review_id, "We intended forty.", 4.0)
    page.wait_for_function(
        "document.getElementById('transcript').innerText.includes('We intended forty.')", timeout=10_000
    )
    assert transcript.inner_text().index("eleven") < transcript.inner_text().index("forty")
    assert re.findall(rf'"GET /reviews/{review_id}/transcript HTTP/1.1" 200', log.read_text())
