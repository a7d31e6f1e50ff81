"""The README is the front door: its two commands exist and `make run` really serves the app."""

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_readme_leads_with_the_two_commands_and_the_makefile_has_them():
    readme = (ROOT / "README.md").read_text()
    start = readme.index("```sh")
    block = readme[start : readme.index("```", start + 5)]
    assert re.search(r"^make run\b", block, re.M) and re.search(r"^make test\b", block, re.M)
    makefile = (ROOT / "Makefile").read_text()
    for target in ("run", "test", "install", "eval", "help"):
        assert re.search(rf"^{target}:", makefile, re.M), target
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_make_run_serves_health_on_the_embedded_defaults(tmp_path):
    port = _free_port()
    env = {**os.environ, "DEBRIEF_DATA_DIR": str(tmp_path / "data"), "DEBRIEF_WEB_PORT": str(port)}
    env.pop("DEBRIEF_DATABASE_URL", None)
    process = subprocess.Popen(
        ["make", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                time.sleep(0.5)
        else:
            pytest.fail("make run did not answer /health within 180 s")
        assert response.status_code == 200 and response.json()["database"] == "sqlite"
        assert (tmp_path / "data" / "debrief.db").exists()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
