"""Server-rendered pages. The review room and the rest of the UI grow here (see the web issue)."""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Template

from service.api.deps import ServicesDep
from service.domain.reviews.schemas import ReviewSummary


class PagesController(Controller):
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def home(self, services: ServicesDep) -> Template:
        reviews = [ReviewSummary.of(r) for r in services.reviews.list_reviews()]
        return Template(template_name="home.html", context={"reviews": reviews})
