"""The live path with a real (fake-device) microphone stream, and an upload with its progress bars.

Chromium plays a synthesised review call into the page's microphone
(--use-file-for-fake-audio-capture); a second browser context, signed in as another participant,
waits for the spoken words to appear in its transcript.
"""

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from service.db.engine import make_engine, make_session_factory
from service.domain.services import provide_services
from service.models import Role, Segment
from tests.helpers import create_person
from tests.web.conftest import free_port, launch_chromium, shot, start_server

PASSWORD = "a long passphrase"
SPOKEN = "We intended to sign forty new members by the end of June. We signed eleven members."

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("backend", ["sqlite"])]


@pytest.fixture
def speech_wav(tmp_path):
    espeak = shutil.which("espeak-ng")
    assert espeak, "espeak-ng is missing: `make test` installs it"
    raw = tmp_path / "raw.wav"
    subprocess.run([espeak, "-v", "en-us", "-s", "150", "-w", str(raw), SPOKEN], check=True)
    wav = tmp_path / "speech.wav"
    # A second of silence after the speech lets the streaming policy commit the last sentence.
    subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(wav), "pad", "0.5", "3"], check=True)
    return wav


def _review(settings) -> int:  # type: ignore[no-untyped-def]
    ids = {
        n: create_person(settings, n, email=f"{n.split()[0].lower()}@example.org", password=PASSWORD)
        for n in ("Rosa Delgado", "Joy Santos")
    }
    engine = make_engine(settings)
    with provide_services(make_session_factory(engine), settings) as services:
        team = services.people.create_team(name="Membership")
        for pid in ids.values():
            services.people.add_member(team_id=team.id, person_id=pid, role=Role.FACILITATOR)
        from datetime import UTC, datetime, timedelta

        review = services.reviews.create(
            team_id=team.id,
            title="Spring drive",
            what_failed="",
            failed_at=datetime.now(UTC) - timedelta(hours=20),
            facilitator_id=ids["Rosa Delgado"],
            participant_ids=[ids["Joy Santos"]],
            actor=services.people.get_person(ids["Rosa Delgado"]),
        )
        review_id = review.id
    engine.dispose()
    return review_id


def _sign_in(context, server: str, email: str):  # type: ignore[no-untyped-def]
    page = context.new_page()
    page.goto(server + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(server + "/")
    return page


def _with_microphone(playwright, chromium_path: str, wav):  # type: ignore[no-untyped-def]
    """Chromium whose microphone plays ``wav`` (in a loop)."""
    fake_microphone = ("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream")
    return launch_chromium(playwright, chromium_path, *fake_microphone, f"--use-file-for-fake-audio-capture={wav}")


def test_speech_into_one_browsers_microphone_appears_in_another_browsers_transcript(
    server, settings, backend, chromium_path, speech_wav
):
    from playwright.sync_api import sync_playwright

    review_id = _review(settings)
    with sync_playwright() as playwright:
        browser = _with_microphone(playwright, chromium_path, speech_wav)
        speaker = _sign_in(browser.new_context(), server, "rosa@example.org")
        reader = _sign_in(browser.new_context(), server, "joy@example.org")
        reader.goto(f"{server}/reviews/{review_id}")
        speaker.goto(f"{server}/reviews/{review_id}")
        speaker.get_by_role("button", name="Join with microphone").click()
        speaker.get_by_text("You are live").wait_for(timeout=60_000)
        assert speaker.locator("#level").evaluate("m => m.value") >= 0
        reader.locator(".transcript .said", has_text="members").first.wait_for(timeout=120_000)
        text = reader.locator(".transcript").inner_text().lower()
        assert "rosa delgado" in text and "sign" in text
        shot(reader, "room-live-transcript")
        speaker.get_by_role("button", name="Leave (stop the microphone)").click()
        browser.close()


# Records the loudest sample of every audio message the page sends over a WebSocket.
AUDIO_SPY = """
window.sentPeaks = [];
const send = WebSocket.prototype.send;
WebSocket.prototype.send = function (data) {
  const peak = (samples) => samples.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  if (data instanceof ArrayBuffer) window.sentPeaks.push(peak(new Int16Array(data)));
  return send.call(this, data);
};
"""


def test_muting_sends_silence_in_step_with_the_call_and_unmuting_sends_the_microphone_again(
    server, settings, backend, chromium_path, speech_wav
):
    from playwright.sync_api import sync_playwright

    review_id = _review(settings)
    with sync_playwright() as playwright:
        browser = _with_microphone(playwright, chromium_path, speech_wav)
        page = _sign_in(browser.new_context(), server, "rosa@example.org")
        page.add_init_script(AUDIO_SPY)
        page.goto(f"{server}/reviews/{review_id}")
        assert page.locator("#mute").is_hidden()  # nothing to mute before joining
        page.get_by_role("button", name="Join with microphone").click()
        page.get_by_text("You are live").wait_for(timeout=60_000)
        page.wait_for_function("window.sentPeaks.some((peak) => peak > 0)", timeout=30_000)

        page.get_by_role("button", name="Mute").click()
        page.get_by_text("Muted: nothing you say leaves this browser.").wait_for()
        assert page.locator("#mute").get_attribute("aria-pressed") == "true"
        muted_at = page.evaluate("window.sentPeaks.length")
        # 3 s more of messages, every one of them silence: the speech file loops on, unheard.
        page.wait_for_function(f"window.sentPeaks.length >= {muted_at + 30}", timeout=30_000)
        assert set(page.evaluate(f"window.sentPeaks.slice({muted_at})")) == {0}
        assert page.locator("#level").evaluate("m => m.value") == 0
        shot(page, "room-muted")

        page.get_by_role("button", name="Unmute").click()
        page.get_by_text("You are live").wait_for()
        unmuted_at = page.evaluate("window.sentPeaks.length")
        page.wait_for_function(f"window.sentPeaks.slice({unmuted_at}).some((peak) => peak > 0)", timeout=30_000)
        page.get_by_role("button", name="Leave (stop the microphone)").click()
        assert page.locator("#mute").is_hidden()
        browser.close()


def _stored_segments(settings, review_id: int) -> int:  # type: ignore[no-untyped-def]
    engine = make_engine(settings)
    try:
        with make_session_factory(engine)() as session:
            return session.query(Segment).filter_by(review_id=review_id).count()
    finally:
        engine.dispose()


def test_the_microphone_reconnects_by_itself_when_its_server_restarts(settings, backend, chromium_path, speech_wav):
    from playwright.sync_api import sync_playwright

    review_id = _review(settings)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(settings, port)
    try:
        with sync_playwright() as playwright:
            browser = _with_microphone(playwright, chromium_path, speech_wav)
            page = _sign_in(browser.new_context(), base, "rosa@example.org")
            page.goto(f"{base}/reviews/{review_id}")
            page.get_by_role("button", name="Join with microphone").click()
            page.get_by_text("You are live").wait_for(timeout=60_000)

            server.terminate()  # a restart, as a deploy does it, in the middle of the call
            server.wait(timeout=30)
            page.get_by_text("Connection lost; reconnecting").wait_for(timeout=30_000)
            before = _stored_segments(settings, review_id)
            server = start_server(settings, port)
            page.get_by_text("You are live").wait_for(timeout=90_000)
            # Nobody clicked anything: the speech (the file loops) goes on being transcribed.
            deadline = time.monotonic() + 120
            while _stored_segments(settings, review_id) <= before and time.monotonic() < deadline:
                time.sleep(1)
            assert _stored_segments(settings, review_id) > before
            assert page.get_by_role("button", name="Leave (stop the microphone)").is_visible()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_an_uploaded_recording_shows_progress_fills_the_transcript_and_can_be_removed(
    server, browser, settings, backend, speech_wav
):
    review_id = _review(settings)
    page = _sign_in(browser.new_context(), server, "rosa@example.org")
    page.goto(f"{server}/reviews/{review_id}")
    page.locator("#upload input[type=file]").set_input_files(str(speech_wav))
    page.get_by_text("Transcribed:").wait_for(timeout=120_000)
    assert page.locator("#upload-progress").evaluate("p => p.value") == 1
    assert page.locator("#transcribe-progress").evaluate("p => p.value") == 1
    page.locator(".transcript .said", has_text="members").first.wait_for(timeout=30_000)
    page.locator("#recordings", has_text="transcribed").wait_for(timeout=30_000)
    assert "uploaded by Rosa Delgado" in page.locator("#recordings").inner_text()
    shot(page, "room-upload-done")

    # Speaker separation found one voice; the group says who it is, once for all its segments.
    assert "Speaker 1" in page.locator("#recordings").inner_text()
    assert page.locator(".transcript .who").first.inner_text() == "Speaker 1 (speech.wav)"
    naming = page.locator("#recordings .name-speaker")
    naming.locator("select").select_option(label="Joy Santos")
    shot(page, "room-name-speaker")
    naming.get_by_role("button", name="Name").click()
    page.locator("#recordings .speaker-label", has_text="Joy Santos").wait_for(timeout=10_000)
    page.locator(".transcript .who", has_text="Joy Santos").first.wait_for(timeout=10_000)
    assert "Speaker 1" not in page.locator(".transcript").inner_text()

    # Whisper misheard a number: a person corrects the segment in place.
    first = page.locator(".transcript li.segment").first
    first.get_by_role("button", name="Correct").click()
    dialog = page.locator("#correct-dialog")
    assert "members" in dialog.locator("textarea").input_value()
    dialog.locator("textarea").fill("We intended to sign forty new members by the end of June.")
    shot(page, "room-correct-segment")
    dialog.get_by_role("button", name="Save correction").click()
    page.locator(".transcript li.segment", has_text="forty new members").locator(".corrected").wait_for(timeout=10_000)
    assert dialog.is_hidden()
    with page.expect_download() as download:
        page.get_by_role("link", name="SRT").click()
    captions = Path(download.value.path()).read_text()
    assert download.value.suggested_filename == f"review-{review_id}-transcript.srt"
    assert captions.startswith("1\n00:00:0")  # the corrected text, under the speaker's given name
    assert "\nJoy Santos: We intended to sign forty new members by the end of June.\n" in captions

    # Off the record: the facilitator strikes the segment (its words are not kept anywhere).
    page.once("dialog", lambda confirm: confirm.accept())
    page.locator(".transcript li.segment").first.get_by_role("button", name="Correct").click()
    dialog.get_by_role("button", name="Remove it from the transcript").click()
    page.get_by_text("Nothing said yet").wait_for(timeout=10_000)

    # A wrong file: its uploader removes it, transcript and all, after saying yes to the question.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#recordings").get_by_role("button", name="Remove").click()
    page.locator("#recordings").wait_for(state="detached")
