"""Helpers shared by the page controllers: form bodies, HTMX detection, error round-trips."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from service.errors import DebriefError, InvalidInput

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def field(data: dict[str, Any], name: str) -> str:
    value = data.get(name, "")
    return (value[-1] if isinstance(value, list) else str(value)).strip()


def int_field(data: dict[str, Any], name: str) -> int:
    try:
        return int(field(data, name))
    except ValueError:
        raise InvalidInput(f"Choose a value for {name.replace('_', ' ')}.", field=name) from None


def ints(data: dict[str, Any], name: str) -> list[int]:
    values = data.get(name, [])
    values = values if isinstance(values, list) else [values]
    return [int(v) for v in values if str(v).strip().isdigit()]


def date_field(data: dict[str, Any], name: str) -> date | None:
    text = field(data, name)
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise InvalidInput(f"{name.replace('_', ' ')} must be a date like 2026-12-01.", field=name) from None


def local_datetime_field(data: dict[str, Any], name: str, *, offset_minutes: int = 0) -> datetime:
    """A <input type=datetime-local> value; the browser sends its UTC offset in a hidden field."""
    from datetime import UTC, timedelta

    text = field(data, name)
    try:
        naive = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput("Give the time of the failure, e.g. 2026-11-23 18:00.", field=name) from None
    if naive.tzinfo is not None:
        return naive
    return (naive + timedelta(minutes=offset_minutes)).replace(tzinfo=UTC)


def act(
    request: Request,
    session: Session,
    *,
    page: str,
    action: Callable[[], object],
    render: Callable[[str | None], Template],
) -> Any:
    """Run a page action; answer HTMX with the re-rendered partial, plain browsers with a redirect.

    An error the person can fix comes back in the same partial (HTMX) or as ?error= on the page, and
    whatever the action had written is rolled back first: a refused action leaves no trace.
    """
    error = None
    try:
        action()
        session.flush()
    except DebriefError as exc:
        session.rollback()
        error = exc.detail
    if is_htmx(request):
        return render(error)
    target = page + (f"?{urlencode({'error': error})}" if error else "")
    return Redirect(target, status_code=303)
