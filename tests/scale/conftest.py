"""Fixtures for tests on the real engines (Redis here; PostgreSQL comes from the root conftest)."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator

import pytest
import redis

REDIS_URL = os.environ.get("DEBRIEF_TEST_REDIS_URL", "")


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis database of its own for this test (queue keys are per database; events carry review ids)."""
    if not REDIS_URL:
        pytest.skip("DEBRIEF_TEST_REDIS_URL is not set; multi-process tests skipped (CI always sets it)")
    url = f"{REDIS_URL.rstrip('/')}/{random.randint(1, 15)}"
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    except redis.RedisError as exc:  # configured but down: fail, never skip
        pytest.fail(f"DEBRIEF_TEST_REDIS_URL={REDIS_URL} is set but unreachable: {exc}")
    yield url
    client.flushdb()
    client.close()
