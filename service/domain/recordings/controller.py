"""Uploaded recordings over HTTP: upload (streamed to disk), then follow the transcription job.

Upload: `POST /api/reviews/{id}/recordings?filename=call.m4a` with the file itself as the request
body (any Content-Type; `curl --data-binary @call.m4a`, or `fetch(url, {method: "POST", body:
file})` in a browser). A raw body, not a multipart form, because Litestar parses forms in memory
and a recording may be hundreds of megabytes; the raw body is streamed straight to disk.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated, TypeVar

import msgspec
from anyio.to_thread import run_sync
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import State
from litestar.handlers import HTTPRouteHandler
from litestar.params import JSONBody, QueryParameter
from sqlalchemy.orm import Session, sessionmaker

from service.api.auth import Viewer
from service.api.deps import ActorDep, ServicesDep
from service.api.types import PathId
from service.db.after_commit import on_commit
from service.db.engine import unit_of_work
from service.domain.recordings.schemas import RecordingOut, SpeakerNaming, SpeakerOut
from service.domain.recordings.service import RecordingService
from service.domain.recordings.speakers import SpeakerService
from service.domain.recordings.storage import MIB, StoredUpload, check_audio, display_name, receive_upload
from service.domain.services import Services, build_services
from service.domain.transcripts.schemas import SegmentOut
from service.errors import NeedsPerson
from service.models import Person
from service.settings import Settings
from transcription.audio import AudioInfo

PATH = "/api/reviews/{review_id:int}/recordings"
T = TypeVar("T")


class RecordingController(Controller):
    path = PATH
    tags = ["transcript"]

    @get("/", sync_to_thread=True, summary="Uploaded recordings of the review, with transcription progress")
    def list_recordings(self, review_id: PathId, services: ServicesDep) -> list[RecordingOut]:
        review = services.reviews.get(review_id)
        recordings = RecordingService(services.session, reviews=services.reviews)
        return [RecordingOut.of(r) for r in recordings.list_recordings(review)]

    @get("/{recording_id:int}", sync_to_thread=True, summary="One recording and its transcription progress")
    def get_recording(self, review_id: PathId, recording_id: PathId, services: ServicesDep) -> RecordingOut:
        review = services.reviews.get(review_id)
        return RecordingOut.of(RecordingService(services.session, reviews=services.reviews).get(review, recording_id))

    @get("/{recording_id:int}/speakers", sync_to_thread=True, summary="The speakers separated in a recording")
    def list_speakers(self, review_id: PathId, recording_id: PathId, services: ServicesDep) -> list[SpeakerOut]:
        review = services.reviews.get(review_id)
        speakers = SpeakerService(services.session, reviews=services.reviews).list_speakers(review, recording_id)
        return [SpeakerOut.of(s) for s in speakers]

    @put(
        "/{recording_id:int}/speakers/{number:int}",
        sync_to_thread=True,
        summary="Say who a separated speaker is; every segment of theirs in the recording is relabelled (audited)",
        description="Body: `person_id` (someone taking part) or `name`. Allowed while drafts cite the segments: "
        "naming changes who, never the words a draft quotes.",
    )
    def name_speaker(
        self,
        review_id: PathId,
        recording_id: PathId,
        number: PathId,
        data: JSONBody[SpeakerNaming],
        services: ServicesDep,
        actor: ActorDep,
        state: State,
    ) -> SpeakerOut:
        return name_speaker(services, review_id, recording_id, number, data, actor=actor, state=state)

    @delete(
        "/{recording_id:int}",
        sync_to_thread=True,
        summary="Remove a recording, the transcript made from it and its audio (its uploader or the facilitator)",
        description="Stops its transcription if it is still running. 409 while a draft that is not rejected "
        "cites the recording's transcript.",
    )
    def remove(
        self, review_id: PathId, recording_id: PathId, services: ServicesDep, actor: ActorDep, state: State
    ) -> None:
        remove_recording(services, review_id, recording_id, actor=actor, state=state)


def remove_recording(services: Services, review_id: int, recording_id: int, *, actor: Person, state: State) -> None:
    """Remove a recording (the API's and the room page's action) and tell the room once it commits."""
    review = services.reviews.get(review_id)
    removed = RecordingService(services.session, reviews=services.reviews).remove(
        review, recording_id, actor=actor, audio_dir=services.settings.audio_dir
    )
    publish = state.get("publish_event")
    if publish is not None:
        event = {"type": "recording_removed", "recording_id": recording_id, "segment_ids": removed}
        on_commit(services.session, partial(publish, review.id, event))


def name_speaker(
    services: Services,
    review_id: int,
    recording_id: int,
    number: int,
    data: SpeakerNaming,
    *,
    actor: Person,
    state: State,
) -> SpeakerOut:
    """Name a speaker (the API's and the room page's action); the room gets the relabelled segments."""
    review = services.reviews.get(review_id)
    naming = SpeakerService(services.session, reviews=services.reviews).name(
        review, recording_id, number, person_id=data.person_id, name=data.name, actor=actor
    )
    speaker = SpeakerOut.of(naming.speaker)
    publish = state.get("publish_event")
    if publish is not None:
        event = {
            "type": "speaker_named",
            "recording_id": recording_id,
            "speaker": msgspec.to_builtins(speaker),
            "segments": [msgspec.to_builtins(SegmentOut.of(s)) for s in naming.segments],
        }
        on_commit(services.session, partial(publish, review.id, event))
    return speaker


# No `services` dependency here on purpose: it opens the request's write transaction at the start,
# and on SQLite that would hold the database's write lock for the whole upload.
async def upload(
    review_id: PathId,
    request: Request,
    state: State,
    filename: Annotated[str | None, QueryParameter(description="The file's name, for display only.")] = None,
) -> Response[RecordingOut]:
    settings: Settings = state.settings
    viewer = request.scope.get("user")
    if not isinstance(viewer, Viewer):
        raise NeedsPerson("Sign in first (POST /api/session), or send an API token.")
    name = display_name(filename)
    factory = state.session_factory
    # Refuse people who may not upload before reading a single byte of the body.
    check = partial(_as_viewer, factory, settings, viewer, lambda s: _ensure_can_upload(s, review_id), write=False)
    await run_sync(check)
    upload = await receive_upload(request.stream(), settings.audio_dir, max_mb=settings.whisper.max_upload_mb)
    try:
        audio = await run_sync(partial(check_audio, upload, filename=name))
        recording = await run_sync(
            _as_viewer, factory, settings, viewer, lambda s: _create(s, review_id, name, upload, audio)
        )
    except BaseException:
        upload.path.unlink(missing_ok=True)
        raise
    jobs = getattr(state, "jobs", None)
    background = BackgroundTask(jobs.transcribe, recording.id) if jobs is not None else None
    return Response(recording, status_code=201, background=background)


def upload_handler(settings: Settings) -> HTTPRouteHandler:
    """The upload route, its body limit raised to the configured maximum on this route only.

    Built per application because the limit is a setting; every other route keeps Litestar's
    10 MB default.
    """
    return post(
        PATH,
        status_code=201,
        tags=["transcript"],
        request_max_body_size=settings.whisper.max_upload_mb * MIB,
        opt={"streams_body": True},  # admitted as a waiting request (service/api/admission.py)
        summary="Upload a recording (the file is the request body); transcription starts",
    )(upload)


def _as_viewer(
    factory: sessionmaker[Session],
    settings: Settings,
    viewer: Viewer,
    work: Callable[[Services], T],
    *,
    write: bool = True,
) -> T:
    with unit_of_work(factory, write=write) as session:
        person = session.get(Person, viewer.id)
        if person is None:
            raise NeedsPerson("Your account no longer exists; sign in again.")
        return work(build_services(session, settings, viewer=person))


def _ensure_can_upload(services: Services, review_id: int) -> None:
    review = services.reviews.get(review_id)
    assert services.access.viewer is not None
    RecordingService(services.session, reviews=services.reviews).ensure_can_upload(review, services.access.viewer)


def _create(services: Services, review_id: int, name: str, upload: StoredUpload, audio: AudioInfo) -> RecordingOut:
    review = services.reviews.get(review_id)
    assert services.access.viewer is not None
    recording = RecordingService(services.session, reviews=services.reviews).create(
        review,
        actor=services.access.viewer,
        filename=name,
        stored_name=upload.stored_name,
        size_bytes=upload.size_bytes,
        audio=audio,
        chunk_s=services.settings.whisper.chunk_s,
    )
    return RecordingOut.of(recording)
