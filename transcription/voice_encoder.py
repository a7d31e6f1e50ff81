"""Voice embeddings in numpy: Resemblyzer's GE2E speaker encoder, without PyTorch or librosa.

A voice embedding is a 256-value unit vector; two stretches of speech by the same voice lie close
(cosine near 1), different voices further apart. This reproduces `resemblyzer.VoiceEncoder.
embed_utterance` (0.1.4) step by step, checked against the real package with torch and librosa by
`evals/transcription/voice_reference.py` (the recorded output is a test fixture):

1. volume raised to -30 dBFS (never lowered), as `resemblyzer.audio.normalize_volume`;
2. a 40-band mel power spectrogram, 25 ms windows every 10 ms, as librosa 0.10+ computes it
   (periodic Hann window, centred frames padded with zeros, Slaney mel scale and area norm; not
   logarithmic);
3. partial utterances of 160 frames (1.6 s), 1.3 per second, the last kept if at least 75 % full;
4. each partial through a 3-layer LSTM (256 units, PyTorch's gate order i, f, g, o, two biases),
   the last layer's final state through Linear(256) and ReLU, L2-normed;
5. the partials' mean, L2-normed.

Not reproduced: `preprocess_wav`'s silence trimming, which needs webrtcvad. Whisper's segments and
word timings already say where the speech is, and callers embed only those stretches.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from transcription.types import SAMPLE_RATE, AudioArray
from transcription.voice_weights import Weights

N_FFT = 400  # 25 ms
HOP = 160  # 10 ms
N_MELS = 40
PARTIAL_FRAMES = 160  # 1.6 s
PARTIAL_RATE = 1.3  # partials per second
MIN_COVERAGE = 0.75
TARGET_DBFS = -30.0
LAYERS = 3
EMBEDDING_SIZE = 256
# Partials through the LSTM at once. Its inputs' share of the gates takes 0.6 MiB per partial, and
# this runs beside Whisper: 64 added ~50 MiB to an upload's peak RSS, 16 is as fast here (0.5 CPU-s
# per minute of speech either way).
BATCH = 16

Vector = npt.NDArray[np.float32]


def normalise_volume(wav: AudioArray) -> AudioArray:
    """Raise quiet audio to -30 dBFS; leave louder audio as it is (Resemblyzer's increase_only)."""
    rms = float(np.sqrt(np.mean(np.square(wav, dtype=np.float64))))
    if rms == 0.0:
        return wav
    change_db = TARGET_DBFS - 20 * np.log10(rms)
    return wav if change_db < 0 else (wav * np.float32(10 ** (change_db / 20))).astype(np.float32)


def mel_filters() -> npt.NDArray[np.float32]:
    """librosa.filters.mel(sr=16000, n_fft=400, n_mels=40): Slaney scale, Slaney area norm."""
    fft_hz = np.fft.rfftfreq(N_FFT, d=1.0 / SAMPLE_RATE)
    mel_hz = _mel_to_hz(np.linspace(_hz_to_mel(0.0), _hz_to_mel(SAMPLE_RATE / 2), N_MELS + 2))
    widths = np.diff(mel_hz)
    ramps = mel_hz[:, None] - fft_hz[None, :]
    weights = np.zeros((N_MELS, fft_hz.size), dtype=np.float32)
    for band in range(N_MELS):
        lower = -ramps[band] / widths[band]
        upper = ramps[band + 2] / widths[band + 1]
        weights[band] = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_hz[2 : N_MELS + 2] - mel_hz[:N_MELS]))[:, None]
    return weights


# The Slaney mel scale: linear below 1 kHz (3 mels per 200 Hz), logarithmic above.
_F_SP = 200.0 / 3
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP
_LOGSTEP = np.log(6.4) / 27.0


def _hz_to_mel(hz: float) -> float:
    return hz / _F_SP if hz < _MIN_LOG_HZ else _MIN_LOG_MEL + float(np.log(hz / _MIN_LOG_HZ)) / _LOGSTEP


def _mel_to_hz(mels: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.where(mels < _MIN_LOG_MEL, _F_SP * mels, _MIN_LOG_HZ * np.exp(_LOGSTEP * (mels - _MIN_LOG_MEL)))


_WINDOW = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)  # periodic Hann
_MEL = mel_filters()


def mel_spectrogram(wav: AudioArray) -> npt.NDArray[np.float32]:
    """Frames x 40 mel power spectrogram, frame k centred on sample 160 k (librosa center=True)."""
    padded = np.pad(wav.astype(np.float32, copy=False), N_FFT // 2)
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP]
    power = np.abs(np.fft.rfft(frames * _WINDOW, axis=1)) ** 2
    return (power.astype(np.float32) @ _MEL.T).astype(np.float32)


def partial_starts(n_samples: int) -> list[int]:
    """First frame of each 1.6 s partial utterance (resemblyzer's compute_partial_slices)."""
    n_frames = int(np.ceil((n_samples + 1) / HOP))
    step = int(np.round(SAMPLE_RATE / PARTIAL_RATE / HOP))
    starts = list(range(0, max(1, n_frames - PARTIAL_FRAMES + step + 1), step))
    coverage = (n_samples - starts[-1] * HOP) / (PARTIAL_FRAMES * HOP)
    if coverage < MIN_COVERAGE and len(starts) > 1:
        starts.pop()
    return starts


@dataclass(frozen=True)
class VoiceEncoder:
    """Turn speech into voice embeddings with the weights `load_voice_weights` read."""

    weights: Weights

    @cached_property
    def _layers(self) -> list[tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.float32]]]:
        w = self.weights
        return [
            (
                np.ascontiguousarray(w[f"lstm.weight_ih_l{n}"].T),
                np.ascontiguousarray(w[f"lstm.weight_hh_l{n}"].T),
                w[f"lstm.bias_ih_l{n}"] + w[f"lstm.bias_hh_l{n}"],
            )
            for n in range(LAYERS)
        ]

    def embed_partials(self, mels: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Embed a batch of partial utterances (batch x 160 frames x 40 mels): batch x 256 unit vectors."""
        sequence = mels.astype(np.float32, copy=False)
        batch, steps, _ = sequence.shape
        hidden = np.zeros((batch, EMBEDDING_SIZE), dtype=np.float32)
        for w_in, w_rec, bias in self._layers:
            # The input's share of every step's gates in one product; only the recurrent part loops.
            from_input = sequence @ w_in + bias
            hidden = np.zeros((batch, w_rec.shape[0]), dtype=np.float32)
            cell = np.zeros_like(hidden)
            outputs = np.empty((batch, steps, hidden.shape[1]), dtype=np.float32)
            for t in range(steps):
                gates = from_input[:, t] + hidden @ w_rec
                i, f, g, o = np.split(gates, 4, axis=1)  # PyTorch's order: input, forget, cell, output
                cell = _sigmoid(f) * cell + _sigmoid(i) * np.tanh(g)
                hidden = _sigmoid(o) * np.tanh(cell)
                outputs[:, t] = hidden
            sequence = outputs
        raw = np.maximum(hidden @ self.weights["linear.weight"].T + self.weights["linear.bias"], 0)
        norms = np.linalg.norm(raw, axis=1, keepdims=True)
        return (raw / np.where(norms == 0, 1, norms)).astype(np.float32)

    def embed_utterance(self, wav: AudioArray) -> Vector:
        """One voice embedding for a stretch of speech (volume-normalised here), as Resemblyzer's."""
        return self.embed_many([wav])[0]

    def embed_many(self, wavs: list[AudioArray]) -> npt.NDArray[np.float32]:
        """Embed several stretches of speech at once (their partials share one LSTM batch)."""
        batches: list[npt.NDArray[np.float32]] = []
        owners: list[int] = []
        for n, wav in enumerate(wavs):
            wav = normalise_volume(wav)
            starts = partial_starts(len(wav))
            needed = (starts[-1] + PARTIAL_FRAMES) * HOP
            if needed >= len(wav):
                wav = np.pad(wav, (0, needed - len(wav)))
            mel = mel_spectrogram(wav)
            batches.extend(mel[s : s + PARTIAL_FRAMES] for s in starts)
            owners.extend([n] * len(starts))
        if not batches:
            return np.zeros((0, EMBEDDING_SIZE), dtype=np.float32)
        # In batches (BATCH): a long call has thousands of partials.
        partials = np.concatenate(
            [self.embed_partials(np.stack(batches[i : i + BATCH])) for i in range(0, len(batches), BATCH)]
        )
        out = np.zeros((len(wavs), EMBEDDING_SIZE), dtype=np.float32)
        np.add.at(out, np.asarray(owners), partials)
        counts = np.bincount(owners, minlength=len(wavs))[:, None]
        mean = out / np.maximum(counts, 1)
        return (mean / np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def _sigmoid(x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    return (0.5 * (1.0 + np.tanh(0.5 * x))).astype(np.float32)  # overflow-free, same values
