"""The long-running processes: `debrief serve` (the web app) and `debrief worker` (background jobs)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from service.cli_options import data_dir_option
from service.cli_options import settings_for as _settings
from service.settings import Settings


@click.command()
@data_dir_option
@click.option("--host", default=None, help="Interface to listen on (default DEBRIEF_WEB_HOST, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default DEBRIEF_WEB_PORT, 8000).")
@click.option("--no-migrate", is_flag=True, help="Do not apply migrations before starting.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="App processes sharing the port. More than 1 needs DEBRIEF_QUEUE_URL, DEBRIEF_WEB_EVENTS_URL and "
    "DEBRIEF_RETRIEVAL_CHROMA_HOST (docs/deploy.md).",
)
def serve(data_dir: Path | None, host: str | None, port: int | None, no_migrate: bool, workers: int) -> None:
    """Start the web service."""
    import uvicorn

    from service.app import create_app
    from service.db.migrate import upgrade

    settings = _settings(data_dir)
    if host:
        settings.web.host = host
    if port:
        settings.web.port = port
    if workers > 1:
        _check_shared_engines(settings, workers)
    if not no_migrate:
        upgrade(settings)
    click.echo(f"Debrief on http://{settings.web.host}:{settings.web.port}  (data in {settings.data_dir})")
    if workers == 1:
        uvicorn.run(create_app(settings), host=settings.web.host, port=settings.web.port, log_level="info")
        return
    # Each process builds its own app from the environment, so pass the command's options that way.
    os.environ["DEBRIEF_DATA_DIR"] = str(settings.data_dir)
    uvicorn.run(
        "service.app:create_app",
        factory=True,
        workers=workers,
        host=settings.web.host,
        port=settings.web.port,
        log_level="info",
    )


def _check_shared_engines(settings: Settings, workers: int) -> None:
    """Refuse a multi-process start that would split state between the processes."""
    missing = []
    if not settings.queue.url:
        missing.append("DEBRIEF_QUEUE_URL (every process would run its own upload jobs)")
    if not settings.web.events_url:
        missing.append("DEBRIEF_WEB_EVENTS_URL (live events would reach only the process that made them)")
    if not settings.retrieval.chroma_host:
        missing.append("DEBRIEF_RETRIEVAL_CHROMA_HOST (the embedded index is not safe across processes)")
    if missing:
        raise click.UsageError(
            f"--workers {workers} needs shared engines; set " + "; ".join(missing) + ". See docs/deploy.md."
        )


@click.command()
@data_dir_option
def worker(data_dir: Path | None) -> None:
    """Run background jobs (transcription of uploads, housekeeping) from DEBRIEF_QUEUE_URL."""
    import asyncio
    import logging

    from service.jobs.saq_worker import build_worker

    settings = _settings(data_dir)
    if not settings.queue.url:
        raise click.UsageError(
            "DEBRIEF_QUEUE_URL is empty: with no queue, uploads are transcribed inside `debrief serve`. "
            "Set it to redis://host:6379/0 or postgresql://user@host/db to run separate workers."
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    click.echo(f"Debrief worker on {settings.queue.url}  (data in {settings.data_dir})")
    asyncio.run(build_worker(settings).start())
