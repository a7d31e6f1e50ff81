"""Which transcriber a live pass uses: the full window alone, the short one while streams overlap."""

from __future__ import annotations

import numpy as np

from service.live.passes import LivePasses
from transcription.types import AudioArray, Segment


class NamedTranscriber:
    """A `Transcriber` that hears one word: its own name, so a test sees which one ran."""

    def __init__(self, name: str) -> None:
        self.model_name = name

    def transcribe(self, audio: AudioArray, *, offset_s: float = 0.0, prompt: str | None = None) -> list[Segment]:
        return [Segment(offset_s, offset_s + 0.5, self.model_name, (), 1.0)]


def heard(passes: LivePasses) -> str:
    return passes.transcriber.transcribe(np.zeros(1600, np.float32))[0].text


def test_a_stream_alone_uses_the_full_window_and_overlapping_streams_the_short_one() -> None:
    passes = LivePasses(NamedTranscriber("full"), crowded=NamedTranscriber("short"))
    with passes.open():
        assert heard(passes) == "full"
        with passes.open():
            assert heard(passes) == "short"
            assert passes.transcriber.model_name == "short"
        assert heard(passes) == "full"  # the other speaker left
    assert passes.open_streams == 0


def test_without_a_crowded_transcriber_every_pass_uses_the_one_given() -> None:
    passes = LivePasses(NamedTranscriber("full"))
    with passes.open(), passes.open():
        assert heard(passes) == "full"


def test_a_muted_stream_leaves_the_speaker_the_full_window() -> None:
    passes = LivePasses(NamedTranscriber("full"), crowded=NamedTranscriber("short"))
    with passes.open(), passes.open() as muted:
        assert heard(passes) == "short"
        muted.sounding = False  # its browser sends exact zeros
        assert heard(passes) == "full"
        assert (passes.open_streams, passes.sounding_streams) == (2, 1)
        muted.sounding = True  # unmuted
        assert heard(passes) == "short"
