"""Endpoint down, slow, failing or answering garbage: each is a specific, retryable error.

These run against real sockets: a closed port, and a tiny local HTTP server that answers slowly, with
HTTP 500, or with a tool call whose arguments are not JSON.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from litestar import Request

from service.api.problems import debrief_error
from service.domain.drafting.compose import AnswerDraft
from service.llm import LLMBadOutput, LLMClient, LLMUnavailable, load_prompt

VARIABLES = {"question": "Q?", "failure": "f", "evidence": [{"id": 1, "speaker": "A", "text": "t"}], "problems": []}


def _garbage_completion() -> bytes:
    call = {"id": "c1", "type": "function", "function": {"name": "AnswerDraft", "arguments": '{"text": "unterminated'}}
    message = {"role": "assistant", "content": None, "tool_calls": [call]}
    body = {
        "id": "x", "object": "chat.completion", "created": 0, "model": "m",
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }  # fmt: skip
    return json.dumps(body).encode()


class _Handler(BaseHTTPRequestHandler):
    mode = "garbage"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        if self.mode == "slow":
            time.sleep(1.5)
        status, body = (
            (500, b'{"error": {"message": "model crashed"}}') if self.mode == "fail" else (200, _garbage_completion())
        )
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake_server(request: pytest.FixtureRequest) -> Iterator[str]:
    handler = type("Handler", (_Handler,), {"mode": request.param})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def _complete(base_url: str, timeout_s: float = 5.0) -> None:
    LLMClient(base_url=base_url, model="m", timeout_s=timeout_s).complete(
        load_prompt("draft_answer"), schema=AnswerDraft, variables=VARIABLES
    )


def test_an_endpoint_that_is_down_is_unavailable_and_says_where():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends: nothing listens there
    with pytest.raises(LLMUnavailable, match=rf"127.0.0.1:{port}.* cannot be reached.*Retry") as caught:
        _complete(f"http://127.0.0.1:{port}/v1")
    assert caught.value.status == 503 and caught.value.extra == {"retry": True}


@pytest.mark.parametrize("fake_server", ["slow"], indirect=True)
def test_a_slow_endpoint_times_out_with_the_setting_to_change(fake_server: str):
    with pytest.raises(LLMUnavailable, match=r"did not answer within 0\.3 s.*DEBRIEF_LLM_TIMEOUT_S"):
        _complete(fake_server, timeout_s=0.3)


@pytest.mark.parametrize("fake_server", ["fail"], indirect=True)
def test_a_server_error_is_unavailable_with_its_status(fake_server: str):
    with pytest.raises(LLMUnavailable, match="HTTP 500"):
        _complete(fake_server)


@pytest.mark.parametrize("fake_server", ["garbage"], indirect=True)
def test_garbage_output_is_a_bad_answer_keeping_the_raw_text(fake_server: str):
    with pytest.raises(LLMBadOutput, match="did not fit the AnswerDraft schema") as caught:
        _complete(fake_server)
    assert caught.value.raw_output == '{"text": "unterminated'


def test_the_web_layer_answers_503_with_retry_after_and_502_for_garbage():
    request = Request(scope={"type": "http", "method": "POST", "path": "/", "headers": []})  # type: ignore[typeddict-item]
    down = debrief_error(request, LLMUnavailable("The model at X cannot be reached."))
    assert down.status_code == 503 and down.headers["Retry-After"] == "2" and down.content["retry"] is True
    bad = debrief_error(request, LLMBadOutput("The model's answer did not fit."))
    assert bad.status_code == 502 and bad.content["title"] == "The drafting model gave an unusable answer"
