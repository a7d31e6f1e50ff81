from __future__ import annotations

import subprocess
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from transcription.audio import decode_audio, iter_chunks, probe
from transcription.errors import (
    AudioError,
    CorruptAudioError,
    EmptyAudioError,
    NotAudioError,
    TruncatedAudioError,
)
from transcription.types import SAMPLE_RATE

SENTENCE = "We intended to sign 50 members. We signed 12 members by Friday."


@pytest.fixture(scope="module")
def speech(speech_samples) -> np.ndarray:
    return speech_samples(SENTENCE)


@pytest.mark.parametrize("extension", ["wav", "mp3", "m4a", "ogg", "webm", "flac"])
def test_every_common_format_decodes_to_16khz_mono(
    extension: str, speech: np.ndarray, encode_audio, tmp_path: Path
) -> None:
    path = encode_audio(speech, tmp_path / f"call.{extension}")
    info = probe(path)
    decoded = decode_audio(path)
    expected_s = len(speech) / SAMPLE_RATE
    # AAC adds up to one 1024-sample frame of priming/padding; the others are exact.
    assert info.duration_s == pytest.approx(expected_s, abs=0.1)
    assert decoded.dtype == np.float32 and decoded.ndim == 1
    assert len(decoded) / SAMPLE_RATE == pytest.approx(expected_s, abs=0.1)
    assert 0.05 < float(np.abs(decoded).max()) <= 1.0  # real signal, not silence or clipping


def test_a_stereo_44khz_file_is_downmixed_and_resampled(tmp_path: Path) -> None:
    source = tmp_path / "stereo.wav"
    subprocess.run(["sox", "-n", "-r", "44100", "-c", "2", str(source), "synth", "2", "sine",
                    "440"], check=True)  # fmt: skip
    decoded = decode_audio(source)
    assert len(decoded) == pytest.approx(2 * SAMPLE_RATE, abs=2)
    crossings = np.count_nonzero(np.diff(np.signbit(decoded[:SAMPLE_RATE])))
    assert crossings == pytest.approx(880, abs=4)  # still 440 Hz after resampling


def test_a_text_file_named_mp3_is_not_audio(tmp_path: Path) -> None:
    path = tmp_path / "minutes.mp3"
    path.write_text("Minutes of the review call\n" * 40)
    with pytest.raises(NotAudioError, match=r"minutes\.mp3 is not an audio file.*Upload a WAV"):
        probe(path)


def test_a_png_is_not_audio(tmp_path: Path) -> None:
    # A PNG opens in FFmpeg (as an image), so it fails on "no sound track" instead.
    path = tmp_path / "photo.wav"
    png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
           b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
           b"\x00\x00\x00IEND\xaeB`\x82")  # fmt: skip
    path.write_bytes(png)
    with pytest.raises(NotAudioError, match=r"photo\.wav"):
        probe(path)


@pytest.mark.parametrize(
    ("extension", "error"),
    [
        ("wav", TruncatedAudioError),  # the RIFF header promises more data
        ("mp3", TruncatedAudioError),  # LAME's Xing header promises more frames
        ("webm", TruncatedAudioError),  # the Matroska header carries the duration
        ("m4a", CorruptAudioError),  # the index (moov) is at the end: nothing is readable
        ("flac", CorruptAudioError),  # the last frame is cut mid-way: the decoder fails
    ],
)
def test_a_truncated_file_is_reported(
    extension: str, error: type[AudioError], speech: np.ndarray, encode_audio, tmp_path: Path
) -> None:
    whole = encode_audio(speech, tmp_path / f"whole.{extension}")
    cut = tmp_path / f"cut.{extension}"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(error, match=r"cut\.\w+ .*(truncated|damaged)") as caught:
        probe(cut)
    if isinstance(caught.value, TruncatedAudioError):
        assert caught.value.decoded_s < caught.value.expected_s


def test_a_zero_byte_file_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "upload.m4a"
    path.touch()
    with pytest.raises(EmptyAudioError, match=r"upload\.m4a is empty \(0 bytes\)"):
        probe(path)


def test_a_zero_second_wav_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "nothing.wav"
    subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", str(path), "trim", "0", "0"],
                   check=True)  # fmt: skip
    with pytest.raises(EmptyAudioError, match=r"0 seconds"):
        probe(path)


def test_chunks_cover_the_file_exactly_and_cut_in_quiet_places(
    speech: np.ndarray, encode_audio, tmp_path: Path
) -> None:
    pause = np.zeros(SAMPLE_RATE * 2, dtype=np.float32)
    audio = np.concatenate([speech, pause] * 6)  # ~36 s: speech, 2 s pause, speech, ...
    path = encode_audio(audio, tmp_path / "call.wav")
    chunks = list(iter_chunks(path, chunk_s=10.0, boundary_search_s=3.0))
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert all(len(c.samples) <= 10 * SAMPLE_RATE for c in chunks)
    assert np.array_equal(np.concatenate([c.samples for c in chunks]), decode_audio(path))
    for before, after in pairwise(chunks):
        assert after.start_s == pytest.approx(before.end_s)
        # The cut falls where the signal is quiet (a pause or a gap between words).
        edge = np.concatenate([before.samples[-400:], after.samples[:400]])
        assert float(np.sqrt(np.mean(edge**2))) < 0.02


def test_chunking_is_deterministic(speech: np.ndarray, encode_audio, tmp_path: Path) -> None:
    path = encode_audio(np.concatenate([speech] * 4), tmp_path / "call.mp3")
    first = [(c.index, c.start_s, len(c.samples)) for c in iter_chunks(path, chunk_s=6.0)]
    second = [(c.index, c.start_s, len(c.samples)) for c in iter_chunks(path, chunk_s=6.0)]
    assert first == second and len(first) >= 3


def test_chunking_rejects_a_search_window_longer_than_the_chunk(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="boundary_search_s"):
        list(iter_chunks(tmp_path / "unused.wav", chunk_s=5.0, boundary_search_s=5.0))
