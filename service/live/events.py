"""Live events of a review, fanned out through Litestar Channels.

Every event is a JSON object with a `type`:

- `segment`: a committed transcript segment (`segment` holds the same shape as
  `GET /api/reviews/{id}/segments`), plus, for live speech, `words`: `[[start_s, end_s, text], ...]`
  on the same clock (the record itself keeps sentences) and `complete`. A live sentence's segment
  is published as soon as its first words are committed, then again under the same id each time
  more are (its text only grows at the end), until `complete` is true: replace by id;
- `provisional`: `{person_id, speaker, text, provisional: true}` — what a live speaker is saying
  right now, not yet committed; each one replaces that speaker's previous provisional text, and
  an empty `text` clears it;
- `recording`: an uploaded recording's transcription progress (as `GET .../recordings/{id}`).
- `segment_removed`: `{segment_id}` — a person struck a segment from the transcript;
- `recording_removed`: `{recording_id, segment_ids}` — an upload was removed, and with it the
  transcript segments made from it (re-read the transcript).

The in-memory backend serves one process (the single-machine default). With
`DEBRIEF_WEB_EVENTS_URL` set, Litestar's Redis pub/sub backend carries every event, so a
participant connected to any app process sees events produced by any other process or by a
`debrief worker` (which publishes through `RedisEventPublisher`, the same backend class, without
an app). Pub/sub keeps no history: a client that reconnects re-reads the transcript over HTTP.
"""

from __future__ import annotations

import asyncio
from typing import Any

from litestar.channels import ChannelsBackend, ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from litestar.serialization import encode_json
from redis.asyncio import Redis

from service.settings import Settings

# One prefix for every Debrief key in a Redis shared with other software.
REDIS_CHANNEL_PREFIX = "debrief"


def review_channel(review_id: int) -> str:
    return f"review:{review_id}"


def make_channels_backend(settings: Settings) -> ChannelsBackend:
    if not settings.web.events_url:
        return MemoryChannelsBackend()
    return RedisChannelsPubSubBackend(redis=Redis.from_url(settings.web.events_url), key_prefix=REDIS_CHANNEL_PREFIX)


def make_channels_plugin(settings: Settings) -> ChannelsPlugin:
    # Channels are created per review on first use; a slow reader loses its oldest events rather
    # than making the memory of the process grow (it can re-read the transcript over HTTP).
    return ChannelsPlugin(
        backend=make_channels_backend(settings),
        arbitrary_channels_allowed=True,
        subscriber_max_backlog=1000,
        subscriber_backlog_strategy="dropleft",
    )


class RedisEventPublisher:
    """Publish review events from a process that has no web app (a `debrief worker`).

    Uses the backend class the app's ChannelsPlugin uses, with the plugin's JSON encoding, so a
    subscriber cannot tell which process an event came from.
    """

    def __init__(self, url: str) -> None:
        self._redis = Redis.from_url(url)
        self._backend = RedisChannelsPubSubBackend(redis=self._redis, key_prefix=REDIS_CHANNEL_PREFIX)
        # One publish at a time, in the order they were asked for. Concurrent publishes take
        # separate pooled connections and can reach Redis in either order, so a reader saw segment
        # 2 before segment 1. The app's ChannelsPlugin orders its own publishes through one queue;
        # asyncio.Lock wakes its waiters first in, first out, which gives the same guarantee here.
        self._in_order = asyncio.Lock()

    async def publish(self, review_id: int, event: dict[str, Any]) -> None:
        async with self._in_order:
            await self._backend.publish(encode_json(event), [review_channel(review_id)])

    async def close(self) -> None:
        await self._redis.aclose()
