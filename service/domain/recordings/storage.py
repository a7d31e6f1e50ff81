"""Where uploaded recordings live on disk, and how an upload gets there without filling memory.

The file on disk is named by the service (random hex), never by the client, so no uploaded name
can reach outside `settings.audio_dir`. The client's name is kept in the database for display.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import anyio
from litestar.exceptions.http_exceptions import RequestEntityTooLarge

from service.domain.recordings.errors import NotARecording, UnusableRecording, UploadTooLarge
from transcription.audio import AudioInfo, probe
from transcription.errors import AudioError, EmptyAudioError, NotAudioError, TruncatedAudioError

MIB = 1024 * 1024
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.audio$")


@dataclass(frozen=True)
class StoredUpload:
    stored_name: str
    path: Path
    size_bytes: int


def new_stored_name() -> str:
    return f"{secrets.token_hex(16)}.audio"


def recording_path(audio_dir: Path, stored_name: str) -> Path:
    """The file of a stored recording; refuses any name the service did not generate."""
    if not _STORED_NAME.match(stored_name):
        raise ValueError(f"not a stored recording name: {stored_name!r}")
    return audio_dir / stored_name


def display_name(filename: str | None) -> str:
    """Keep the client's name for people to recognise the file: last path part, printable, short."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:200] or "recording"


async def receive_upload(chunks: AsyncIterator[bytes], audio_dir: Path, *, max_mb: int) -> StoredUpload:
    """Stream the request body to a new file; on any failure the partial file is removed.

    Litestar enforces the route's size limit (from the announced Content-Length and from the bytes
    actually received); this turns its bare 413 into one that names the limit.
    """
    await anyio.Path(audio_dir).mkdir(parents=True, exist_ok=True)
    stored_name = new_stored_name()
    path = recording_path(audio_dir, stored_name)
    size = 0
    try:
        async with await anyio.open_file(path, "xb") as out:
            async for chunk in chunks:
                if chunk:
                    size += len(chunk)
                    await out.write(chunk)
    except RequestEntityTooLarge as exc:
        await _remove(path)
        raise UploadTooLarge(
            f"The recording is larger than the {max_mb} MB this server accepts. Upload a shorter part, "
            "or compress it (e.g. to MP3 or Opus: a 2-hour call is about 60-120 MB), or ask the "
            "administrator to raise DEBRIEF_WHISPER_MAX_UPLOAD_MB.",
            max_mb=max_mb,
        ) from exc
    except BaseException:
        # Client disconnects mid-upload, disk full, cancellation: never leave half a file behind.
        await _remove(path)
        raise
    return StoredUpload(stored_name=stored_name, path=path, size_bytes=size)


def check_audio(upload: StoredUpload, *, filename: str) -> AudioInfo:
    """Decode the whole upload (content decides, not the name); remove it if it is unusable."""
    try:
        if upload.size_bytes == 0:
            raise EmptyAudioError("empty")
        return probe(upload.path)
    except AudioError as exc:
        upload.path.unlink(missing_ok=True)
        # The library's messages name our random file; say it with the uploader's name instead.
        message = str(exc).replace(upload.path.name, filename)
        if isinstance(exc, EmptyAudioError):
            raise UnusableRecording(
                f"{filename} holds no audio (0 bytes or 0 seconds). Upload the recording itself.", reason="empty"
            ) from exc
        if isinstance(exc, NotAudioError):
            raise NotARecording(message, reason="not_audio") from exc
        reason = "truncated" if isinstance(exc, TruncatedAudioError) else "damaged"
        raise UnusableRecording(message, reason=reason) from exc


async def _remove(path: Path) -> None:
    await anyio.Path(path).unlink(missing_ok=True)
