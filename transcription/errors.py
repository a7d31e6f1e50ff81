"""Errors raised by the transcription package, each with a message a person can act on."""

from __future__ import annotations


class TranscriptionError(Exception):
    """Base class: anything in this package that a caller may want to show to a user."""


class ModelNotFoundError(TranscriptionError):
    """The configured Whisper model cannot be found or loaded."""


class AudioError(TranscriptionError):
    """An uploaded or recorded file cannot be used as audio."""


class NotAudioError(AudioError):
    """The file's content is not audio at all (whatever its name says)."""


class EmptyAudioError(AudioError):
    """The file is audio but holds no samples (0 bytes or 0 seconds)."""


class CorruptAudioError(AudioError):
    """The file looks like audio but cannot be decoded completely."""


class TruncatedAudioError(CorruptAudioError):
    """The file's header promises more audio than the file holds."""

    def __init__(self, message: str, *, decoded_s: float, expected_s: float) -> None:
        super().__init__(message)
        self.decoded_s = decoded_s
        self.expected_s = expected_s


class StreamFormatError(TranscriptionError):
    """A live-stream message does not follow the documented wire format."""
