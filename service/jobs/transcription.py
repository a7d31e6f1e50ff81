"""The upload transcription job: a recording in, transcript segments out, one chunk per transaction.

`run_transcription_job(recording_id, settings=...)` is a plain function so any runner can call it:
the in-process worker thread today, a SAQ/Redis worker later. It is idempotent: a chunk's segments
and the recording's `chunks_done` are committed together, segments are keyed
`rec{id}:c{chunk}:s{order}` (unique per review), and a rerun starts at `chunks_done` — so a job that
is retried, redelivered or killed mid-chunk never stores a segment twice and never loses one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Literal

import msgspec
import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from service.db.engine import make_engine, make_session_factory, unit_of_work
from service.db.types import utcnow
from service.domain.recordings.schemas import RecordingOut
from service.domain.recordings.storage import recording_path
from service.domain.services import provide_services
from service.domain.transcripts.schemas import SegmentOut
from service.domain.transcripts.service import NewSegment
from service.errors import DebriefError
from service.jobs.speakers import Voices, chunk_voices, label_segments, unseparated_label
from service.models import Recording, RecordingStatus, SegmentSource
from service.settings import Settings
from transcription.batch import ChunkResult, transcribe_file
from transcription.errors import TranscriptionError
from transcription.types import AudioArray, Segment, Transcriber
from transcription.whisper import WhisperTranscriber

log = logging.getLogger("debrief")
Publish = Callable[[int, dict[str, Any]], None]
"""publish(review_id, event): hand an event to everyone following the review (may be a no-op)."""

# Two 16-bit steps (about -84 dBFS): below this a chunk holds rounding noise at most. Whisper
# normalises its input level, so anything louder — however quiet — is still given to the model.
DIGITAL_SILENCE_PEAK = 2 / 32768


def make_transcriber(settings: Settings, *, live: bool = False) -> WhisperTranscriber:
    """The configured Whisper model (not loaded until first used): for uploads, or for live passes.

    A live transcriber is a model of its own, decoding as live passes should (see
    `WhisperTranscriber.for_live`): one worker, since passes take turns (service/live/passes.py),
    at the process's priority while uploads compute DEBRIEF_WHISPER_UPLOAD_NICE steps nicer.
    """
    whisper = settings.whisper
    device: Literal["cpu", "cuda"] = "cuda" if whisper.device == "cuda" else "cpu"
    transcriber = WhisperTranscriber(
        model=whisper.model or None,
        device=device,
        cpu_threads=whisper.threads,
        workers=1 if live else whisper.upload_workers,
        nice=0 if live else whisper.upload_nice,
    )
    return transcriber.for_live(beam_size=whisper.live_beam_size) if live else transcriber


class SkipDigitalSilence:
    """A `Transcriber` that hands Whisper only chunks with some signal in them.

    A muted microphone or a padded export can hold hours of exact zeros; decoding them is cheap,
    running VAD and Whisper over them is not (about 0.2 s per minute of audio here).
    """

    def __init__(self, inner: Transcriber) -> None:
        self.inner = inner

    @property
    def model_name(self) -> str:
        return self.inner.model_name

    def transcribe(self, audio: AudioArray, *, offset_s: float = 0.0, prompt: str | None = None) -> list[Segment]:
        if audio.size == 0 or float(np.max(np.abs(audio))) <= DIGITAL_SILENCE_PEAK:
            return []
        return self.inner.transcribe(audio, offset_s=offset_s, prompt=prompt)


def run_transcription_job(
    recording_id: int,
    *,
    settings: Settings,
    session_factory: sessionmaker[Session] | None = None,
    transcriber: Transcriber | None = None,
    publish: Publish | None = None,
    stop: threading.Event | None = None,
) -> str:
    """Transcribe one uploaded recording, resuming after its last stored chunk; return its status."""
    engine = None
    if session_factory is None:
        engine = make_engine(settings)
        session_factory = make_session_factory(engine)
    try:
        return _run(recording_id, settings, session_factory, transcriber or make_transcriber(settings), publish, stop)
    finally:
        if engine is not None:
            engine.dispose()


def _run(
    recording_id: int,
    settings: Settings,
    factory: sessionmaker[Session],
    transcriber: Transcriber,
    publish: Publish | None,
    stop: threading.Event | None,
) -> str:
    with unit_of_work(factory) as session:
        recording = session.get(Recording, recording_id)
        if recording is None:
            log.warning("transcription job: recording %s does not exist (deleted?)", recording_id)
            return "missing"
        if recording.status in (RecordingStatus.DONE.value, RecordingStatus.FAILED.value):
            return recording.status  # finished by an earlier delivery of the same job
        now = utcnow()
        recording.status = RecordingStatus.RUNNING.value
        recording.attempts += 1
        recording.started_at = recording.started_at or now
        recording.attempt_started_at = now
        recording.attempt_start_s = recording.done_s
        recording.model = transcriber.model_name[:120]
        path = recording_path(settings.audio_dir, recording.stored_name)
        chunk_s, start_chunk, review_id = recording.chunk_s, recording.chunks_done, recording.review_id
    log.info("transcribing recording %s from chunk %s", recording_id, start_chunk)
    try:
        chunks = transcribe_file(
            path,
            SkipDigitalSilence(transcriber),
            chunk_s=chunk_s,
            start_chunk=start_chunk,
            workers=settings.whisper.upload_workers,
        )
        for result in chunks:
            # Embedded here, outside the chunk's transaction, while the next chunks are transcribed.
            voices = chunk_voices(settings, result)
            out = _store_chunk(factory, settings, recording_id, result, voices)
            if publish:
                for event in out:
                    publish(review_id, event)
            if stop is not None and stop.is_set():
                _set_status(factory, recording_id, RecordingStatus.QUEUED, None)  # resumed at next start
                return RecordingStatus.QUEUED.value
    except RecordingRemoved:
        log.info("recording %s was removed during its transcription; the job stops", recording_id)
        return "removed"
    except FileNotFoundError:
        return _fail(
            factory,
            recording_id,
            "The uploaded file is missing from the server's audio folder; upload it again.",
            publish,
            review_id,
        )
    except (TranscriptionError, DebriefError) as exc:
        return _fail(factory, recording_id, str(exc), publish, review_id)
    except Exception:
        message = "Transcription stopped on an internal error (see the service log); upload again."
        _fail(factory, recording_id, message, publish, review_id)
        raise
    final = _set_status(factory, recording_id, RecordingStatus.DONE, None)
    if publish and final is not None:
        publish(review_id, final)
    return RecordingStatus.DONE.value


class RecordingRemoved(Exception):
    """The recording was removed (RecordingService.remove) while its job ran: nothing more to store."""


def _store_chunk(
    factory: sessionmaker[Session], settings: Settings, recording_id: int, result: ChunkResult, voices: Voices | None
) -> list[dict[str, Any]]:
    """Store one chunk's segments and the new progress in one transaction; return events to publish."""
    with provide_services(factory, settings) as services:
        recording = services.session.get(Recording, recording_id, with_for_update=True)
        if recording is None:
            raise RecordingRemoved(recording_id)
        if result.index < recording.chunks_done:
            return []  # another delivery of this job stored it meanwhile
        review = services.reviews.get(recording.review_id)
        kept = [(order, segment) for order, segment in enumerate(result.segments) if segment.text.strip()]
        if voices is None:
            labels = [unseparated_label(recording)] * len(kept)
        else:
            threshold = settings.whisper.speaker_threshold
            labels = label_segments(services.session, recording, [voices[o] for o, _ in kept], threshold=threshold)
        new = [
            NewSegment(
                speaker=label.speaker,
                person_id=label.person_id,
                speaker_id=label.speaker_id,
                text=segment.text,
                start_s=segment.start,
                end_s=max(segment.end, segment.start),
                source=SegmentSource.UPLOAD,
                confidence=min(max(segment.confidence, 0.0), 1.0),
                source_key=f"rec{recording_id}:c{result.index}:s{order}",
            )
            for (order, segment), label in zip(kept, labels, strict=True)
        ]
        stored = services.transcripts.add(review, new, actor=None) if new else []
        recording.chunks_done = result.index + 1
        recording.done_s = min(result.end_s, recording.duration_s)
        recording.segments_stored += len(stored)
        services.session.flush()
        events = [{"type": "segment", "segment": msgspec.to_builtins(SegmentOut.of(s))} for s in stored]
        events.append(_recording_event(recording))
    return events


def _set_status(
    factory: sessionmaker[Session], recording_id: int, status: RecordingStatus, error: str | None
) -> dict[str, Any] | None:
    with unit_of_work(factory) as session:
        recording = session.get(Recording, recording_id)
        if recording is None:
            return None
        recording.status = status.value
        recording.error = error
        if status in (RecordingStatus.DONE, RecordingStatus.FAILED):
            recording.finished_at = utcnow()
        if status == RecordingStatus.DONE:
            recording.done_s = recording.duration_s
        return _recording_event(recording)


def _fail(
    factory: sessionmaker[Session], recording_id: int, message: str, publish: Publish | None, review_id: int
) -> str:
    """Mark the job failed and tell the review's room, which would otherwise wait on "running"."""
    event = _set_status(factory, recording_id, RecordingStatus.FAILED, message)
    if event is None:  # removed meanwhile, its file with it: not a failure
        log.info("recording %s was removed during its transcription; the job stops", recording_id)
        return "removed"
    log.warning("transcription of recording %s failed: %s", recording_id, message)
    if publish:
        publish(review_id, event)
    return RecordingStatus.FAILED.value


def _recording_event(recording: Recording) -> dict[str, Any]:
    return {"type": "recording", "recording": msgspec.to_builtins(RecordingOut.of(recording))}
