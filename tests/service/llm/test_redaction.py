"""Personal data and named secrets never leave the machine for a remote model endpoint."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from service.domain.drafting.compose import AnswerDraft
from service.llm import LLMClient, load_prompt
from service.llm.redaction import is_local, redact


def test_emails_phones_and_named_terms_are_replaced_but_review_numbers_are_not():
    text = (
        "Call Dana on +44 20 7946 0958 or dana.k@example.org about Project Nightjar. "
        "We signed 11 of 40 by June 30; 9,300 requests failed at 14:30 in 2026."
    )
    redacted, count = redact(text, terms=["project nightjar"])
    assert count == 3
    assert "[phone]" in redacted and "[email]" in redacted and "[redacted]" in redacted
    assert "Nightjar" not in redacted and "example.org" not in redacted and "7946" not in redacted
    for kept in ("11 of 40", "June 30", "9,300", "14:30", "2026"):
        assert kept in redacted


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:8080/v1", True),
        ("http://localhost:11434/v1", True),
        ("http://[::1]:8000/v1", True),
        ("https://api.openai.com/v1", False),
        ("http://10.0.0.5:8000/v1", False),
    ],
)
def test_only_loopback_endpoints_count_as_local(url, local):
    assert is_local(url) is local


class _Recorder(BaseHTTPRequestHandler):
    bodies: list[dict] = []

    def do_POST(self) -> None:
        self.bodies.append(json.loads(self.rfile.read(int(self.headers["content-length"]))))
        call = {
            "id": "c1",
            "type": "function",
            "function": {"name": "AnswerDraft", "arguments": json.dumps({"text": "We signed 11.", "citations": [1]})},
        }
        body = json.dumps(
            {
                "id": "x",
                "object": "chat.completion",
                "created": 0,
                "model": "m",
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "tool_calls",
                        "message": {"role": "assistant", "content": None, "tool_calls": [call]},
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
            }
        ).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[dict]]]:
    handler = type("Handler", (_Recorder,), {"bodies": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", handler.bodies
    server.shutdown()


def test_the_request_that_leaves_carries_placeholders_and_the_call_counts_them(recorder):
    url, bodies = recorder
    client = LLMClient(base_url=url, model="m", redact_terms=("Nightjar",))
    assert client.redact is False  # loopback: nothing leaves the machine, nothing is redacted
    client.redact = True  # behave as for a remote endpoint, while the bytes still go to our recorder
    evidence = [{"id": 1, "speaker": "Dana", "text": "Mail dana.k@example.org or +44 20 7946 0958 re Nightjar."}]
    result = client.complete(
        load_prompt("draft_answer"),
        schema=AnswerDraft,
        variables={"question": "Q?", "failure": "f", "evidence": evidence, "problems": []},
    )
    sent = json.dumps(bodies[-1])
    assert "dana.k@example.org" not in sent and "7946" not in sent and "Nightjar" not in sent
    assert "[email]" in sent and "[phone]" in sent and "[redacted]" in sent
    assert result.redactions == 3 and result.call_record()["redactions"] == 3
