"""Who may open a review's live sockets.

WebSockets are not covered by CSRF protection and browsers send cookies with them from any site,
so a page elsewhere could open one in a signed-in person's name (cross-site WebSocket hijacking).
The `Origin` header is what stops that: a browser always sends it, and it must name this host.
Scripts that send no `Origin` must authenticate with an API token, which no other site can hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from litestar.connection import WebSocket
from sqlalchemy.orm import Session, sessionmaker

from service.api.auth import Viewer
from service.db.engine import unit_of_work
from service.db.types import utcnow
from service.domain.services import build_services
from service.errors import DebriefError, Forbidden, NeedsPerson
from service.models import Person
from service.settings import Settings


@dataclass(frozen=True)
class Speaker:
    review_id: int
    person_id: int
    name: str
    offset_s: float
    """Seconds between the start of the review and the start of this stream: live segment times are
    stored on the review's clock, so several speakers' segments interleave in the order spoken."""


def check_origin(socket: WebSocket) -> Viewer:
    viewer = socket.scope.get("user")
    if not isinstance(viewer, Viewer):
        raise NeedsPerson("Sign in first, or send an API token.")
    origin = socket.headers.get("origin")
    if origin is None:
        if viewer.via_token:
            return viewer
        raise Forbidden("A browser must send an Origin header; scripts must use an API token.")
    host = socket.headers.get("host", "")
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != host.lower():
        raise Forbidden(f"Origin {origin[:60]} is not this site; open the review from {host}.")
    return viewer


def open_speaker(factory: sessionmaker[Session], settings: Settings, viewer: Viewer, review_id: int) -> Speaker:
    """Check the person takes part in the open review, mark it held, and place them on its clock."""
    with unit_of_work(factory) as session:
        person = _person(session, viewer)
        services = build_services(session, settings, viewer=person)
        review = services.reviews.get(review_id)
        services.reviews.ensure_open(review)
        services.reviews.ensure_participant(review, person, "speak in the live transcript")
        services.reviews.start(review, actor=person)
        assert review.held_at is not None
        offset = max((utcnow() - review.held_at).total_seconds(), 0.0)
        return Speaker(review_id=review.id, person_id=person.id, name=person.name, offset_s=offset)


def check_reader(factory: sessionmaker[Session], settings: Settings, viewer: Viewer, review_id: int) -> None:
    """Anyone who may see the review may follow its events (readers included)."""
    with unit_of_work(factory, write=False) as session:
        build_services(session, settings, viewer=_person(session, viewer)).reviews.get(review_id)


def _person(session: Session, viewer: Viewer) -> Person:
    person = session.get(Person, viewer.id)
    if person is None or person.disabled_at is not None:
        raise NeedsPerson("Your account is no longer active; sign in again.")
    return person


def close_code(exc: DebriefError) -> int:
    return 4000 + exc.status


def close_reason(text: str) -> str:
    """WebSocket close reasons are limited to 123 bytes of UTF-8."""
    encoded = text.encode()
    if len(encoded) <= 123:
        return text
    return encoded[:120].decode(errors="ignore") + "..."
