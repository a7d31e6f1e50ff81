"""`WhisperTranscriber`: the `Transcriber` protocol on faster-whisper (CTranslate2).

Nothing is loaded when this module is imported or when a transcriber is constructed; the model
loads on the first `transcribe()` (or an explicit `load()`), once, under a lock, because a web
worker may call it from several threads.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import math
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from transcription.errors import ModelNotFoundError
from transcription.filters import SegmentFilter
from transcription.memory import map_large_blocks
from transcription.model import ModelSource, model_sha256, resolve_model
from transcription.types import AudioArray, Segment, Word

if TYPE_CHECKING:
    from faster_whisper import WhisperModel
    from faster_whisper.transcribe import Segment as RawSegment

logger = logging.getLogger(__name__)

Device = Literal["cpu", "cuda"]
FRAMES_PER_S = 100  # Whisper's log-mel frames: a 10 ms hop
FULL_WINDOW_S = 30.0  # what Whisper's encoder hears in one window, padded with zeros
CROWDED_WINDOW_S = 10.0  # the least a short-window live pass encodes (see `with_short_window`)

NO_REPEAT_NGRAM_SIZE = 6
"""Break decoder loops inside the beam search instead of re-decoding with temperature fallback.

tiny.en's beam search loops on some phrases ("a frontend engineer" -> "a front end end end ...",
"2 a.m." -> "2amimimim...") up to the window's token limit. Whisper's rule then re-decodes the
window by sampling at temperatures 0.2-1.0, 5 candidates each. On a 60-minute upload (a looped
dev call; evals/transcription/chunk_profile.py) 31 of 64 chunks needed it and took 73 % of the
time (real-time factor 0.142); each sampled decode ran ~3 s and raised the chunk's peak from ~323
to ~379 MiB; low temperatures looped the same way, and what got through was random sampled text
(at 1.0: "that's two a.m. inhabitants what we decided against"). Without fallback the looping
window is dropped whole (a gap of up to 30 s). Forbidding any 6-token run to repeat keeps those
phrases as words in one decode ("a front end engineer making a day to last call at 2 a.m."): the
same file ran at 0.078 with a 339 MiB peak (314 on 10 minutes). On the dev calls nothing changed
(evals/transcription/decode_options.py: WER 0.231 espeak-ng, 0.093 piper; numbers 79/104, 80/104);
a repetition penalty (1.05, 1.1) cost 0.02-0.04 WER there. A loop that still gets through is
dropped by `SegmentFilter`: a gap, never sampled words.
"""


class WhisperTranscriber:
    """Transcribe 16 kHz mono float32 audio with Whisper, word timings on, hallucinations off."""

    def __init__(
        self,
        *,
        model: str | None = None,
        device: Device = "cpu",
        compute_type: str | None = None,
        cpu_threads: int | None = None,
        workers: int = 1,
        beam_size: int = 5,
        language: str | None = "en",
        vad_filter: bool = True,
        segment_filter: SegmentFilter | None = None,
        fallback: bool = False,
        no_repeat_ngram_size: int = NO_REPEAT_NGRAM_SIZE,
        nice: int = 0,
    ) -> None:
        """Configure (not load) a model; `model` is a directory or name, empty for the bundled one.

        Args:
            device: "cuda" only when configured; the default build is CPU-only.
            compute_type: defaults to int8 on CPU and int8_float16 on CUDA.
            cpu_threads: defaults to the number of cores, at most 4 (more does not pay for tiny).
            workers: calls (from different threads) the model runs at once, each on
                `cpu_threads` threads, sharing one copy of the weights; further calls wait.
            language: None lets a multilingual model detect it; tiny.en only knows "en".
            fallback: re-decode at rising temperatures when a result looks like a loop or is
                unlikely (Whisper's rule). Off: see `NO_REPEAT_NGRAM_SIZE` for what replaces it.
            no_repeat_ngram_size: forbid beam search to repeat any run of this many tokens in
                a window (0 allows repeats).
            nice: run this model's computation this much nicer than the loading thread (Linux;
                see `_load_niced`), for background work such as uploads.
        """
        if device not in ("cpu", "cuda"):
            raise ValueError(f"device must be 'cpu' or 'cuda', not {device!r}")
        self._source: ModelSource = resolve_model(model)
        self._device = device
        self._compute_type = compute_type or ("int8" if device == "cpu" else "int8_float16")
        self._cpu_threads = cpu_threads or min(os.cpu_count() or 1, 4)
        self._workers = workers
        self._beam_size = beam_size
        self._language = language
        self._vad_filter = vad_filter
        self._filter = segment_filter or SegmentFilter()
        self._temperatures = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0) if fallback else (0.0,)
        self._no_repeat_ngram_size = no_repeat_ngram_size
        self._one_window = False
        self._window: tuple[float, float] | None = None  # (padding_s, min_s); None: Whisper's 30 s
        self._loaded = _Loaded()
        self._nice = nice
        self._sha256: str | None = None

    def for_live(self, *, beam_size: int) -> WhisperTranscriber:
        """The same loaded weights (one copy in memory), decoding as live passes should.

        A live pass is repeated a second later on more audio, and a word is kept only when two
        passes agree: a pass that would have needed a temperature fallback is simply outvoted,
        so the retries (each a full decode, up to five) only make the stream fall behind.

        A live buffer is shorter than Whisper's 30 s window, so a pass needs one encoder run and
        one decode. faster-whisper would start a second window at the last word's end and decode
        the trailing fraction of a second again (measured: 102 windows in 60 passes, 0.5 s each,
        and the source of "Thank you." on the tail). Live passes decode text without timestamp
        tokens (one segment, fewer tokens; word times come from the alignment) and stop after
        the first window: the tail is heard again, whole, by the next pass.
        """
        live = copy.copy(self)
        live._beam_size = beam_size
        live._temperatures = (0.0,)
        live._no_repeat_ngram_size = 0  # not measured on live passes yet
        live._one_window = True
        return live

    def with_short_window(self, *, padding_s: float = 2.0, min_s: float = CROWDED_WINDOW_S) -> WhisperTranscriber:
        """This live view with a window as long as the audio plus `padding_s`, at least `min_s`.

        Whisper's encoder always hears 30 s, most of it padding after a live buffer of a few
        seconds; encoding less makes a pass about 3 times cheaper. Chosen with the live replay
        (evals/transcription/live_replay.py) on dev calls d09, d07, d06, not the benchmark's, at a
        0.5 s step. 3 speakers at once, full window: word delay p50 4.93 s, p95 10.07 s, live WER
        0.236; audio + 1 s: 1.79, 6.31, 0.201; audio + 2 s, at least 10 s: 1.77, 5.25, 0.218 (no
        forced cuts). 1 speaker alone, full window: 1.91, 3.95, 0.231; audio + 1 s: 1.17, 3.77,
        0.294; audio + 2 s, at least 10 s: 1.23, 4.43, 0.269. A speaker alone therefore kept the
        full window until the 10-minute benchmark (calls held out from that tuning) on a quiet
        machine, 2026-12-05 evening: full window p50 / p95 2.27 / 5.37 s, at least 15 s 1.43 / 3.23 s,
        live WER 0.377 both; now at least 15 s (the setting `whisper.live_alone_window_s`).
        """
        if not self._one_window:
            raise ValueError("a short window is for live passes: call for_live() first")
        short = copy.copy(self)
        short._window = (padding_s, min_s)
        return short

    @property
    def model_name(self) -> str:
        """Name the weights exactly: "tiny.en@1a5afae06a4d" (name and the start of model.bin's sha256)."""
        sha = self.sha256
        return f"{self._source.name}@{sha[:12]}" if sha else self._source.name

    @property
    def sha256(self) -> str | None:
        """Return the sha256 of model.bin, or None for a hub model not yet downloaded."""
        if self._sha256 is None and self._source.directory is not None:
            self._sha256 = model_sha256(self._source.directory)
        return self._sha256

    @property
    def licence(self) -> str:
        return self._source.licence

    def load(self) -> None:
        """Load the model now (e.g. at worker start) instead of on the first transcription."""
        self._get_model()

    def transcribe(self, audio: AudioArray, *, offset_s: float = 0.0, prompt: str | None = None) -> list[Segment]:
        """Transcribe `audio` and return the kept segments, with `offset_s` added to every time."""
        if audio.ndim != 1 or audio.dtype != np.float32:
            raise ValueError(f"audio must be a 1-D float32 array at 16 kHz, got {audio.dtype} {audio.shape}")
        if audio.size == 0:
            return []
        model = self._get_model()
        windows = _FirstWindowOnly(model, window=self._window) if self._one_window else contextlib.nullcontext(model)
        kept: list[Segment] = []
        with windows as whisper:
            raw_segments, _info = whisper.transcribe(
                audio,
                language=self._language,
                beam_size=self._beam_size,
                vad_filter=self._vad_filter,
                # Conditioning on previous text is the main cause of Whisper's repetition loops.
                condition_on_previous_text=False,
                temperature=list(self._temperatures),
                no_repeat_ngram_size=self._no_repeat_ngram_size,
                initial_prompt=prompt or None,
                word_timestamps=True,
                without_timestamps=self._one_window,
            )
            for raw in raw_segments:  # a generator: decoding happens while we iterate
                reason = self._filter.drop_reason(
                    text=raw.text, no_speech_prob=raw.no_speech_prob, avg_logprob=raw.avg_logprob
                )
                if reason:
                    logger.debug("dropped segment (%s): %r", reason, raw.text)
                    continue
                kept.append(_to_segment(raw, offset_s))
        return kept

    def _get_model(self) -> WhisperModel:
        loaded = self._loaded
        if loaded.model is None:
            with loaded.lock:
                if loaded.model is None:
                    loaded.model = self._load_model()
        return loaded.model

    def _load_model(self) -> WhisperModel:
        from faster_whisper import WhisperModel  # imported here: ctranslate2 is slow to import
        from faster_whisper.utils import download_model

        directory = self._source.directory
        if directory is None:
            # Only reached when a model *name* was configured: an explicit opt-in to the hub.
            try:
                directory_str = download_model(self._source.name)
            except Exception as exc:  # huggingface_hub raises many network/HTTP error types
                raise ModelNotFoundError(
                    f"Could not download Whisper model {self._source.name!r} ({exc}). Check the "
                    "network, or set the model setting to a local directory (empty = bundled)."
                ) from exc
            self._source = ModelSource(
                name=self._source.name, directory=Path(directory_str), licence=self._source.licence
            )
            directory = self._source.directory
            assert directory is not None
        map_large_blocks()  # before the model allocates: see transcription/memory.py
        try:
            return _load_niced(
                self._nice,
                lambda: WhisperModel(
                    str(directory),
                    device=self._device,
                    compute_type=self._compute_type,
                    cpu_threads=self._cpu_threads,
                    num_workers=self._workers,
                ),
            )
        except (RuntimeError, ValueError) as exc:
            raise ModelNotFoundError(
                f"Could not load the Whisper model in {directory} on {self._device} "
                f"({self._compute_type}): {exc}. If device is 'cuda', check the CUDA install "
                "or use 'cpu'."
            ) from exc


def _load_niced(nice: int, load: Callable[[], WhisperModel]) -> WhisperModel:
    """Load on a thread `nice` steps nicer than this one, so the model computes at that priority.

    CTranslate2 starts its worker threads when the model is built, and they start their compute
    threads; Linux threads inherit the nice value of the thread that starts them, and on Linux
    `os.nice` changes the calling thread only. So every model call, whichever thread makes it,
    computes at this priority, and the process's other threads (the event loop, live passes on
    their own model) keep theirs. Elsewhere nice would apply to the whole process: not done.
    """
    if not nice or sys.platform != "linux":
        return load()
    with ThreadPoolExecutor(
        max_workers=1, thread_name_prefix="whisper-load", initializer=os.nice, initargs=(nice,)
    ) as pool:
        return pool.submit(load).result()


class _SecondWindow(Exception):
    """Raised inside faster-whisper's segment generator when it starts a second window."""


class _FirstWindowOnly:
    """A view of a loaded model (the same weights) whose transcription stops after one window.

    faster-whisper's generator encodes each 30 s window as it reaches it; this view's `encode`
    refuses the second call, which ends the generator after the first window's segments. A view
    per transcription, so passes in other threads (and uploads on the shared model) are unaffected.
    """

    def __init__(self, model: WhisperModel, *, window: tuple[float, float] | None = None) -> None:
        self._model = model
        self._window = window
        self._encoded = False

    def __enter__(self) -> WhisperModel:
        view = copy.copy(self._model)
        encode = self._model.encode

        def encode_once(features: np.ndarray) -> object:
            if self._encoded:
                raise _SecondWindow
            self._encoded = True
            if self._window is not None:
                features = _without_padding(features, *self._window)
            return encode(features)

        view.encode = encode_once  # type: ignore[method-assign]
        return view

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> bool:
        return kind is _SecondWindow


def _without_padding(features: np.ndarray, padding_s: float, min_s: float) -> np.ndarray:
    """Cut a window's zero padding to `padding_s`, keeping at least `min_s` (CTranslate2 takes < 30 s).

    faster-whisper pads the log-mel features with exact zeros, a value real audio never gives in
    all 80 bands of a frame, so the last frame with any non-zero band is the end of the audio.
    """
    frames = features.shape[-1]
    heard = np.flatnonzero(np.any(features.reshape(-1, frames) != 0, axis=0))
    end = int(heard[-1]) + 1 if heard.size else 0
    keep = min(frames, max(end + round(padding_s * FRAMES_PER_S), round(min_s * FRAMES_PER_S)))
    keep += keep % 2  # the encoder's convolution halves the frames
    return np.ascontiguousarray(features[..., :keep])


class _Loaded:
    """The model, loaded once and shared by every copy made with `for_live`."""

    def __init__(self) -> None:
        self.model: WhisperModel | None = None
        self.lock = threading.Lock()


def _to_segment(raw: RawSegment, offset_s: float) -> Segment:
    words = tuple(
        Word(
            start=round(float(w.start) + offset_s, 3),
            end=round(float(w.end) + offset_s, 3),
            text=w.word.strip(),
            probability=float(w.probability),
        )
        for w in (raw.words or ())
    )
    return Segment(
        start=round(float(raw.start) + offset_s, 3),
        end=round(float(raw.end) + offset_s, 3),
        text=raw.text.strip(),
        words=words,
        confidence=math.exp(raw.avg_logprob),
        no_speech_prob=float(raw.no_speech_prob),
    )
