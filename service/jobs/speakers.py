"""Speaker separation inside the upload job: embed each chunk's segments, then number their speakers.

Embedding (CPU work, ~0.5 s per minute of speech) runs before the chunk's transaction opens; the
numbering runs inside it, on the recording's speakers as stored, and the updated speakers are
stored with the chunk's segments (transcription/speakers.py says why that keeps a resumed job's
numbers). When the voice model cannot be loaded the job goes on without separation: the words
matter more than who said them, and the log says what to install.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import Recording, RecordingSpeaker
from service.settings import Settings
from transcription.batch import ChunkResult
from transcription.speakers import Speaker, assign_speakers, segment_voices
from transcription.types import SAMPLE_RATE
from transcription.voice_encoder import Vector, VoiceEncoder
from transcription.voice_weights import VoiceModelError, load_voice_weights

log = logging.getLogger("debrief")
Voices = list[tuple[Vector | None, float]]


@functools.cache
def voice_encoder() -> VoiceEncoder:
    """The bundled speaker encoder, loaded (and its sha256 checked) once per process."""
    return VoiceEncoder(load_voice_weights())


def chunk_voices(settings: Settings, result: ChunkResult) -> Voices | None:
    """Each segment's voice embedding and seconds of speech; None when separation is off or unavailable."""
    if not settings.whisper.separate_speakers or result.samples is None:
        return None
    try:
        encoder = voice_encoder()
    except VoiceModelError as exc:
        log.warning("speaker separation is off for this upload: %s", exc)
        return None
    return segment_voices(encoder, result.samples, result.start_s, result.segments, sample_rate=SAMPLE_RATE)


@dataclass(frozen=True)
class SpeakerLabel:
    speaker: str
    speaker_id: int | None
    person_id: int | None


def label_segments(
    session: Session, recording: Recording, voices: Sequence[tuple[Vector | None, float]], *, threshold: float
) -> list[SpeakerLabel]:
    """Number the speakers of one chunk's segments, storing the recording's updated speakers."""
    rows = {
        row.number: row
        for row in session.scalars(select(RecordingSpeaker).where(RecordingSpeaker.recording_id == recording.id))
    }
    speakers = [
        Speaker(number=n, total=np.frombuffer(row.voice, dtype="<f4").astype(np.float32), seconds=row.seconds)
        for n, row in sorted(rows.items())
    ]
    numbers = assign_speakers(voices, speakers, threshold=threshold)
    for speaker in speakers:
        row = rows.get(speaker.number)
        if row is None:
            row = rows[speaker.number] = RecordingSpeaker(recording_id=recording.id, number=speaker.number, voice=b"")
            session.add(row)
        row.voice = speaker.total.astype("<f4").tobytes()
        row.seconds = speaker.seconds
    session.flush()
    return [
        unseparated_label(recording) if number is None else speaker_label(recording, rows[number]) for number in numbers
    ]


def speaker_label(recording: Recording, speaker: RecordingSpeaker) -> SpeakerLabel:
    """The name the group gave the speaker, else "Speaker N (file name)"."""
    text = speaker.name or f"Speaker {speaker.number} ({recording.filename})"
    return SpeakerLabel(text[:120], speaker.id, speaker.person_id)


def unseparated_label(recording: Recording) -> SpeakerLabel:
    # Without separation the label says where the words came from.
    return SpeakerLabel(f"Recording: {recording.filename}"[:120], None, None)
