"""One participant's live audio stream: PCM in, stored segments and channel events out.

Receiving and transcribing are separate tasks. The receiver only queues messages, so the socket
is always read promptly; the processor takes everything queued, joins consecutive audio messages
into one `feed` (when a pass was slow, the next pass covers the backlog in one go instead of
falling further behind), and runs Whisper in a worker thread — never on the event loop. Each batch
of committed words is stored in its own short transaction: a sentence's segment is stored with its
first committed words and grows (append only) as more are committed, each time published again
under the same id with `complete` false until the sentence has ended.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import msgspec
from anyio.to_thread import run_sync
from litestar.channels import ChannelsPlugin
from litestar.connection import WebSocket
from litestar.status_codes import WS_1000_NORMAL_CLOSURE, WS_1007_INVALID_FRAME_PAYLOAD_DATA, WS_1008_POLICY_VIOLATION
from sqlalchemy.orm import Session, sessionmaker

from service.db.engine import unit_of_work
from service.domain.services import build_services
from service.domain.transcripts.schemas import SegmentOut
from service.domain.transcripts.service import NewSegment, SegmentNotFound, TranscriptService
from service.errors import DebriefError
from service.live.access import Speaker, close_code, close_reason
from service.live.events import review_channel
from service.live.passes import LivePasses, OpenStream
from service.models import Person, Review, SegmentSource
from service.models import Segment as Row
from service.settings import Settings
from transcription.errors import StreamFormatError, TranscriptionError
from transcription.live import LiveSegment, LiveUpdate, OnlineSession
from transcription.types import SAMPLE_RATE, Segment

log = logging.getLogger("debrief")
# A client may not run more than this far ahead of transcription: real-time senders never do,
# and an unbounded queue would let one socket fill the server's memory.
MAX_BACKLOG_S = 60.0
MUTED_AFTER_S = 1.5  # of exact zeros in a row: longer than a speaker's pause between turns
Message = bytes | str | None  # None: the client disconnected


class LiveStream:
    def __init__(
        self,
        socket: WebSocket,
        speaker: Speaker,
        *,
        settings: Settings,
        session_factory: sessionmaker[Session],
        channels: ChannelsPlugin,
        passes: LivePasses,
    ) -> None:
        self.socket = socket
        self.speaker = speaker
        self.settings = settings
        self.factory = session_factory
        self.channels = channels
        self.channel = review_channel(speaker.review_id)
        self.session = OnlineSession(
            passes.transcriber,
            step_s=settings.whisper.live_step_s,
            pause_s=settings.whisper.live_pause_commit_s,
            earlier_passes=settings.whisper.live_earlier_passes,
        )
        self._passes = passes
        self._inbox: asyncio.Queue[Message] = asyncio.Queue()
        self._backlog_bytes = 0
        self._provisional = ""
        self._rows: dict[int, int] = {}  # sentence number -> stored segment id, while it may grow
        self._texts: dict[int, str] = {}  # stored segment id -> the text this stream stored in it last
        self._struck: dict[int, int] = {}  # sentence number -> its first words, struck by a person while it grew
        self.stored = 0

    async def run(self) -> None:
        """Serve the stream until the client stops, disconnects or breaks the wire format."""
        receiver = asyncio.create_task(self._receive())
        try:
            with self._passes.open() as stream:
                await self._process(stream)
        finally:
            receiver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await receiver

    async def _receive(self) -> None:
        while True:
            event = await self.socket.receive()
            if event["type"] == "websocket.disconnect":
                await self._inbox.put(None)
                return
            audio, text = event.get("bytes"), event.get("text")
            if isinstance(audio, bytes):
                self._backlog_bytes += len(audio)
                await self._inbox.put(audio)
            else:
                await self._inbox.put(text if isinstance(text, str) else "")

    async def _process(self, stream: OpenStream) -> None:
        zeros_s = 0.0  # seconds of exact zeros received since the last sound
        while True:
            batch = [await self._inbox.get(), *self._drain()]
            for message in batch:  # muted: the room sends exact zeros (see LivePasses)
                if isinstance(message, bytes):
                    zeros_s = 0.0 if message.strip(b"\0") else zeros_s + len(message) / (2 * SAMPLE_RATE)
            # Only a run of zeros longer than a pause counts as muted: synthesised speech pauses in
            # exact zeros, and a speaker counted out between two sentences made the others' passes
            # take the full window (3 speakers, 5 minutes: p95 10.2 s with any all-zero batch).
            stream.sounding = zeros_s < MUTED_AFTER_S
            if not self._transcribes(batch):
                if await self._handle(batch):
                    return
                continue
            # One pass at a time in the process (see LivePasses). Audio that arrived while this
            # stream waited joins its pass, so a stream that waits covers more per pass.
            async with self._passes.turn:
                if await self._handle([*batch, *self._drain()]):
                    return

    def _drain(self) -> list[Message]:
        taken = []
        while not self._inbox.empty():
            taken.append(self._inbox.get_nowait())
        return taken

    def _transcribes(self, batch: list[Message]) -> bool:
        """Will handling `batch` run Whisper (enough new audio, a stop, or a disconnect)?"""
        audio = sum(len(m) // 2 for m in batch if isinstance(m, bytes))
        return any(not isinstance(m, bytes) for m in batch) or audio >= self.session.samples_before_pass

    async def _handle(self, batch: list[Message]) -> bool:
        """Feed a batch of messages to the session; True when the stream has ended."""
        for message in _join_audio(batch):
            if message is None:  # gone mid-sentence: keep what was said up to here
                await self._apply(await run_sync(self.session.finish))
                return True
            if isinstance(message, bytes):
                self._backlog_bytes -= len(message)
            if self._backlog_bytes > MAX_BACKLOG_S * SAMPLE_RATE * 2:
                await self._finish_and_close(
                    WS_1008_POLICY_VIOLATION, "Audio is arriving faster than real time; send it as it is recorded."
                )
                return True
            try:
                update = await run_sync(self.session.receive, message)
            except StreamFormatError as exc:
                await self._finish_and_close(WS_1007_INVALID_FRAME_PAYLOAD_DATA, str(exc))
                return True
            except TranscriptionError as exc:
                await self._close(4503, f"Transcription is unavailable: {exc}")
                return True
            if not await self._apply(update):
                return True
            if update.finished:
                await self._send({"type": "finished", "segments": self.stored})
                await self._close(WS_1000_NORMAL_CLOSURE, "Stream stopped; the transcript is saved.")
                return True
        return False

    async def _apply(self, update: LiveUpdate) -> bool:
        """Store and publish an update; False when the record refused it (the socket is closed)."""
        if update.segments:
            try:
                stored = await run_sync(self._store, update.segments)
            except DebriefError as exc:
                await self._close(close_code(exc), exc.detail)
                return False
            for segment in stored:
                self.channels.publish({"type": "segment", "segment": segment}, self.channel)
        if update.provisional != self._provisional or update.segments:
            self._provisional = update.provisional
            self.channels.publish(
                {
                    "type": "provisional",
                    "provisional": True,
                    "person_id": self.speaker.person_id,
                    "speaker": self.speaker.name,
                    "text": update.provisional,
                },
                self.channel,
            )
        return True

    def _store(self, segments: tuple[LiveSegment, ...]) -> list[dict[str, Any]]:
        """Store new sentences and grow the ones in progress; return their events, in order."""
        spoken = [s for s in segments if s.segment.text.strip()]
        if not spoken:
            return []
        offset = self.speaker.offset_s
        with unit_of_work(self.factory) as session:
            person = session.get(Person, self.speaker.person_id)
            services = build_services(session, self.settings, viewer=person)
            review = services.reviews.get(self.speaker.review_id)
            stored = [(live, self._store_one(services.transcripts, review, person, live)) for live in spoken]
            events = [(live, msgspec.to_builtins(SegmentOut.of(row))) for live, row in stored if row is not None]
        for live in spoken:
            if live.complete:
                self._texts.pop(self._rows.pop(live.number, -1), None)
                self._struck.pop(live.number, None)
        for live, event in events:
            # Word timings travel with the event only (the record keeps sentences): a client can
            # place each word, and the live benchmark measures each word's delay from them.
            words = [w for w in live.segment.words if offset + w.start >= event["start_s"] - 0.001]
            event["words"] = [[round(offset + w.start, 3), round(offset + w.end, 3), w.text] for w in words]
            event["complete"] = live.complete
        return [event for _live, event in events]

    def _store_one(
        self, transcripts: TranscriptService, review: Review, person: Person | None, live: LiveSegment
    ) -> Row | None:
        segment = _tail(live.segment, self._struck.get(live.number, 0))
        row_id = self._rows.get(live.number)
        if row_id is not None:
            offset, confidence = self.speaker.offset_s, min(max(segment.confidence, 0.0), 1.0)
            end_s = round(offset + max(segment.end, segment.start), 3)
            was = self._texts.pop(row_id, "")
            try:
                # `was`: what this stream stored last, so words added after a person's correction follow it.
                row = transcripts.extend(
                    review, row_id, text=segment.text, end_s=end_s, confidence=confidence, actor=person, was=was
                )
            except SegmentNotFound:
                # A person struck the sentence while it grew: only what is said after that is stored.
                del self._rows[live.number]
                struck = len(was.split())
                self._struck[live.number] = self._struck.get(live.number, 0) + struck
                segment = _tail(segment, struck)
            else:
                self._texts[row_id] = segment.text
                return row
        if not segment.words:  # every word of it was struck, and nothing new was said
            return None
        return self._add(transcripts, review, person, live.number, segment)

    def _add(
        self, transcripts: TranscriptService, review: Review, person: Person | None, number: int, segment: Segment
    ) -> Row:
        offset = self.speaker.offset_s
        new = NewSegment(
            speaker=self.speaker.name, person_id=self.speaker.person_id, text=segment.text,
            start_s=round(offset + segment.start, 3), end_s=round(offset + max(segment.end, segment.start), 3),
            source=SegmentSource.LIVE, confidence=min(max(segment.confidence, 0.0), 1.0),
        )  # fmt: skip
        (row,) = transcripts.add(review, [new], actor=person)
        self._rows[number] = row.id
        self._texts[row.id] = segment.text
        self.stored += 1
        return row

    async def _finish_and_close(self, code: int, reason: str) -> None:
        # Commit what was already heard before refusing the rest: words spoken are never dropped.
        if await self._apply(await run_sync(self.session.finish)):
            await self._close(code, reason)

    async def _send(self, event: dict[str, Any]) -> None:
        with contextlib.suppress(Exception):  # the client may already be gone; nothing to tell it
            await self.socket.send_json(event)

    async def _close(self, code: int, reason: str) -> None:
        log.info(
            "live stream of %s in review %s closed: %s %s", self.speaker.name, self.speaker.review_id, code, reason
        )
        with contextlib.suppress(Exception):
            await self.socket.close(code=code, reason=close_reason(reason))


def _tail(segment: Segment, skip: int) -> Segment:
    """``segment`` without its first ``skip`` words."""
    if not skip:
        return segment
    rest = segment.words[skip:]
    if not rest:
        return Segment(segment.end, segment.end, "", (), segment.confidence)
    return Segment(rest[0].start, rest[-1].end, " ".join(w.text for w in rest), rest, segment.confidence)


def _join_audio(batch: list[Message]) -> list[Message]:
    """Join consecutive well-formed audio messages; keep text, odd-sized audio and None apart."""
    joined: list[Message] = []
    for message in batch:
        previous = joined[-1] if joined else None
        if isinstance(message, bytes) and isinstance(previous, bytes) and not (len(message) % 2 or len(previous) % 2):
            joined[-1] = previous + message
        else:
            joined.append(message)
    return joined
