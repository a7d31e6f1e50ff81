"""A real Debrief server on a loopback port and Debian's Chromium driven by Playwright.

No browser is downloaded: Chromium comes from Debian's `chromium` package (`make test` installs it)
and is launched by path. Screenshots go to tests/artifacts/screenshots/ for people to look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """`debrief serve` as a real process on the test's database."""
    port = free_port()
    process = start_server(settings, port)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=20)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(settings, port: int) -> subprocess.Popen[str]:  # type: ignore[no-untyped-def]
    """Start `debrief serve` on ``port`` and return once it answers /health."""
    env = {
        **os.environ,
        "DEBRIEF_DATA_DIR": str(settings.data_dir),
        "DEBRIEF_WEB_PORT": str(port),
        "DEBRIEF_DATABASE_URL": settings.database.url,
        # Drafting takes the extractive path here (no model time), so the page flow is deterministic;
        # the real embedded model has its own end-to-end test in tests/service/drafting.
        "DEBRIEF_LLM_ANSWER_BUDGET_S": "0.001",
        "PYTHONPATH": str(ROOT),
    }
    # Its output goes to a file, not a pipe nobody reads while it runs (a full pipe would stall it).
    log = Path(settings.data_dir) / f"serve-{port}.log"
    with log.open("a") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--no-migrate"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    else:
        process.kill()
    if process.poll() is not None:
        pytest.fail("the server did not start: " + log.read_text())
    return process


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package (apt-get install chromium)")
    return path


# No downloads, no sync, no sandbox (the test machine runs as root), no screen.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def launch_chromium(playwright, chromium_path: str, *extra_args: str):  # type: ignore[no-untyped-def]
    """Debian's Chromium, launched by path, with the tests' flags and any extra ones."""
    return playwright.chromium.launch(executable_path=chromium_path, args=[*CHROMIUM_ARGS, *extra_args])


@pytest.fixture
def browser(chromium_path):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, chromium_path)
        yield browser
        browser.close()


def shot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
