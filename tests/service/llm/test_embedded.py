"""The supervisor against the real llama.cpp server: start on demand, restart after a crash, stop."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from openai import OpenAI

from service.llm.embedded import EmbeddedServer

pytestmark = pytest.mark.slow


def test_the_server_starts_lazily_restarts_after_dying_and_stops(embedded_server: EmbeddedServer):
    url = embedded_server.base_url()
    assert httpx.get(url + "/models", timeout=5).json()["data"][0]["id"] == embedded_server.alias
    starts = embedded_server.starts
    os.kill(embedded_server._process.pid, signal.SIGKILL)  # type: ignore[union-attr]
    embedded_server._process.wait(timeout=10)  # type: ignore[union-attr]
    restarted = embedded_server.base_url()
    assert embedded_server.starts == starts + 1
    assert httpx.get(restarted + "/models", timeout=5).status_code == 200
    embedded_server.stop()
    assert not embedded_server.running()
    with pytest.raises(httpx.TransportError):
        httpx.get(restarted + "/models", timeout=2)


def test_the_server_answers_a_chat_completion(embedded_server: EmbeddedServer):
    # Cassettes replay the protocol but never run the model: this is the one place the suite makes
    # the real server generate. A llama.cpp build that uses CPU instructions the machine cannot run
    # (AMX inside a VM) served /v1/models and crashed on the first completion.
    client = OpenAI(base_url=embedded_server.base_url(), api_key="local", timeout=60, max_retries=0)
    answer = client.chat.completions.create(
        model=embedded_server.alias,
        messages=[{"role": "user", "content": "Name one colour."}],
        max_tokens=8,
        temperature=0,
    )
    assert answer.choices[0].message.content.strip()
    assert answer.usage is not None and answer.usage.completion_tokens > 0
    assert embedded_server.running()


def test_the_server_runs_at_a_lower_cpu_priority_than_debrief(embedded_server: EmbeddedServer):
    embedded_server.base_url()
    assert embedded_server.nice == 10  # the default: drafting is background work
    expected = min(19, os.getpriority(os.PRIO_PROCESS, 0) + 10)  # nice stops at 19
    assert _nice(embedded_server._process.pid) == expected  # type: ignore[union-attr]


def test_the_server_does_not_outlive_a_debrief_process_that_dies_without_stopping_it(tmp_path):
    script = (
        "import os; from pathlib import Path; from service.llm.embedded import EmbeddedServer; "
        "from service.llm.model import default_model; "
        f"s = EmbeddedServer(default_model(), log_path=Path({str(tmp_path / 'server.log')!r})); s.base_url(); "
        "print(s._process.pid, flush=True); os._exit(0)"
    )
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=120)
    pid = int(done.stdout.split()[-1])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.2)
    assert not _alive(pid), f"llama.cpp server {pid} outlived its parent"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"  # a zombie has already exited
    except FileNotFoundError:
        return False


def _nice(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[16])  # field 19, after the command name
