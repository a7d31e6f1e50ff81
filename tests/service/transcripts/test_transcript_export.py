"""The transcript downloaded as text, SubRip and WebVTT: formats checked line by line, the download audited."""

from __future__ import annotations

from sqlalchemy import select

from service.db.engine import make_engine, make_session_factory, unit_of_work
from service.domain.transcripts.export import render
from service.models import AuditEvent, Segment
from tests.helpers import ok


def _segment(start_s: float, end_s: float, speaker: str, text: str, source: str = "live") -> Segment:
    return Segment(start_s=start_s, end_s=end_s, speaker=speaker, text=text, source=source)


SEGMENTS = [
    _segment(0, 0, "Bob Lindqvist", "Typed after the call.", source="typed"),
    _segment(4.25, 6.5, "Alice Okafor", "We signed 12 members."),
    _segment(3725.0, 3725.0, "Recording: call.m4a", "A <b>tag</b> & more"),
]


def test_text_keeps_every_line_with_its_time_or_typed():
    assert render(SEGMENTS, "txt") == (
        "[typed] Bob Lindqvist: Typed after the call.\n"
        "[00:00:04] Alice Okafor: We signed 12 members.\n"
        "[01:02:05] Recording: call.m4a: A <b>tag</b> & more\n"
    )


def test_subrip_numbers_timed_cues_and_gives_a_cue_with_no_length_half_a_second():
    assert render(SEGMENTS, "srt") == (
        "1\n00:00:04,250 --> 00:00:06,500\nAlice Okafor: We signed 12 members.\n\n"
        "2\n01:02:05,000 --> 01:02:05,500\nRecording: call.m4a: A <b>tag</b> & more\n"
    )


def test_webvtt_names_the_speaker_and_escapes_markup():
    assert render(SEGMENTS, "vtt") == (
        "WEBVTT\n\n"
        "00:00:04.250 --> 00:00:06.500\n<v Alice Okafor>We signed 12 members.\n\n"
        "01:02:05.000 --> 01:02:05.500\n<v Recording: call.m4a>A &lt;b&gt;tag&lt;/b&gt; &amp; more\n"
    )


def test_a_participant_downloads_the_transcript_and_the_download_is_audited(client, settings, cast_ids, auth):
    alice, rid = auth(cast_ids["alice"]), cast_ids["review"]
    said = {"speaker": "Alice Okafor", "text": "We signed 12.", "start_s": 4.0, "end_s": 5.0, "source": "live"}
    ok(client.post(f"/api/reviews/{rid}/segments", json={"segments": [said]}, headers=alice), 201)
    response = client.get(f"/api/reviews/{rid}/segments/export", params={"format": "srt"}, headers=alice)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/x-subrip")
    assert f'filename="review-{rid}-transcript.srt"' in response.headers["content-disposition"]
    assert response.text == "1\n00:00:04,000 --> 00:00:05,000\nAlice Okafor: We signed 12.\n"
    wrong = client.get(f"/api/reviews/{rid}/segments/export", params={"format": "docx"}, headers=alice)
    assert wrong.status_code == 400 and "txt, srt or vtt" in wrong.json()["detail"]
    outsider = client.get(f"/api/reviews/{rid}/segments/export", headers=auth(cast_ids["outsider"]))
    assert outsider.status_code == 404
    engine = make_engine(settings)
    with unit_of_work(make_session_factory(engine)) as session:
        exported = session.scalars(select(AuditEvent).where(AuditEvent.action == "transcript.exported")).all()
        assert [(e.actor_id, e.detail) for e in exported] == [(cast_ids["alice"], {"format": "srt"})]
    engine.dispose()
