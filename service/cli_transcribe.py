"""`debrief transcribe AUDIO`: transcribe one file offline, without the service or a database."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Literal

import click

from service.settings import Settings


@click.command()
@click.argument("audio", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option(
    "--model",
    default=None,
    help="Whisper model directory (CTranslate2) or name; default DEBRIEF_WHISPER_MODEL, else the bundled tiny.en.",
)
@click.option("--json", "as_json", is_flag=True, help='Print {"duration_s", "model", "segments": [...]} as JSON.')
@click.option("--threads", type=int, default=None, help="CPU threads (default DEBRIEF_WHISPER_THREADS).")
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar on stderr (default: when stderr is a terminal)."
)
def transcribe(audio: Path, model: str | None, as_json: bool, threads: int | None, progress: bool | None) -> None:
    """Transcribe AUDIO (WAV, MP3, M4A/AAC, OGG/Opus, WebM/Opus, FLAC); progress goes to stderr."""
    from transcription.batch import transcribe_file
    from transcription.errors import TranscriptionError
    from transcription.types import Segment
    from transcription.whisper import WhisperTranscriber

    whisper = Settings().whisper
    device: Literal["cpu", "cuda"] = "cuda" if whisper.device == "cuda" else "cpu"
    transcriber = WhisperTranscriber(
        model=model or whisper.model or None,
        device=device,
        cpu_threads=threads or whisper.threads,
        workers=whisper.upload_workers,
    )
    bar = _ProgressBar(enabled=sys.stderr.isatty() if progress is None else progress)
    segments: list[Segment] = []
    duration_s = 0.0
    try:
        for chunk in transcribe_file(
            audio, transcriber, chunk_s=whisper.chunk_s, on_progress=bar.update, workers=whisper.upload_workers
        ):
            segments.extend(chunk.segments)
            duration_s = chunk.end_s
            if not as_json:
                for s in chunk.segments:
                    bar.clear()
                    click.echo(f"[{_clock(s.start)} → {_clock(s.end)}] {s.text}")
    except TranscriptionError as exc:
        bar.clear()
        raise click.ClickException(str(exc)) from exc
    bar.finish()
    if as_json:
        result = {
            "duration_s": round(duration_s, 3),
            "model": transcriber.model_name,
            "segments": [{"start": s.start, "end": s.end, "text": s.text} for s in segments],
        }
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))


class _ProgressBar:
    """A one-line progress bar on stderr: seconds of audio done, percent, estimated time left."""

    def __init__(self, *, enabled: bool) -> None:
        import time

        self._clock = time.monotonic
        self._started = time.monotonic()
        self._enabled = enabled
        self._shown = False

    def update(self, done_s: float, total_s: float) -> None:
        if not self._enabled or total_s <= 0:
            return
        share = min(done_s / total_s, 1.0)
        elapsed = self._clock() - self._started
        left = f"{elapsed / share * (1 - share):4.0f} s left" if share > 0 else "  starting"
        filled = int(share * 30)
        line = f"\r[{'#' * filled}{'.' * (30 - filled)}] {share:4.0%} {_clock(done_s)}/{_clock(total_s)} {left}"
        click.echo(line, err=True, nl=False)
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            click.echo("\r\033[K", err=True, nl=False)
            self._shown = False

    def finish(self) -> None:
        if self._shown:
            click.echo("", err=True)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
