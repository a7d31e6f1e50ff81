"""The dashboard: the method's signs of life and decay, per team and overall."""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Template

from service.api.deps import ActorDep, ServicesDep
from service.db.types import utcnow
from service.domain.dashboard.service import build_dashboard


class DashboardPages(Controller):
    @get("/dashboard", sync_to_thread=True)
    def dashboard(self, services: ServicesDep, actor: ActorDep) -> Template:
        board = build_dashboard(services.session, services.access, now=utcnow())
        return Template(template_name="dashboard.html", context={"me": actor, "board": board})
