"""Server-rendered pages (Jinja2 + HTMX). Every page works without JavaScript; HTMX only swaps partials."""

from litestar import Router

from service.pages.admin import AdminPages, LinkPages
from service.pages.auth import AuthPages
from service.pages.dashboard import DashboardPages
from service.pages.patterns import PatternPages
from service.pages.reviews import ReviewPages
from service.pages.room import RoomPages

PagesController = Router(
    path="/",
    route_handlers=[AuthPages, AdminPages, LinkPages, ReviewPages, RoomPages, DashboardPages, PatternPages],
    include_in_schema=False,
)

__all__ = ["PagesController"]
