"""`debrief worker`: run background jobs from the SAQ queue in a process of their own.

Jobs:

- `transcribe_recording(recording_id)` — the same `run_transcription_job` the single-machine thread
  runs, in a worker thread, beating SAQ's heartbeat while it works. A worker killed mid-job stops
  beating; another worker's sweep retries the job, which resumes after the last stored chunk
  (segments are keyed per chunk, so the retry stores none twice).
- every minute, `requeue_unfinished`: recordings the database says are unfinished are enqueued
  again (a no-op for those already queued or running: the job key is the recording). The database
  is the source of truth, so a Redis that restarted empty, or an upload whose enqueue failed, loses
  nothing.
- every hour, `apply_retention`: delete raw audio older than the retention setting.
- every ten minutes, `reconcile_index`: bring the similarity index in step with the database.

Events (transcript segments, progress) go to Redis through the same Channels backend class the
app uses, so participants connected to any app process see them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from dataclasses import dataclass
from typing import Any, cast

from saq import CronJob, Queue, Worker
from saq.types import PartialTimersDict
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from service.db.engine import make_engine, make_session_factory, unit_of_work
from service.domain.recordings.retention import apply_audio_retention
from service.domain.recordings.service import unfinished_recording_ids
from service.domain.similarity.startup import open_or_warn
from service.jobs.queue import TRANSCRIBE, make_queue, transcription_job
from service.jobs.transcription import make_transcriber, run_transcription_job
from service.live.events import RedisEventPublisher
from service.settings import Settings
from transcription.types import Transcriber

log = logging.getLogger("debrief")
Context = dict[str, Any]


@dataclass
class WorkerState:
    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    transcriber: Transcriber
    publisher: RedisEventPublisher | None
    queue: Queue


async def transcribe_recording(ctx: Context, *, recording_id: int) -> str:
    state: WorkerState = ctx["debrief"]
    job = ctx["job"]
    loop = asyncio.get_running_loop()
    stop = threading.Event()

    def publish(review_id: int, event: dict[str, Any]) -> None:
        if state.publisher is not None:  # called from the job's thread: hand over to the loop
            asyncio.run_coroutine_threadsafe(state.publisher.publish(review_id, event), loop)

    async def beat() -> None:
        while True:
            await asyncio.sleep(state.settings.queue.heartbeat_s)
            await job.update()

    work = asyncio.ensure_future(
        asyncio.to_thread(
            run_transcription_job,
            recording_id,
            settings=state.settings,
            session_factory=state.factory,
            transcriber=state.transcriber,
            publish=publish,
            stop=stop,
        )
    )
    heart = asyncio.create_task(beat())
    try:
        return await asyncio.shield(work)
    except asyncio.CancelledError:
        # The worker is shutting down (or SAQ aborted the job): finish the chunk in progress so it
        # is stored, leave the recording queued, and let SAQ retry the job elsewhere.
        stop.set()
        with contextlib.suppress(Exception):
            await work
        raise
    finally:
        heart.cancel()


async def requeue_unfinished(ctx: Context) -> int:
    state: WorkerState = ctx["debrief"]
    ids = await asyncio.to_thread(_unfinished, state.factory)
    for recording_id in ids:
        await state.queue.enqueue(transcription_job(recording_id, state.settings.queue))
    return len(ids)


async def apply_retention(ctx: Context) -> None:
    state: WorkerState = ctx["debrief"]
    await asyncio.to_thread(apply_audio_retention, state.factory, state.settings)


async def reconcile_index(ctx: Context) -> None:
    state: WorkerState = ctx["debrief"]

    def reconcile() -> None:
        index = open_or_warn(state.settings, state.factory)
        if index is not None:
            index.close()

    await asyncio.to_thread(reconcile)


def _unfinished(factory: sessionmaker[Session]) -> list[int]:
    with unit_of_work(factory, write=False) as session:
        return unfinished_recording_ids(session)


def build_worker(settings: Settings) -> Worker:
    """A SAQ worker for the configured queue, with Debrief's jobs and their resources."""
    if not settings.queue.url:
        raise ValueError("DEBRIEF_QUEUE_URL is empty: there is no queue to work from (jobs run in the web process).")
    queue = make_queue(settings)
    engine = make_engine(settings)
    state = WorkerState(
        settings=settings,
        engine=engine,
        factory=make_session_factory(engine),
        transcriber=make_transcriber(settings),
        publisher=RedisEventPublisher(settings.web.events_url) if settings.web.events_url else None,
        queue=queue,
    )
    if state.publisher is None:
        log.warning("DEBRIEF_WEB_EVENTS_URL is empty: transcripts are stored but not pushed to open review rooms")

    async def startup(ctx: Context) -> None:
        ctx["debrief"] = state
        queued = await requeue_unfinished(ctx)
        log.info("worker %s ready (%d unfinished recording(s) queued)", settings.queue.url, queued)

    async def shutdown(ctx: Context) -> None:
        if state.publisher is not None:
            await state.publisher.close()
        engine.dispose()

    # Not SAQ's settings dict: the Worker constructor is the documented, typed entry point.
    return Worker(
        queue,
        functions=[(TRANSCRIBE, transcribe_recording)],
        cron_jobs=[
            CronJob(requeue_unfinished, cron="* * * * *", timeout=60),
            CronJob(apply_retention, cron="17 * * * *", timeout=3600),
            CronJob(reconcile_index, cron="*/10 * * * *", timeout=3600),
        ],
        concurrency=settings.queue.concurrency,
        startup=startup,
        shutdown=shutdown,
        # SAQ merges these over its defaults; its TypedDict still lists every key as required.
        timers=cast(PartialTimersDict, {"sweep": settings.queue.sweep_s, "schedule": 1}),
        shutdown_grace_period_s=30,
    )
