"""The single-machine job runner: one background thread in the web process, one job at a time.

Started and stopped by the application's lifespan. At start it queues every recording whose job
is unfinished (the service was stopped or killed mid-job), so a restart resumes them. One job at a
time on purpose: Whisper already uses every configured core, so two jobs would each run half as
fast and both finish later. With `DEBRIEF_QUEUE_URL` set, the app starts no thread and enqueues the
same job function for `debrief worker` processes instead (`service.jobs.queue`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.channels import ChannelsPlugin
from sqlalchemy.orm import Session, sessionmaker

from service.db.engine import unit_of_work
from service.domain.recordings.retention import apply_audio_retention
from service.domain.recordings.service import unfinished_recording_ids
from service.jobs.queue import Jobs, SaqJobs
from service.jobs.transcription import Publish, make_transcriber, run_transcription_job
from service.live.events import review_channel
from service.settings import Settings
from transcription.errors import ModelNotFoundError
from transcription.types import Transcriber

log = logging.getLogger("debrief")
RETENTION_EVERY_S = 3600.0


class TranscriptionWorker:
    def __init__(
        self,
        *,
        settings: Settings,
        session_factory: sessionmaker[Session],
        transcriber: Transcriber,
        publish: Publish | None = None,
    ) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self.transcriber = transcriber
        self.publish = publish
        self._queue: queue.Queue[int | None] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="debrief-transcription", daemon=True)

    def start(self) -> None:
        """Start the thread and queue the jobs a previous run left unfinished."""
        with unit_of_work(self.session_factory, write=False) as session:
            unfinished = unfinished_recording_ids(session)
        if unfinished:
            log.info("resuming %d unfinished transcription job(s): %s", len(unfinished), unfinished)
        for recording_id in unfinished:
            self._queue.put(recording_id)
        self._apply_retention()
        self._thread.start()

    def submit(self, recording_id: int) -> None:
        self._queue.put(recording_id)

    async def transcribe(self, recording_id: int) -> None:
        """The `Jobs` interface: queue the recording for this thread."""
        self.submit(recording_id)

    def stop(self, timeout_s: float = 30.0) -> None:
        """Finish the chunk in progress, leave the job queued for the next start, and end the thread."""
        self._stop.set()
        self._queue.put(None)
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                recording_id = self._queue.get(timeout=RETENTION_EVERY_S)
            except queue.Empty:  # an idle hour: a good moment to delete expired audio
                self._apply_retention()
                continue
            if recording_id is None:
                return
            try:
                run_transcription_job(
                    recording_id,
                    settings=self.settings,
                    session_factory=self.session_factory,
                    transcriber=self.transcriber,
                    publish=self.publish,
                    stop=self._stop,
                )
            except Exception:  # the job has marked itself failed; the worker must outlive it
                log.exception("transcription job for recording %s failed", recording_id)

    def _apply_retention(self) -> None:
        try:
            apply_audio_retention(self.session_factory, self.settings)
        except Exception:  # retention is housekeeping: log it, never stop transcribing for it
            log.exception("audio retention failed")


def _thread_publisher(app: Litestar) -> Publish:
    """Publish from a worker thread onto the app's channels (which live on the event loop)."""
    loop = asyncio.get_running_loop()
    channels = app.plugins.get(ChannelsPlugin)

    def publish(review_id: int, event: dict[str, Any]) -> None:
        # A closed loop means the service is shutting down: nobody is listening any more.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(channels.publish, event, review_channel(review_id))

    return publish


@asynccontextmanager
async def transcription_lifespan(app: Litestar) -> AsyncIterator[None]:
    """Give the app its transcriber and its job runner: a SAQ queue, this process's thread, or none."""
    settings: Settings = app.state.settings
    try:
        app.state.transcriber = make_transcriber(settings)
        # Live passes get a model of their own (a second copy of the weights: +80 MiB RSS with tiny.en,
        # measured after one pass on each). Its computation keeps the process's priority while
        # uploads compute DEBRIEF_WHISPER_UPLOAD_NICE steps nicer, so an upload in this process uses
        # the cores live passes leave. On one shared model a pass waited behind upload calls and
        # then shared the cores with them: one speaker beside an upload, word delay p50/p95
        # 1.88/5.07 -> 4.58/8.23 s. Holding upload calls back during each pass (a priority gate in
        # front of the model) gave 3.17/9.22: the calls already running still took both workers.
        app.state.live_transcriber = make_transcriber(settings, live=True)
    except ModelNotFoundError as exc:
        # The service stays useful without speech: typed transcripts, drafts, the record.
        log.error("transcription is unavailable: %s", exc)
        app.state.transcriber = app.state.live_transcriber = None
        app.state.transcription_error = str(exc)
    app.state.transcription_worker = None
    # Handlers that run in worker threads (typed segments) publish through this, after their commit.
    app.state.publish_event = _thread_publisher(app)
    jobs: Jobs | None = None
    if settings.queue.url:
        queue = SaqJobs(settings)
        await queue.start()
        jobs = queue
    elif app.state.transcriber is not None and settings.whisper.in_process_worker:
        worker = TranscriptionWorker(
            settings=settings,
            session_factory=app.state.session_factory,
            transcriber=app.state.transcriber,
            publish=app.state.publish_event,
        )
        worker.start()
        app.state.transcription_worker = jobs = worker
    app.state.jobs = jobs
    try:
        yield
    finally:
        if isinstance(jobs, SaqJobs):
            await jobs.stop()
        if app.state.transcription_worker is not None:
            await asyncio.to_thread(app.state.transcription_worker.stop)
