"""Speech to text for Debrief: decode audio, run Whisper, stream with a commit policy.

Pure library code: no web, no database. Importing it loads no model; see `WhisperTranscriber`.
"""

from transcription.errors import (
    AudioError,
    CorruptAudioError,
    EmptyAudioError,
    ModelNotFoundError,
    NotAudioError,
    StreamFormatError,
    TranscriptionError,
    TruncatedAudioError,
)
from transcription.types import SAMPLE_RATE, Segment, Transcriber, Transcript, Word

__all__ = [
    "SAMPLE_RATE",
    "AudioError",
    "CorruptAudioError",
    "EmptyAudioError",
    "ModelNotFoundError",
    "NotAudioError",
    "Segment",
    "StreamFormatError",
    "Transcriber",
    "Transcript",
    "TranscriptionError",
    "TruncatedAudioError",
    "Word",
]
