"""API shapes for uploaded recordings and their transcription progress."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from service.api.rows import Columns
from service.domain.recordings.service import progress
from service.models import Recording, RecordingSpeaker


class RecordingOut(msgspec.Struct, kw_only=True):
    id: int
    review_id: int
    filename: Annotated[str, msgspec.Meta(description="The uploader's name for the file (display only).")]
    size_bytes: int
    duration_s: Annotated[float, msgspec.Meta(description="Seconds of audio, measured by decoding it.")]
    status: Annotated[str, msgspec.Meta(description="queued, running, done or failed.")]
    percent: Annotated[float, msgspec.Meta(description="Share of the audio transcribed and stored, 0-100.")]
    elapsed_s: Annotated[float | None, msgspec.Meta(description="Seconds since transcription started.")]
    remaining_s: Annotated[
        float | None, msgspec.Meta(description="Estimated seconds left; null until the speed is known.")
    ]
    segments: Annotated[int, msgspec.Meta(description="Transcript segments stored from this recording so far.")]
    attempts: int
    model: str | None
    error: Annotated[str | None, msgspec.Meta(description="Why the job failed, and what to do.")]
    created_at: datetime

    @classmethod
    def of(cls, r: Recording) -> RecordingOut:
        p = progress(r)
        return RECORDING_COLUMNS.build(
            r, percent=p.percent, elapsed_s=p.elapsed_s, remaining_s=p.remaining_s, segments=r.segments_stored
        )


RECORDING_COLUMNS = Columns(RecordingOut, Recording)


class SpeakerOut(msgspec.Struct, kw_only=True):
    number: Annotated[int, msgspec.Meta(description="1, 2, ... in order of first appearance in the recording.")]
    label: Annotated[str, msgspec.Meta(description="The name given, else 'Speaker N'.")]
    name: Annotated[str | None, msgspec.Meta(description="Who the group says this is; null until named.")]
    person_id: Annotated[int | None, msgspec.Meta(description="The person taking part, when named as one.")]
    seconds: Annotated[float, msgspec.Meta(description="Seconds of speech that shaped this speaker's voice.")]

    @classmethod
    def of(cls, s: RecordingSpeaker) -> SpeakerOut:
        return cls(
            number=s.number,
            label=s.name or f"Speaker {s.number}",
            name=s.name,
            person_id=s.person_id,
            seconds=round(s.seconds, 1),
        )


class SpeakerNaming(msgspec.Struct, kw_only=True):
    person_id: Annotated[int | None, msgspec.Meta(description="Someone taking part in the review.")] = None
    name: (
        Annotated[str, msgspec.Meta(max_length=120, description="A typed name, for someone not taking part.")] | None
    ) = None
