"""Errors raised by the retrieval package, each with a message that says what to do next."""

from __future__ import annotations


class RetrievalError(Exception):
    """Base class: anything in this package that a caller may want to report or act on."""


class EmbeddingModelError(RetrievalError):
    """The embedding model or its tokenizer is missing, altered, or cannot be loaded."""


class IndexUnavailableError(RetrievalError):
    """The similarity index cannot be reached or opened (server down, directory unusable)."""


class IndexCorruptError(RetrievalError):
    """The index directory exists but its files are damaged; rebuild it from the database."""

    def __init__(self, message: str, *, path: str, problems: tuple[str, ...]) -> None:
        super().__init__(message)
        self.path = path
        self.problems = problems
