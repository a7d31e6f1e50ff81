from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from transcription.audio import decode_audio
from transcription.errors import ModelNotFoundError
from transcription.text import normalise_text, word_error_rate
from transcription.types import SAMPLE_RATE
from transcription.whisper import WhisperTranscriber

SPOKEN = "We intended to sign 50 members. We signed 12 members by Friday."


def test_speech_with_numbers_comes_back_word_for_word(transcriber, speak) -> None:
    segments = transcriber.transcribe(decode_audio(speak(SPOKEN)))
    heard = " ".join(s.text for s in segments)
    assert normalise_text(heard) == normalise_text(SPOKEN), heard
    words = [w for s in segments for w in s.words]
    assert [w.text for w in words][:3] == ["We", "intended", "to"]
    assert all(a.start <= b.start for a, b in pairwise(words))
    assert all(0.0 <= w.probability <= 1.0 and w.start <= w.end for w in words)
    assert all(0.0 < s.confidence <= 1.0 and s.no_speech_prob < 0.5 for s in segments)


def test_several_voices_are_understood(transcriber, speak) -> None:
    for voice in ("en-gb", "en-us+f3", "en-gb-x-rp"):
        heard = " ".join(s.text for s in transcriber.transcribe(decode_audio(speak(SPOKEN, voice=voice))))
        assert word_error_rate(SPOKEN, heard) <= 0.1, (voice, heard)


def test_offset_is_added_to_every_time(transcriber, speak) -> None:
    audio = decode_audio(speak(SPOKEN))
    plain = transcriber.transcribe(audio)
    shifted = transcriber.transcribe(audio, offset_s=600.0)
    assert [s.text for s in shifted] == [s.text for s in plain]
    assert shifted[0].start == pytest.approx(plain[0].start + 600.0)
    assert shifted[0].words[-1].end == pytest.approx(plain[0].words[-1].end + 600.0)


def test_digital_silence_gives_no_segments(transcriber) -> None:
    assert transcriber.transcribe(np.zeros(10 * SAMPLE_RATE, dtype=np.float32)) == []


def test_recorded_silence_and_hiss_give_no_segments(transcriber, tmp_path: Path) -> None:
    path = tmp_path / "room.wav"
    subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", str(path), "synth", "8", "pinknoise",
                    "vol", "0.01"], check=True)  # fmt: skip
    assert transcriber.transcribe(decode_audio(path)) == []


def test_silence_is_dropped_by_the_filter_even_without_vad(speak) -> None:
    # Without VAD, Whisper hears "you" in 10 s of zeros (no_speech_prob ~0.93); the filter drops it.
    no_vad = WhisperTranscriber(vad_filter=False, cpu_threads=2)
    assert no_vad.transcribe(np.zeros(10 * SAMPLE_RATE, dtype=np.float32)) == []
    heard = " ".join(s.text for s in no_vad.transcribe(decode_audio(speak(SPOKEN))))
    assert word_error_rate(SPOKEN, heard) <= 0.1, heard


def test_empty_audio_gives_no_segments(transcriber) -> None:
    assert transcriber.transcribe(np.zeros(0, dtype=np.float32)) == []


def test_wrong_array_types_fail_loudly(transcriber) -> None:
    with pytest.raises(ValueError, match="float32"):
        transcriber.transcribe(np.zeros(16_000, dtype=np.int16))
    with pytest.raises(ValueError, match="1-D"):
        transcriber.transcribe(np.zeros((2, 16_000), dtype=np.float32))


def test_model_name_records_the_weights(transcriber) -> None:
    assert transcriber.model_name == "tiny.en@1a5afae06a4d"
    assert transcriber.licence.startswith("MIT")


def test_nothing_is_loaded_at_import_or_construction() -> None:
    code = (
        "import sys, transcription, transcription.whisper, transcription.live, transcription.batch\n"
        "transcription.whisper.WhisperTranscriber()\n"
        "print(sorted(m for m in ('ctranslate2', 'faster_whisper', 'onnxruntime') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=Path(__file__).parents[2])  # fmt: skip
    assert result.stdout.strip() == "[]"


def test_device_must_be_cpu_or_cuda() -> None:
    with pytest.raises(ValueError, match="'cpu' or 'cuda'"):
        WhisperTranscriber(device="gpu")  # type: ignore[arg-type]


def test_a_missing_model_directory_fails_at_construction(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        WhisperTranscriber(model=str(tmp_path / "no-such-model"))


def test_an_unloadable_model_fails_with_advice(tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(b"not a model")
    (tmp_path / "config.json").write_text("{}")
    broken = WhisperTranscriber(model=str(tmp_path))
    with pytest.raises(ModelNotFoundError, match="Could not load the Whisper model"):
        broken.load()


def test_the_live_variant_shares_the_loaded_weights_and_hears_the_same(transcriber, speak) -> None:
    spoken = "We signed 12 members by Friday."
    live = transcriber.for_live(beam_size=1)
    assert live._get_model() is transcriber._get_model()  # one copy of the weights in memory
    heard = " ".join(s.text for s in live.transcribe(decode_audio(speak(spoken))))
    assert normalise_text(heard) == normalise_text(spoken), heard
    assert live.transcribe(np.zeros(SAMPLE_RATE * 5, np.float32)) == []  # silence in, no text out


def test_a_live_pass_encodes_one_window_and_keeps_the_words_at_its_end(transcriber, speak) -> None:
    spoken = "We intended to sign 50 members. We signed 12 members by Friday."
    audio = decode_audio(speak(spoken))
    cut = audio[: int(len(audio) * 0.8)]  # ends mid-sentence, as a live buffer does
    live = transcriber.for_live(beam_size=5)
    model = live._get_model()
    encodes: list[int] = []
    encode = model.encode
    model.encode = lambda features: encodes.append(1) or encode(features)  # count, then really encode
    try:
        segments = live.transcribe(cut)
        heard = " ".join(s.text for s in segments)
        assert len(encodes) == 1  # faster-whisper alone re-decodes the tail in a second window
        assert normalise_text(heard)[:5] == normalise_text(spoken)[:5], heard
        assert segments[-1].words[-1].end <= len(cut) / SAMPLE_RATE + 0.05
        transcriber.transcribe(cut)  # uploads keep faster-whisper's windows
    finally:
        del model.encode
    plain_windows = len(encodes) - 1
    assert plain_windows >= 1


LOOPS_BEAM_SEARCH = (
    "You could, and you will, but a frontend engineer making a data-loss call at 2 a.m. "
    "is exactly what we decided against."
)


@pytest.mark.parametrize("speed", [160, 175])
def test_a_phrase_that_loops_beam_search_is_heard_in_one_decode_at_temperature_0(transcriber, speak, speed) -> None:
    # Without a guard tiny.en's beam search loops here ("a front end end end ..." at 175 words a
    # minute, "2amimimim..." at 160). Whisper's fallback re-decoded such windows by sampling up
    # to temperature 1.0 (slow, and random words); now the decoder may not repeat itself.
    model = transcriber._get_model()
    temperatures: list[float] = []
    decode = model.generate_with_fallback

    def recording(*args: object, **kwargs: object) -> tuple:
        result = decode(*args, **kwargs)
        temperatures.append(result[2])  # (result, avg_logprob, temperature, compression_ratio)
        return result

    model.generate_with_fallback = recording
    try:
        segments = transcriber.transcribe(decode_audio(speak(LOOPS_BEAM_SEARCH, voice="en-us+f3", speed=speed)))
    finally:
        del model.generate_with_fallback
    heard = normalise_text(" ".join(s.text for s in segments))
    assert temperatures and set(temperatures) == {0.0}
    assert {"engineer", "making", "call", "decided", "against"} <= set(heard), heard
    assert not any(a == b == c for a, b, c in zip(heard, heard[1:], heard[2:], strict=False)), heard


def test_a_short_window_encodes_only_the_audio_heard_and_hears_the_same(transcriber, speak) -> None:
    spoken = "We signed 12 members by Friday."
    audio = decode_audio(speak(spoken))
    short = transcriber.for_live(beam_size=5).with_short_window(padding_s=1.0, min_s=2.0)
    model = short._get_model()
    frames: list[int] = []
    encode = model.encode
    model.encode = lambda features: frames.append(features.shape[-1]) or encode(features)  # note, then encode
    try:
        heard = " ".join(s.text for s in short.transcribe(audio))
        transcriber.for_live(beam_size=5).transcribe(audio)
    finally:
        del model.encode
    assert normalise_text(heard) == normalise_text(spoken), heard
    # VAD may trim the edges: at most the audio plus a second of padding, against the full 30 s.
    assert frames[0] <= len(audio) / SAMPLE_RATE * 100 + 102
    assert frames[1] == 3000
    assert short.transcribe(np.zeros(SAMPLE_RATE * 5, np.float32)) == []  # silence in, no text out
    with pytest.raises(ValueError, match="for_live"):
        transcriber.with_short_window()


def _threads() -> dict[int, tuple[int, int]]:
    """This process's threads: id -> (nice, CPU ticks used)."""
    threads = {}
    for task in Path("/proc/self/task").iterdir():
        with contextlib.suppress(FileNotFoundError):  # a thread that ended meanwhile
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            threads[int(task.name)] = (int(fields[16]), int(fields[11]) + int(fields[12]))
    return threads


@pytest.mark.skipif(sys.platform != "linux", reason="nice applies to threads on Linux only")
def test_a_nicer_model_computes_on_nicer_threads_and_leaves_its_caller_alone(speak) -> None:
    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    before = _threads()
    upload = WhisperTranscriber(cpu_threads=2, vad_filter=False, nice=3)
    heard = " ".join(s.text for s in upload.transcribe(decode_audio(speak("We signed 12 members by Friday."))))
    assert normalise_text(heard) == normalise_text("We signed 12 members by Friday.")
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == mine
    started = {tid: seen for tid, seen in _threads().items() if tid not in before}
    niced = sum(ticks for nice, ticks in started.values() if nice == min(mine + 3, 19))
    # The model's computation ran on the threads it started, all nicer than the caller.
    assert niced > 0 and niced >= 0.9 * sum(ticks for _, ticks in started.values()), started
