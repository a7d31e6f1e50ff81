"""Speaker separation for uploaded recordings: which stretches of a recording share a voice.

An upload is transcribed chunk by chunk and may resume after a restart, so speakers are found
*online*: each segment's voice embedding joins the nearest known speaker of the recording when
their cosine reaches a threshold, otherwise it starts a new speaker. The speakers (a running,
duration-weighted sum of their segments' embeddings) are all the state there is; the job stores
them with each chunk's segments, so a resumed job numbers speakers exactly as an unbroken one.

Measured on the dev calls spoken by espeak-ng (evals/transcription/diarization.py): one voice's
long utterances lie at cosine 0.95-0.98 from its centre, distinguishable voices 0.70-0.85 apart.
Short stretches are noisy (down to 0.5 for a 1 s "What happened?"), so one shorter than
`MIN_NEW_SPEAKER_S` may join a speaker but never starts one, nor moves a centre.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from transcription.types import AudioArray, Segment
from transcription.voice_encoder import EMBEDDING_SIZE, Vector, VoiceEncoder

MIN_NEW_SPEAKER_S = 3.0
MIN_VOICE_S = 0.5
"""Speech shorter than this gives no usable embedding: such a segment gets no speaker of its own."""


@dataclass
class Speaker:
    """One separated voice of a recording, numbered from 1 in order of first appearance."""

    number: int
    total: Vector = field(default_factory=lambda: np.zeros(EMBEDDING_SIZE, np.float32))
    """Sum of the embeddings that shaped it, each weighted by its seconds of speech."""
    seconds: float = 0.0

    @property
    def centre(self) -> Vector:
        norm = float(np.linalg.norm(self.total))
        return self.total / norm if norm else self.total

    def absorb(self, voice: Vector, seconds: float) -> None:
        self.total = (self.total + voice * np.float32(seconds)).astype(np.float32)
        self.seconds += seconds


def assign_speakers(
    voices: Sequence[tuple[Vector | None, float]],
    speakers: list[Speaker],
    *,
    threshold: float,
    min_new_s: float = MIN_NEW_SPEAKER_S,
) -> list[int | None]:
    """Give each (embedding, seconds) the number of its speaker, updating `speakers` in place.

    A stretch too short to embed goes to the speaker of the stretch before it (most likely still
    talking), or at the start of a chunk to the newest speaker; None while there is no speaker yet.
    """
    numbers: list[int | None] = []
    for voice, seconds in voices:
        if voice is None:
            before = numbers[-1] if numbers else None
            numbers.append(before if before is not None else (speakers[-1].number if speakers else None))
            continue
        best, similarity = _nearest(voice, speakers)
        if best is not None and similarity >= threshold:
            best.absorb(voice, seconds)
            numbers.append(best.number)
        elif best is not None and seconds < min_new_s:
            numbers.append(best.number)  # too short to found a speaker; too unsure to move a centre
        else:
            speaker = Speaker(number=len(speakers) + 1)
            speaker.absorb(voice, seconds)
            speakers.append(speaker)
            numbers.append(speaker.number)
    return numbers


def _nearest(voice: Vector, speakers: list[Speaker]) -> tuple[Speaker | None, float]:
    if not speakers:
        return None, -1.0
    similarities = np.stack([s.centre for s in speakers]) @ voice
    best = int(np.argmax(similarities))
    return speakers[best], float(similarities[best])


def segment_voices(
    encoder: VoiceEncoder, samples: AudioArray, start_s: float, segments: Sequence[Segment], *, sample_rate: int
) -> list[tuple[Vector | None, float]]:
    """Embed each segment's speech in one chunk's audio: (embedding or None, seconds of speech).

    The span is the segment's words where Whisper timed them (its segment bounds can include the
    pause before), else the segment itself.
    """
    spans: list[AudioArray] = []
    out: list[tuple[Vector | None, float]] = []
    for segment in segments:
        begin, end = (segment.words[0].start, segment.words[-1].end) if segment.words else (segment.start, segment.end)
        lo = max(int((begin - start_s) * sample_rate), 0)
        hi = min(int((end - start_s) * sample_rate), len(samples))
        seconds = max(hi - lo, 0) / sample_rate
        if seconds < MIN_VOICE_S:
            out.append((None, seconds))
        else:
            spans.append(samples[lo:hi])
            out.append((np.zeros(0, np.float32), seconds))  # placeholder, filled below
    embedded = iter(encoder.embed_many(spans)) if spans else iter(())
    return [(next(embedded) if voice is not None else None, seconds) for voice, seconds in out]
