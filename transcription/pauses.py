"""Where a live speaker paused: Silero VAD (bundled with faster-whisper) over the buffer.

The live session uses it to commit the words said before a pause without waiting for a second
pass to agree (see `OnlineSession`). It only ever says where speech stopped; it never adds words.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from transcription.types import SAMPLE_RATE, AudioArray

VAD_WINDOW = 512  # samples per Silero probability (32 ms)


class PauseDetector(Protocol):
    """Anything that finds the speaker's last pause in a stretch of 16 kHz mono audio."""

    def last_pause(self, audio: AudioArray, *, min_silence_s: float) -> float | None:
        """Return where the last silence of at least `min_silence_s` after speech starts.

        Seconds from the start of `audio`; the silence may run to the end of `audio`. None when
        no speech in `audio` is followed by that much silence.
        """
        ...


class SileroPauses:
    """`PauseDetector` on Silero VAD's speech probability per 32 ms window."""

    def __init__(self, *, threshold: float = 0.5) -> None:
        self._threshold = threshold

    def last_pause(self, audio: AudioArray, *, min_silence_s: float) -> float | None:
        if audio.size == 0:
            return None
        from faster_whisper.vad import get_vad_model  # loads onnxruntime: not at import time

        padded = np.pad(audio, (0, -audio.size % VAD_WINDOW))
        speech = np.asarray(get_vad_model()(padded)).reshape(-1) >= self._threshold
        # The padded last window is partly zeros: it is judged like any other (speech or not).
        windows = np.flatnonzero(speech)
        if windows.size == 0:
            return None
        audio_s = audio.size / SAMPLE_RATE
        ends = [*((windows[i] + 1) for i in np.flatnonzero(np.diff(windows) > 1)), windows[-1] + 1]
        starts = [*windows[1:][np.diff(windows) > 1], None]
        for end, following in zip(reversed(ends), reversed(starts), strict=True):
            silence_from = min(audio_s, int(end) * VAD_WINDOW / SAMPLE_RATE)
            silence_to = audio_s if following is None else int(following) * VAD_WINDOW / SAMPLE_RATE
            if silence_to - silence_from >= min_silence_s:
                return silence_from
        return None
