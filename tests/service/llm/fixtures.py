"""Model fixtures shared by the llm and drafting tests: cassettes recorded from the real embedded llama.cpp server.

Cassettes replay by default and are never written in CI (``CI=true`` → ``record_mode="none"``).
``make record`` sets DEBRIEF_RECORD_CASSETTES=1, which starts the real embedded server and records
afresh. Requests match on method, path and body — not host or port, which change on every start.
Authorization, cookie and organisation headers are filtered out before anything is written.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import vcr

from service.llm.client import LLMClient
from service.llm.embedded import EmbeddedServer
from service.llm.model import default_model

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
RECORDING = os.environ.get("DEBRIEF_RECORD_CASSETTES") == "1"
REPLAY_URL = "http://127.0.0.1:9/v1"  # nothing listens here: a request missing from a cassette fails loudly
SECRET_HEADERS = ["authorization", "cookie", "set-cookie", "openai-organization", "openai-project", "x-api-key"]
MODEL = "SmolLM2-135M-Instruct.Q4_1"


def record_mode() -> str:
    if os.environ.get("CI", "").lower() in {"1", "true"}:
        return "none"
    return "all" if RECORDING else "once"


recorder = vcr.VCR(
    cassette_library_dir=str(CASSETTES),
    record_mode=record_mode(),
    match_on=["method", "path", "body"],
    filter_headers=SECRET_HEADERS,
    decode_compressed_response=True,
)


@pytest.fixture(scope="session")
def embedded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    """The real embedded server, started on first use and stopped at the end of the session."""
    server = EmbeddedServer(default_model(), log_path=tmp_path_factory.mktemp("llm") / "server.log")
    yield server
    server.stop()


@pytest.fixture
def recorded_llm(request: pytest.FixtureRequest) -> Iterator[LLMClient]:
    """An LLMClient whose HTTP traffic comes from ``tests/cassettes/<test name>.yaml``."""
    name = f"{request.node.name}.yaml"
    if RECORDING or not (CASSETTES / name).exists():
        if record_mode() == "none":
            pytest.fail(f"cassette {name} is missing; record it with `make record` (never in CI)")
        base_url = request.getfixturevalue("embedded_server").base_url()
    else:
        base_url = REPLAY_URL
    with recorder.use_cassette(name):
        yield LLMClient(base_url=base_url, model=MODEL, timeout_s=60)
