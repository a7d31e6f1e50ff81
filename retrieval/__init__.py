"""Similar past failures: a local sentence-embedding model and a rebuildable Chroma index.

Pure library code: no web handlers, no database access. The service reads failures from its
database and hands (id, text, metadata) rows to `FailureIndex`; the database stays the truth.
"""

from retrieval.embedding import ChromaEmbeddingFunction, Embedder
from retrieval.errors import (
    EmbeddingModelError,
    IndexCorruptError,
    IndexUnavailableError,
    RetrievalError,
)
from retrieval.exact import ExactIndex, recall_at_k, top_k
from retrieval.model_files import ModelFiles, bundled_model_files, custom_model_files
from retrieval.store import FailureIndex, IndexHealth, IndexSettings, IndexStatus

__all__ = [
    "ChromaEmbeddingFunction",
    "Embedder",
    "EmbeddingModelError",
    "ExactIndex",
    "FailureIndex",
    "IndexCorruptError",
    "IndexHealth",
    "IndexSettings",
    "IndexStatus",
    "IndexUnavailableError",
    "ModelFiles",
    "RetrievalError",
    "bundled_model_files",
    "custom_model_files",
    "recall_at_k",
    "top_k",
]
