import dataclasses

import pytest

from transcription.types import Segment, Transcriber, Transcript, Word
from transcription.whisper import WhisperTranscriber


def test_results_are_immutable_values() -> None:
    word = Word(0.0, 0.4, "We", 0.9)
    segment = Segment(0.0, 0.4, "We", (word,), confidence=0.9, no_speech_prob=0.01)
    with pytest.raises(dataclasses.FrozenInstanceError):
        segment.text = "changed"  # type: ignore[misc]
    assert segment == Segment(0.0, 0.4, "We", (Word(0.0, 0.4, "We", 0.9),), 0.9, 0.01)
    assert hash(segment)  # usable as a dict key / in sets


def test_transcript_text_joins_segments() -> None:
    transcript = Transcript(3.0, "tiny.en", (Segment(0, 1, "One."), Segment(1, 2, "Two.")))
    assert transcript.text == "One. Two."


def test_whisper_transcriber_satisfies_the_protocol() -> None:
    transcriber: Transcriber = WhisperTranscriber()  # checked by the type checker
    assert callable(transcriber.transcribe) and isinstance(transcriber.model_name, str)
