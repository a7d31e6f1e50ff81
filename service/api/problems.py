"""Every error leaves the API as an RFC 9457 problem detail that says what to fix."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from retrieval.errors import IndexUnavailableError
from service.errors import DebriefError

log = logging.getLogger("debrief")
MEDIA_TYPE = "application/problem+json"

# Schema errors name a JSON path; for the rules people trip over, say the rule, not just the type.
FIELD_HINTS = {
    "owner_id": "A learning has exactly one owner: give one person's id in owner_id "
    "(not a list, not empty, not 'the team').",
    "failed_at": "failed_at is an ISO 8601 instant with a timezone, e.g. 2026-11-20T14:00:00Z.",
}


def _problem(status: int, title: str, detail: str, **extra: Any) -> Response[dict[str, Any]]:
    body = {"type": "about:blank", "status": status, "title": title, "detail": detail, **extra}
    headers = {"Retry-After": "2"} if status == 503 else None
    return Response(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def debrief_error(_: Request, exc: DebriefError) -> Response[dict[str, Any]]:
    return _problem(exc.status, exc.title, exc.detail, **exc.extra)


def validation_error(_: Request, exc: ValidationException) -> Response[dict[str, Any]]:
    errors = exc.extra if isinstance(exc.extra, list) else []
    hints = [
        FIELD_HINTS[k] for e in errors for k in FIELD_HINTS if k in str(e.get("key", "")) + str(e.get("message", ""))
    ]
    detail = (
        hints[0]
        if hints
        else "; ".join(f"{e.get('key') or 'body'}: {e.get('message')}" for e in errors) or str(exc.detail)
    )
    return _problem(400, "Invalid request", detail, errors=errors)


def http_error(request: Request, exc: HTTPException) -> Response[Any]:
    if exc.status_code == 401 and _wants_page(request):
        return Redirect(f"/login?{urlencode({'next': request.url.path})}")
    if exc.status_code == 403 and exc.detail == "CSRF token verification failed":
        return _problem(
            403,
            "Missing or stale form token",
            "This request carries no valid CSRF token. Browsers: reload the page and try again. "
            "Scripts: send the debrief_csrf cookie's value in the x-csrftoken header, or use an "
            "API token (Authorization: Bearer ...).",
        )
    return _problem(
        exc.status_code, exc.detail or "Error", exc.detail or "", **(exc.extra if isinstance(exc.extra, dict) else {})
    )


def _wants_page(request: Request) -> bool:
    """A person's browser navigating to a page (not the API, not a script) is sent to the sign-in page."""
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def database_unavailable(_: Request, exc: OperationalError) -> Response[dict[str, Any]]:
    log.warning("database unavailable: %s", exc.orig)
    locked = "locked" in str(exc.orig).lower() or "busy" in str(exc.orig).lower()
    detail = (
        "The database is busy with another write; nothing was saved. Retry in a moment."
        if locked
        else "The database cannot be reached; nothing was saved. Retry in a moment."
    )
    return _problem(503, "Temporarily unavailable", detail)


def pool_exhausted(_: Request, exc: PoolTimeout) -> Response[dict[str, Any]]:
    # Every database connection this process may open is busy: a load peak, not a fault.
    log.warning("database connection pool exhausted: %s", exc)
    return _problem(
        503,
        "Temporarily unavailable",
        "The service is busy (every database connection is in use); nothing was saved. Retry in a moment.",
    )


def index_unavailable(_: Request, exc: IndexUnavailableError) -> Response[dict[str, Any]]:
    log.warning("similarity index unavailable: %s", exc)
    return _problem(503, "Temporarily unavailable", str(exc))


def integrity_error(_: Request, exc: IntegrityError) -> Response[dict[str, Any]]:
    log.info("integrity error: %s", exc.orig)
    return _problem(
        409,
        "Conflicts with the record",
        "This change conflicts with what is already recorded (a duplicate or a missing "
        "reference); nothing was saved. Reload and try again.",
    )


def out_of_range(_: Request, exc: Exception) -> Response[dict[str, Any]]:
    # A last line of defence: API types already bound ids; this catches any other number too large
    # for the database column (SQLite raises OverflowError, PostgreSQL a DataError).
    log.info("value out of range (%s)", type(exc).__name__)
    return _problem(
        400, "Invalid input", "A number in the request is out of range for what it names; nothing was saved."
    )


def unexpected_error(_: Request, exc: Exception) -> Response[dict[str, Any]]:
    log.exception("unexpected error", exc_info=exc)
    return _problem(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "Internal error",
        "Something went wrong on our side; nothing was saved. The error is in the service log.",
    )


EXCEPTION_HANDLERS = {
    DebriefError: debrief_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    OperationalError: database_unavailable,
    IndexUnavailableError: index_unavailable,
    PoolTimeout: pool_exhausted,
    IntegrityError: integrity_error,
    DataError: out_of_range,
    OverflowError: out_of_range,
    Exception: unexpected_error,
}
