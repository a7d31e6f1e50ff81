"""Transcript segments over HTTP."""

from __future__ import annotations

from functools import partial
from typing import Annotated

import msgspec
from litestar import Controller, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import JSONBody, QueryParameter

from service.api.deps import ActorDep, ServicesDep
from service.api.types import PathId
from service.db.after_commit import on_commit
from service.domain import audit
from service.domain.transcripts.export import FORMATS, render
from service.domain.transcripts.schemas import SegmentCorrection, SegmentOut, SegmentsIn
from service.domain.transcripts.service import NewSegment
from service.errors import InvalidInput


class TranscriptController(Controller):
    path = "/api/reviews/{review_id:int}/segments"
    tags = ["transcript"]

    @post("/", sync_to_thread=True, summary="Add typed or imported transcript segments (idempotent by source_key)")
    def add(
        self, review_id: PathId, data: JSONBody[SegmentsIn], services: ServicesDep, actor: ActorDep, state: State
    ) -> list[SegmentOut]:
        review = services.reviews.get(review_id)
        new = [
            NewSegment(
                speaker=s.speaker,
                text=s.text,
                start_s=s.start_s,
                end_s=s.end_s,
                source=s.source,
                confidence=s.confidence,
                person_id=s.person_id,
                source_key=s.source_key,
            )
            for s in data.segments
        ]
        stored = [SegmentOut.of(s) for s in services.transcripts.add(review, new, actor=actor)]
        publish = state.get("publish_event")
        if publish is not None and stored:
            # Everyone in the room sees typed lines as they see spoken ones, once they are committed.
            events = [{"type": "segment", "segment": msgspec.to_builtins(s)} for s in stored]
            for event in events:
                on_commit(services.session, partial(publish, review_id, event))
        return stored

    @get("/", sync_to_thread=True, summary="The transcript in time order")
    def list_segments(
        self,
        review_id: PathId,
        services: ServicesDep,
        after_id: Annotated[int, QueryParameter(name="after_id", ge=0)] = 0,
    ) -> list[SegmentOut]:
        review = services.reviews.get(review_id)
        return [SegmentOut.of(s) for s in services.transcripts.list_segments(review, after_id=after_id)]

    @get(
        "/export",
        sync_to_thread=True,
        summary="Download the transcript: plain text, SubRip captions (.srt) or WebVTT captions (.vtt)",
        description="Captions leave typed lines out (they have no time in the call). The download is audited.",
        opt={"writes": True},
    )
    def export(
        self,
        review_id: PathId,
        services: ServicesDep,
        actor: ActorDep,
        format: Annotated[str, QueryParameter(name="format", description="txt, srt or vtt")] = "txt",
    ) -> Response[str]:
        review = services.reviews.get(review_id)
        if format not in FORMATS:
            raise InvalidInput("format must be txt, srt or vtt.", field="format")
        audit.record(
            services.session,
            review=review,
            actor_id=actor.id,
            action="transcript.exported",
            subject_type="review",
            subject_id=review.id,
            format=format,
        )
        body = render(services.transcripts.list_segments(review, limit=1_000_000), format)
        disposition = f'attachment; filename="review-{review.id}-transcript.{format}"'
        return Response(body, media_type=FORMATS[format], headers={"Content-Disposition": disposition})

    @patch(
        "/{segment_id:int}",
        sync_to_thread=True,
        summary="Correct a segment's text (anyone taking part; the audit log keeps both versions)",
        description="409 while a draft that is not rejected cites the segment.",
    )
    def correct(
        self,
        review_id: PathId,
        segment_id: PathId,
        data: JSONBody[SegmentCorrection],
        services: ServicesDep,
        actor: ActorDep,
        state: State,
    ) -> SegmentOut:
        review = services.reviews.get(review_id)
        corrected = SegmentOut.of(services.transcripts.correct(review, segment_id, text=data.text, actor=actor))
        publish = state.get("publish_event")
        if publish is not None:  # the room replaces the segment by id, as when a live one grows
            event = {"type": "segment", "segment": msgspec.to_builtins(corrected)}
            on_commit(services.session, partial(publish, review_id, event))
        return corrected

    @delete(
        "/{segment_id:int}",
        sync_to_thread=True,
        summary="Remove a segment from the transcript (its speaker or the facilitator; audited without the words)",
        description="409 while a draft that is not rejected cites the segment.",
    )
    def remove(
        self, review_id: PathId, segment_id: PathId, services: ServicesDep, actor: ActorDep, state: State
    ) -> None:
        review = services.reviews.get(review_id)
        services.transcripts.remove(review, segment_id, actor=actor)
        publish = state.get("publish_event")
        if publish is not None:
            event = {"type": "segment_removed", "segment_id": segment_id}
            on_commit(services.session, partial(publish, review_id, event))
