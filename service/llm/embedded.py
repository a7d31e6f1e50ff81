"""The embedded model server: llama-cpp-python's OpenAI-compatible server, supervised by Debrief.

Started lazily on the first draft (never at import), on a free loopback port, and talked to over HTTP
exactly like any other endpoint. If it dies it is started again on the next call; ``stop`` ends it on
shutdown. One server per process; drafting calls are serialised by llama.cpp itself.

It runs at a lower CPU priority (nice 10 by default, ``DEBRIEF_LLM_NICE``): a draft is background
work that may take seconds, while the room's reads and live events are waited on by people, so on
cores it shares with the web app they go first. It is the web app's child, in the same session, so
nice orders it against the app's threads even under the kernel's per-session autogroup scheduling.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path

import httpx

from service.llm.errors import LLMUnavailable
from service.llm.model import ModelFile, verify

log = logging.getLogger("debrief.llm")
LOOPBACK = "127.0.0.1"


class EmbeddedServer:
    """Start, watch and stop one ``python -m llama_cpp.server`` process."""

    def __init__(
        self,
        model: ModelFile,
        *,
        log_path: Path,
        context_tokens: int = 2048,
        threads: int = 2,
        nice: int = 10,
        startup_timeout_s: float = 60.0,
    ) -> None:
        self.model = model
        self.log_path = log_path
        self.context_tokens = context_tokens
        self.threads = threads
        self.nice = nice
        self.startup_timeout_s = startup_timeout_s
        self.starts = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._port: int | None = None
        self._lock = threading.Lock()

    @property
    def alias(self) -> str:
        return self.model.name

    def base_url(self) -> str:
        """The server's /v1 URL, starting (or restarting) the server when it is not running."""
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                if self._process is not None:
                    log.warning("embedded model server exited with %s; restarting", self._process.returncode)
                self._start()
            return f"http://{LOOPBACK}:{self._port}/v1"

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self) -> None:
        """End the server process (on shutdown); safe to call twice."""
        with self._lock:
            process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def _start(self) -> None:
        verify(self.model)
        self._port = _free_port()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(self.model.path), "--model_alias", self.alias,
            "--host", LOOPBACK, "--port", str(self._port),
            "--n_ctx", str(self.context_tokens), "--n_threads", str(self.threads),
        ]  # fmt: skip
        with self.log_path.open("ab") as sink:
            self._process = subprocess.Popen(
                command, stdout=sink, stderr=subprocess.STDOUT, preexec_fn=partial(_prepare_child, self.nice)
            )
        self.starts += 1
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + self.startup_timeout_s
        url = f"http://{LOOPBACK}:{self._port}/v1/models"
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise LLMUnavailable(
                    f"The embedded model server exited with code {self._process.returncode} while starting; "
                    f"see {self.log_path}. Is llama-cpp-python[server] installed?"
                )
            try:
                if httpx.get(url, timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self._process.kill()
        raise LLMUnavailable(
            f"The embedded model server did not become ready within {self.startup_timeout_s:g} s; "
            f"see {self.log_path}. Retry, or point DEBRIEF_LLM_BASE_URL at another server."
        )


def _prepare_child(nice: int) -> None:
    """In the server's process before it starts: lower its CPU priority, and tie its life to ours."""
    if nice:
        os.nice(nice)
    _die_with_parent()


def _die_with_parent() -> None:
    """Ask Linux to stop the server when Debrief dies without running ``stop`` (SIGKILL, a crash)."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])
