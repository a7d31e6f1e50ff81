"""The process's live transcription passes, shared by every speaker's stream.

One pass at a time, in the order streams asked (asyncio.Lock is FIFO): passes running side by
side share the cores and all finish late. While more than one stream is open, a pass encodes only
the audio it heard instead of Whisper's full 30 s window (`WhisperTranscriber.with_short_window`,
about 3 times cheaper). 10-minute benchmark (evals/transcription/live.py), 3 speakers at once on
2 cores: word delay p50 5.24 -> 1.51 s, p95 10.58 -> 4.39 s, live WER 0.296 -> 0.33 (the "before"
run predates the forced-cut fix 60bed62). A speaker alone gets a window of its own
(`whisper.live_alone_window_s`, by default at least 15 s: pass p50 0.41 s against 0.74 s for the full
window in the live replay of dev call d09). A muted
stream does not count: the room's Mute button sends exact zeros (keeping the stream's clock in step with the
call), and a pass over them finds no speech (Silero VAD) and decodes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from transcription.types import AudioArray, Segment, Transcriber


@dataclass(slots=True)
class OpenStream:
    sounding: bool = True
    """Its latest audio held sound; False while it sends exact zeros (muted)."""


class LivePasses:
    """The pass slot and the transcriber each pass should use, for every stream of the process."""

    def __init__(self, transcriber: Transcriber, *, crowded: Transcriber | None = None) -> None:
        """`crowded` transcribes while several streams are open (default: `transcriber` always)."""
        self.turn = asyncio.Lock()  # held for the length of one stream's pass
        self._alone = transcriber
        self._crowded = crowded or transcriber
        self._open: list[OpenStream] = []

    @property
    def open_streams(self) -> int:
        return len(self._open)

    @property
    def sounding_streams(self) -> int:
        return sum(stream.sounding for stream in self._open)

    @property
    def transcriber(self) -> Transcriber:
        """The streams' `Transcriber`: each pass goes to the one that suits the load at that moment."""
        return _Chosen(self)

    @contextlib.contextmanager
    def open(self) -> Iterator[OpenStream]:
        """Count a stream as open while it lasts; the stream says through the handle when it is muted."""
        stream = OpenStream()
        self._open.append(stream)
        try:
            yield stream
        finally:
            self._open.remove(stream)

    def chosen(self) -> Transcriber:
        return self._crowded if self.sounding_streams > 1 else self._alone


class _Chosen:
    def __init__(self, passes: LivePasses) -> None:
        self._passes = passes

    @property
    def model_name(self) -> str:
        return self._passes.chosen().model_name

    def transcribe(self, audio: AudioArray, *, offset_s: float = 0.0, prompt: str | None = None) -> list[Segment]:
        return self._passes.chosen().transcribe(audio, offset_s=offset_s, prompt=prompt)
