"""Build the Litestar application from settings (no globals: nothing happens at import time)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from litestar import Litestar, get
from litestar.config.app import AppConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from sqlalchemy import text

import service
from service.api.deps import provide_actor, provide_services
from service.api.problems import EXCEPTION_HANDLERS
from service.db.engine import make_engine, make_session_factory
from service.domain.drafts.controller import DraftController
from service.domain.failures.controller import FailureController
from service.domain.learnings.controller import LearningController
from service.domain.people.controller import PeopleController
from service.domain.reviews.controller import ReviewController
from service.domain.similarity.controller import SimilarityController
from service.domain.transcripts.controller import TranscriptController
from service.pages import PagesController
from service.settings import Settings

WEB_DIR = Path(__file__).resolve().parent.parent / "web"


@get("/health", tags=["service"], sync_to_thread=True, summary="Is the service up and can it reach its database?")
def health(state: State) -> dict[str, Any]:
    with state.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return {"status": "ok", "version": service.__version__, "database": state.engine.dialect.name}


def create_app(settings: Settings | None = None) -> Litestar:
    """Create the application; the database engine is created here and disposed at shutdown."""
    settings = settings or Settings()
    engine = make_engine(settings)
    state = State({"settings": settings, "engine": engine, "session_factory": make_session_factory(engine)})

    def dispose_engine() -> None:
        engine.dispose()

    return Litestar(
        route_handlers=[
            health,
            PagesController,
            PeopleController,
            ReviewController,
            TranscriptController,
            FailureController,
            DraftController,
            LearningController,
            SimilarityController,
            create_static_files_router(path="/static", directories=[WEB_DIR / "static"]),
        ],
        state=state,
        dependencies={
            "services": Provide(provide_services),
            "actor": Provide(provide_actor, sync_to_thread=False),
        },
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        openapi_config=OpenAPIConfig(
            title="Debrief",
            version=service.__version__,
            description="After-action reviews where AI drafts and humans decide.",
            path="/api/schema",
            # Only the machine-readable documents: the HTML viewers load scripts from CDNs and
            # Debrief must work offline.
            render_plugins=[JsonRenderPlugin(), YamlRenderPlugin()],
        ),
        template_config=TemplateConfig(directory=WEB_DIR / "templates", engine=JinjaTemplateEngine),
        on_shutdown=[dispose_engine],
        debug=settings.web.debug,
        on_app_init=[_quiet_logging],
    )


def _quiet_logging(app_config: AppConfig) -> AppConfig:
    logging.getLogger("debrief").setLevel(logging.INFO)
    return app_config
