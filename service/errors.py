"""Domain errors: each says what went wrong and what to do about it.

Services raise these; the web layer turns them into RFC 9457 problem details and the CLI prints them.
"""

from __future__ import annotations

from typing import Any


class DebriefError(Exception):
    """Base class; ``status`` is the HTTP status the web layer answers with."""

    status = 400
    title = "Request cannot be carried out"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DebriefError):
    status = 404
    title = "Not found"


class InvalidInput(DebriefError):
    status = 400
    title = "Invalid input"


class Conflict(DebriefError):
    """The request is well-formed but the record's current state does not allow it."""

    status = 409
    title = "Not allowed in the current state"


class Forbidden(DebriefError):
    """The person is known but their role does not allow this."""

    status = 403
    title = "Not allowed for your role"


class NeedsPerson(DebriefError):
    status = 401
    title = "Who is acting?"


class Unavailable(DebriefError):
    """A dependency (database lock, model server) is busy or down; the same request may succeed later."""

    status = 503
    title = "Temporarily unavailable"
