"""A worker's events reach readers in the order the job produced them (real Redis)."""

from __future__ import annotations

import asyncio
import threading

import pytest
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from litestar.serialization import decode_json
from redis.asyncio import Redis

from service.live.events import REDIS_CHANNEL_PREFIX, RedisEventPublisher, review_channel

pytestmark = pytest.mark.slow


def test_events_published_from_a_job_thread_arrive_in_the_order_they_were_published(redis_url: str) -> None:
    count = 300

    async def scenario() -> list[int]:
        reader = RedisChannelsPubSubBackend(redis=Redis.from_url(redis_url), key_prefix=REDIS_CHANNEL_PREFIX)
        await reader.on_startup()
        await reader.subscribe([review_channel(7)])
        publisher = RedisEventPublisher(redis_url)
        loop = asyncio.get_running_loop()

        def job() -> None:  # what `transcribe_recording` does: hand each event to the loop, no waiting
            for n in range(count):
                asyncio.run_coroutine_threadsafe(publisher.publish(7, {"type": "segment", "n": n}), loop)

        thread = threading.Thread(target=job)
        thread.start()
        received: list[int] = []
        try:
            async with asyncio.timeout(30):
                async for _, payload in reader.stream_events():
                    received.append(decode_json(payload)["n"])
                    if len(received) == count:
                        break
        finally:
            thread.join()
            await publisher.close()
            await reader.on_shutdown()
        return received

    assert asyncio.run(scenario()) == list(range(count))
