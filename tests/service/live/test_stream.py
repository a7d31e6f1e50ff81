"""How a participant's live stream is set up from the settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.db.engine import make_engine, make_session_factory
from service.domain.services import provide_services
from service.live.access import Speaker
from service.live.passes import LivePasses
from service.live.stream import LiveStream
from service.settings import Settings
from tests.helpers import make_cast
from tests.service.live.test_passes import NamedTranscriber
from transcription.live import LiveSegment
from transcription.types import Segment, Word


def _unstarted(settings: Settings) -> LiveStream:
    """A stream as the live socket sets it up, before run(): no socket, database or channels used yet."""
    return LiveStream(
        None,  # type: ignore[arg-type]
        Speaker(review_id=1, person_id=1, name="Ana", offset_s=0.0),
        settings=settings,
        session_factory=None,  # type: ignore[arg-type]
        channels=None,  # type: ignore[arg-type]
        passes=LivePasses(NamedTranscriber("full")),
    )


@pytest.mark.parametrize(("setting", "pause_s"), [(None, None), (0.0, None), (0.3, 0.3)])
def test_a_stream_commits_at_a_pause_only_when_the_setting_asks(tmp_path: Path, setting, pause_s) -> None:
    whisper = {} if setting is None else {"live_pause_commit_s": setting}
    assert _unstarted(Settings(data_dir=tmp_path, whisper=whisper)).session.pause_s == pause_s


def test_words_said_after_a_person_struck_the_growing_sentence_start_a_new_segment(settings) -> None:
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    with provide_services(factory, settings) as services:
        cast = make_cast(services)
        speaker = Speaker(review_id=cast.review.id, person_id=cast.alice.id, name="Alice Okafor", offset_s=0.0)
        review_id, alice_id, facilitator_id = cast.review.id, cast.alice.id, cast.facilitator.id
    stream = LiveStream(
        None,  # type: ignore[arg-type]  # the socket is not used by _store
        speaker, settings=settings, session_factory=factory, channels=None,  # type: ignore[arg-type]
        passes=LivePasses(NamedTranscriber("full")),
    )  # fmt: skip
    words = [Word(1.0 + i, 1.5 + i, text, 0.9) for i, text in enumerate(["I", "blamed", "Sam", "for", "it.", "Sorry"])]

    def sentence(n: int) -> tuple[LiveSegment, ...]:
        said = words[:n]
        return (
            LiveSegment(
                0, Segment(said[0].start, said[-1].end, " ".join(w.text for w in said), tuple(said), 0.9), False
            ),
        )

    [first] = stream._store(sentence(3))  # "I blamed Sam"
    with provide_services(factory, settings) as services:
        facilitator = services.people.get_person(facilitator_id)
        services.transcripts.remove(services.reviews.get(review_id), first["id"], actor=facilitator)
    [after] = stream._store(sentence(6))  # the stream goes on: only what followed the removal is stored
    assert after["id"] != first["id"] and after["text"] == "for it. Sorry"
    assert [w[2] for w in after["words"]] == ["for", "it.", "Sorry"] and after["person_id"] == alice_id
    [grown] = stream._store(sentence(6))  # and that new segment grows as usual
    assert grown["id"] == after["id"]
    with provide_services(factory, settings) as services:
        facilitator = services.people.get_person(facilitator_id)
        services.transcripts.remove(services.reviews.get(review_id), after["id"], actor=facilitator)
    complete = (LiveSegment(0, sentence(6)[0].segment, complete=True),)
    assert stream._store(complete) == []  # all of it struck, nothing new: nothing stored, the stream goes on
    engine.dispose()


@pytest.mark.parametrize(("setting", "earlier"), [(None, 2), (1, 1), (3, 3)])
def test_a_stream_agrees_with_as_many_earlier_passes_as_the_setting_says(tmp_path: Path, setting, earlier) -> None:
    whisper = {} if setting is None else {"live_earlier_passes": setting}
    assert _unstarted(Settings(data_dir=tmp_path, whisper=whisper)).session.earlier_passes == earlier
