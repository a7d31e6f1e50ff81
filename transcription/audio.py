"""Decode any common audio file (WAV, MP3, M4A/AAC, OGG/Opus, WebM/Opus, FLAC) with PyAV.

Files are judged by their content, not their name: `probe()` decodes the whole file once and
raises an `AudioError` subclass whose message can be shown to the person who uploaded it.
`iter_chunks()` yields 16 kHz mono float32 chunks so memory stays flat for a 2-hour recording.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import av.error
import numpy as np

from transcription.errors import (
    CorruptAudioError,
    EmptyAudioError,
    NotAudioError,
    TruncatedAudioError,
)
from transcription.types import SAMPLE_RATE, AudioArray

# Leading bytes of the containers we accept; used only to word the error when FFmpeg refuses a
# file: "damaged M4A" and "not audio at all" need different advice.
_SIGNATURES = ((0, b"RIFF"), (0, b"ID3"), (0, b"OggS"), (0, b"fLaC"), (0, b"\x1a\x45\xdf\xa3"),
               (4, b"ftyp"), (0, b"FORM"), (0, b"#!AMR"))  # fmt: skip
_SUPPORTED = "WAV, MP3, M4A/AAC, OGG/Opus, WebM/Opus or FLAC"


@dataclass(frozen=True, slots=True)
class AudioInfo:
    duration_s: float
    """Seconds of audio actually decoded (not the header's claim)."""
    container: str
    codec: str
    sample_rate: int
    channels: int


@dataclass(frozen=True, slots=True)
class AudioChunk:
    index: int
    start_s: float
    samples: AudioArray

    @property
    def end_s(self) -> float:
        return self.start_s + len(self.samples) / SAMPLE_RATE


def probe(path: str | Path) -> AudioInfo:
    """Decode the whole file to check it is usable audio, and measure its real duration."""
    path = Path(path)
    if path.stat().st_size == 0:
        raise EmptyAudioError(f"{path.name} is empty (0 bytes). Record or upload it again.")
    with _open(path) as container:
        stream = _audio_stream(container, path)
        declared_s = _declared_seconds(container, stream)
        samples = 0
        for frame in _decode(container, stream, path):
            samples += frame.samples
        rate = stream.codec_context.sample_rate or SAMPLE_RATE
        info = AudioInfo(
            duration_s=samples / rate,
            container=container.format.name,
            codec=stream.codec_context.name,
            sample_rate=rate,
            channels=stream.codec_context.channels,
        )
    if samples == 0:
        raise EmptyAudioError(f"{path.name} holds no sound (0 seconds). Record it again.")
    if info.container == "wav":
        declared_s = _wav_header_seconds(path) or declared_s
    if declared_s and info.duration_s < declared_s - max(0.5, 0.02 * declared_s):
        raise TruncatedAudioError(
            f"{path.name} stops after {info.duration_s:.1f} s but its header promises "
            f"{declared_s:.1f} s: the file is truncated (an upload or recording that stopped "
            "early). Upload the complete file.",
            decoded_s=info.duration_s,
            expected_s=declared_s,
        )
    return info


def iter_chunks(path: str | Path, *, chunk_s: float = 60.0, boundary_search_s: float = 5.0) -> Iterator[AudioChunk]:
    """Yield the file as 16 kHz mono float32 chunks of at most `chunk_s` seconds.

    Each cut is placed at the quietest 50 ms in the chunk's last `boundary_search_s` seconds,
    so a word is rarely split between chunks. Cuts depend only on the audio, so the same file
    and settings always give the same chunks (chunk index is a stable key).
    """
    if boundary_search_s >= chunk_s:
        raise ValueError("boundary_search_s must be shorter than chunk_s")
    target = int(chunk_s * SAMPLE_RATE)
    search = int(boundary_search_s * SAMPLE_RATE)
    path = Path(path)
    pieces: list[AudioArray] = []
    held = 0
    index = 0
    start_sample = 0
    for piece in _resampled(path):
        pieces.append(piece)
        held += len(piece)
        while held >= target:
            buffer = np.concatenate(pieces)
            cut = _quiet_cut(buffer[:target], search)
            yield AudioChunk(index, start_sample / SAMPLE_RATE, buffer[:cut].copy())
            index += 1
            start_sample += cut
            pieces, held = [buffer[cut:]], len(buffer) - cut
    if held:
        yield AudioChunk(index, start_sample / SAMPLE_RATE, np.concatenate(pieces))


def decode_audio(path: str | Path) -> AudioArray:
    """Decode a whole (short) file to one 16 kHz mono float32 array."""
    pieces = list(_resampled(Path(path)))
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)


def _resampled(path: Path) -> Iterator[AudioArray]:
    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    with _open(path) as container:
        stream = _audio_stream(container, path)
        for frame in _decode(container, stream, path):
            for out in resampler.resample(frame):
                yield out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
        for out in resampler.resample(None):  # flush the resampler's delay line
            yield out.to_ndarray().reshape(-1).astype(np.float32, copy=False)


def _open(path: Path) -> av.container.InputContainer:
    try:
        return av.open(str(path), mode="r")
    except av.error.InvalidDataError as exc:
        if _looks_like_audio_container(path):
            raise CorruptAudioError(
                f"{path.name} looks like an audio file but cannot be read: it is damaged or "
                "truncated (an M4A whose upload stopped early looks like this). Upload the "
                "complete file again."
            ) from exc
        raise NotAudioError(
            f"{path.name} is not an audio file we can read, whatever its name says. Upload a {_SUPPORTED} recording."
        ) from exc


def _audio_stream(container: av.container.InputContainer, path: Path) -> av.audio.AudioStream:
    if not container.streams.audio:
        raise NotAudioError(
            f"{path.name} has no sound track ({container.format.name}). Upload a {_SUPPORTED} recording."
        )
    return container.streams.audio[0]


def _decode(
    container: av.container.InputContainer, stream: av.audio.AudioStream, path: Path
) -> Iterator[av.AudioFrame]:
    position = 0.0
    try:
        for frame in container.decode(stream):
            if frame.time is not None:
                position = frame.time
            yield frame
    except av.error.FFmpegError as exc:
        raise CorruptAudioError(
            f"{path.name} is damaged: decoding failed after {position:.1f} s ({exc.strerror}). "
            "Upload the complete file again, or convert it to WAV or MP3."
        ) from exc


def _declared_seconds(container: av.container.InputContainer, stream: av.audio.AudioStream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return None


def _wav_header_seconds(path: Path) -> float | None:
    """Read the duration a WAV header promises (FFmpeg silently trusts the file size instead)."""
    with path.open("rb") as file:
        head = file.read(1 << 16)
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    offset, byte_rate = 12, 0
    while offset + 8 <= len(head):
        chunk_id, size = head[offset : offset + 4], struct.unpack("<I", head[offset + 4 : offset + 8])[0]
        if chunk_id == b"fmt " and offset + 16 <= len(head):
            byte_rate = struct.unpack("<I", head[offset + 16 : offset + 20])[0]
        if chunk_id == b"data":
            # Streaming writers leave 0 or 0xFFFFFFFF when they cannot seek back: no promise.
            if not byte_rate or size in (0, 0xFFFFFFFF):
                return None
            return size / byte_rate
        offset += 8 + size + (size & 1)
    return None


def _looks_like_audio_container(path: Path) -> bool:
    with path.open("rb") as file:
        head = file.read(16)
    if any(head[at : at + len(magic)] == magic for at, magic in _SIGNATURES):
        return True
    return len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0  # MPEG/ADTS frame sync


def _quiet_cut(samples: AudioArray, search: int) -> int:
    """Return the index of the quietest 50 ms within the last `search` samples."""
    frame = SAMPLE_RATE // 20
    tail = samples[len(samples) - search :]
    frames = len(tail) // frame
    if frames == 0:
        return len(samples)
    energy = np.square(tail[: frames * frame].reshape(frames, frame)).mean(axis=1)
    quietest = int(np.argmin(energy))
    return len(samples) - search + quietest * frame + frame // 2
