"""Where background jobs go: a thread of the web process, or a SAQ queue served by `debrief worker`.

`DEBRIEF_QUEUE_URL` empty (the single-machine default): uploads are transcribed by the
`TranscriptionWorker` thread, nothing to install. Set to `redis://…` or `postgresql://…`: the app
only enqueues, and separate `debrief worker` processes run the jobs (`service.jobs.saq_worker`).

SAQ's defaults suit short web jobs (10 s timeout, no heartbeat, one attempt); a transcription runs
for minutes, so every job here carries the configured timeout, heartbeat and retries. A job's key
is derived from what it works on, so enqueuing the same work twice while it is queued or running
is a no-op, and the job itself resumes from what the database says is done.
"""

from __future__ import annotations

import logging
from typing import Protocol

from saq import Job, Queue

from service.settings import QueueSettings, Settings

log = logging.getLogger("debrief")
QUEUE_NAME = "debrief"
TRANSCRIBE = "transcribe_recording"


class Jobs(Protocol):
    """What the web process needs from whatever runs its background jobs."""

    async def transcribe(self, recording_id: int) -> None: ...


def transcription_job(recording_id: int, settings: QueueSettings) -> Job:
    return Job(
        function=TRANSCRIBE,
        kwargs={"recording_id": recording_id},
        key=f"recording:{recording_id}",
        timeout=settings.timeout_s,
        # SAQ sweeps a job whose heartbeat is older than this: twice the beat tolerates one late beat.
        heartbeat=2 * settings.heartbeat_s,
        retries=settings.retries,
        retry_delay=1.0,
        retry_backoff=True,
    )


def make_queue(settings: Settings) -> Queue:
    return Queue.from_url(settings.queue.url, name=QUEUE_NAME)


class SaqJobs:
    """Enqueue jobs for `debrief worker` processes (the app never runs them itself)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.queue = make_queue(settings)

    async def start(self) -> None:
        await self.queue.connect()

    async def stop(self) -> None:
        await self.queue.disconnect()

    async def transcribe(self, recording_id: int) -> None:
        # A queue that is down loses nothing: the recording is stored as queued, and every worker
        # re-enqueues unfinished recordings from the database when it starts and every minute.
        try:
            await self.queue.enqueue(transcription_job(recording_id, self.settings.queue))
        except Exception:
            log.exception("could not enqueue the transcription of recording %s; a worker will pick it up", recording_id)
