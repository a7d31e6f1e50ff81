"""The review's live sockets: one per speaking participant, one per reader.

`/api/reviews/{id}/live` carries one participant's microphone (wire format in transcription/live.py:
binary messages of 16 kHz mono PCM16 LE, then the text `{"type": "stop"}`). The server sends
`{"type": "ready", ...}` once the stream may start, `{"type": "finished", "segments": n}` after a
stop, and closes with a reason: 1000 done, 1007 bad message, 1008 faster than real time,
4000 + HTTP status when refused (4403 wrong Origin or not taking part, 4404 no such review,
4409 review closed, 4503 no speech model). Without a session or token the authentication
middleware refuses the handshake itself, with the reason "Sign in first ...".
A muted client keeps sending audio messages, of exact zeros (the room's Mute button does): the
stream's clock stays in step with the call, nothing is transcribed, and the stream does not count
as a speaker when passes choose their window (service/live/passes.py).

`/api/reviews/{id}/events` streams the review's events (see service/live/events.py) to anyone
who may read the review. Both are plain handlers rather than Litestar's WebSocket listeners: they
must accept first and close with a reason when refused (browsers never see a refused handshake's
status), and the speaker socket reads and transcribes concurrently.
"""

from __future__ import annotations

import asyncio

from anyio.to_thread import run_sync
from litestar import WebSocket, websocket
from litestar.channels import ChannelsPlugin
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import SkipValidation

from service.api.types import PathId
from service.errors import DebriefError
from service.live.access import check_origin, check_reader, close_code, close_reason, open_speaker
from service.live.events import review_channel
from service.live.passes import LivePasses
from service.live.stream import LiveStream
from transcription.types import SAMPLE_RATE
from transcription.whisper import FULL_WINDOW_S, WhisperTranscriber


@websocket("/api/reviews/{review_id:int}/live")
async def live_audio(
    socket: WebSocket, review_id: PathId, channels: NamedDependency[SkipValidation[ChannelsPlugin]]
) -> None:
    await socket.accept()
    state = socket.app.state
    try:
        viewer = check_origin(socket)
        speaker = await run_sync(open_speaker, state.session_factory, state.settings, viewer, review_id)
    except DebriefError as exc:
        await socket.close(code=close_code(exc), reason=close_reason(exc.detail))
        return
    if state.live_transcriber is None:
        reason = getattr(state, "transcription_error", "no speech model is installed")
        await socket.close(code=4503, reason=close_reason(f"Live transcription is unavailable: {reason}"))
        return
    ready = {"type": "ready", "speaker": speaker.name, "sample_rate": SAMPLE_RATE, "format": "pcm_s16le"}
    # Where second 0 of this stream sits on the review's clock (the times of stored segments).
    await socket.send_json({**ready, "clock_s": round(speaker.offset_s, 3)})
    stream = LiveStream(
        socket,
        speaker,
        settings=state.settings,
        session_factory=state.session_factory,
        channels=channels,
        passes=live_passes_of(state),
    )
    await stream.run()


def live_passes_of(state: State) -> LivePasses:
    """The process's one queue of live passes, shared by every speaker (made on the loop, on first use)."""
    if getattr(state, "live_passes", None) is None:
        live = state.live_transcriber
        crowded = None
        if isinstance(live, WhisperTranscriber):
            crowded = live.with_short_window()
            alone_s = state.settings.whisper.live_alone_window_s
            if alone_s < FULL_WINDOW_S:
                live = live.with_short_window(min_s=alone_s)
        state.live_passes = LivePasses(live, crowded=crowded)
    return state.live_passes


@websocket("/api/reviews/{review_id:int}/events")
async def review_events(
    socket: WebSocket, review_id: PathId, channels: NamedDependency[SkipValidation[ChannelsPlugin]]
) -> None:
    await socket.accept()
    state = socket.app.state
    try:
        viewer = check_origin(socket)
        await run_sync(check_reader, state.session_factory, state.settings, viewer, review_id)
    except DebriefError as exc:
        await socket.close(code=close_code(exc), reason=close_reason(exc.detail))
        return
    async with channels.start_subscription(review_channel(review_id)) as subscriber:
        await socket.send_json({"type": "subscribed", "review_id": review_id})
        async with subscriber.run_in_background(socket.send_text):
            # Readers only listen; reading here is how a closed connection is noticed.
            while (await socket.receive())["type"] != "websocket.disconnect":
                await asyncio.sleep(0)


LIVE_HANDLERS = [live_audio, review_events]
