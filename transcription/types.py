"""Plain result types and the `Transcriber` protocol shared by batch and live transcription.

Times are seconds from the start of the recording (absolute), never from the start of a chunk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 16_000
"""Whisper's input rate; every array in this package is mono float32 at this rate."""

AudioArray = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Word:
    start: float
    end: float
    text: str
    probability: float


@dataclass(frozen=True, slots=True)
class Segment:
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()
    confidence: float = 0.0
    """exp(mean token log-probability) for batch segments; mean word probability for live ones."""
    no_speech_prob: float = 0.0
    """Whisper's probability that the window held no speech; 0.0 where it was not measured."""


@dataclass(frozen=True, slots=True)
class Transcript:
    duration_s: float
    model: str
    segments: tuple[Segment, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        return " ".join(segment.text for segment in self.segments)


class Transcriber(Protocol):
    """Anything that turns 16 kHz mono float32 audio into segments with word timings."""

    @property
    def model_name(self) -> str:
        """Identify the model, for recording next to every transcript."""
        ...

    def transcribe(self, audio: AudioArray, *, offset_s: float = 0.0, prompt: str | None = None) -> list[Segment]:
        """Transcribe `audio`, adding `offset_s` to every time.

        `prompt` is text said just before this audio (live streaming passes what it has already
        committed, so a re-transcribed buffer continues the sentence rather than restarting it).
        """
        ...
