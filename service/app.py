"""Build the Litestar application from settings (no globals: nothing happens at import time)."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

from anyio.to_thread import run_sync
from litestar import Litestar, Request, get
from litestar.config.app import AppConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from litestar.template import TemplateConfig
from sqlalchemy import text

import service
from service.api.admission import admission_middleware, request_limits
from service.api.auth import PUBLIC_PATHS, DebriefAuthenticationMiddleware, TokenAwareCSRFMiddleware
from service.api.deps import provide_actor, provide_services
from service.api.problems import EXCEPTION_HANDLERS
from service.api.room_read import RoomBuilds
from service.api.sessions import SignInSessionConfig
from service.db.engine import make_engine, make_room_read_engine, make_session_factory
from service.domain.accounts.controller import AccountController
from service.domain.drafting.controller import DraftingController
from service.domain.drafts.controller import DraftController
from service.domain.failures.controller import FailureController
from service.domain.learnings.controller import LearningController
from service.domain.patterns.controller import PatternController
from service.domain.people.controller import PeopleController
from service.domain.recordings.controller import RecordingController, upload_handler
from service.domain.reviews.controller import ReviewController
from service.domain.reviews.room_reads import RoomReads
from service.domain.similarity.controller import SimilarityController
from service.domain.similarity.startup import open_or_warn
from service.domain.transcripts.controller import TranscriptController
from service.jobs.worker import transcription_lifespan
from service.live.controller import LIVE_HANDLERS
from service.live.events import make_channels_plugin
from service.llm.endpoint import ModelEndpoint
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
    busy, waiting = request_limits(settings)
    room_read_engine = make_room_read_engine(settings, connections=busy)
    # The model endpoint starts nothing until the first draft (the embedded server is started lazily).
    endpoint = ModelEndpoint.from_settings(settings)
    state = State(
        {
            "settings": settings,
            "engine": engine,
            "session_factory": make_session_factory(engine),
            "room_read_engine": room_read_engine,  # None on SQLite
            "model_endpoint": endpoint,
            # The review room's read, built once per change of the review (checked on every read).
            "room_reads": RoomReads(),
            "room_builds": RoomBuilds(),  # reads that miss that cache together wait for one build
        }
    )
    secret = settings.auth.secret_key or _persistent_secret(settings.data_dir / "secret_key")
    sessions = SignInSessionConfig(
        key="debrief_session",
        max_age=settings.auth.session_hours * 3600,
        secure=settings.auth.secure_cookies,
        httponly=True,
        samesite="lax",
        store="sessions",
        exclude=["^/static/", "^/health$"],
    )
    authentication = DefineMiddleware(DebriefAuthenticationMiddleware, exclude=PUBLIC_PATHS)
    csrf = DefineMiddleware(
        TokenAwareCSRFMiddleware,
        config=CSRFConfig(
            secret=secret,
            cookie_name="debrief_csrf",
            header_name="x-csrftoken",
            cookie_secure=settings.auth.secure_cookies,
            cookie_samesite="strict",
        ),
    )
    login_limit = RateLimitConfig(
        rate_limit=("minute", settings.auth.login_attempts_per_minute),
        store="rate_limit",
        check_throttle_handler=_is_sign_in,
        set_rate_limit_headers=True,
    )

    async def dispose_engine() -> None:
        engine.dispose()
        if room_read_engine is not None:
            await room_read_engine.dispose()

    async def open_index() -> None:
        # Opening may rebuild the index from the database (embedding every failure): a worker thread.
        state.similarity_index = await run_sync(open_or_warn, settings, state.session_factory)

    def close_index() -> None:
        if state.get("similarity_index") is not None:
            state.similarity_index.close()

    return Litestar(
        route_handlers=[
            health,
            AccountController,
            PagesController,
            PeopleController,
            ReviewController,
            TranscriptController,
            RecordingController,
            upload_handler(settings),
            *LIVE_HANDLERS,
            FailureController,
            DraftController,
            DraftingController,
            LearningController,
            SimilarityController,
            PatternController,
            create_static_files_router(path="/static", directories=[WEB_DIR / "static"]),
        ],
        state=state,
        stores=_stores(settings),
        middleware=[
            admission_middleware(busy, waiting),
            sessions.middleware,
            login_limit.middleware,
            authentication,
            csrf,
        ],
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
        on_startup=[open_index],
        on_shutdown=[close_index, endpoint.close, dispose_engine],
        plugins=[make_channels_plugin(settings)],
        lifespan=[transcription_lifespan],
        debug=settings.web.debug,
        on_app_init=[_quiet_logging],
    )


def _stores(settings: Settings) -> dict[str, Store]:
    """Sign-in sessions and the sign-in rate limit: in this process, or in Redis shared by all of them."""
    if settings.web.events_url:
        redis = RedisStore.with_client(url=settings.web.events_url, namespace="debrief")
        return {"sessions": redis.with_namespace("sessions"), "rate_limit": redis.with_namespace("rate_limit")}
    return {
        "sessions": FileStore(settings.data_dir / "sessions", create_directories=True),
        "rate_limit": MemoryStore(),
    }


def _is_sign_in(request: Request) -> bool:
    return request.method == "POST" and request.url.path == "/api/session"


def _persistent_secret(path: Path) -> str:
    """Generate the CSRF secret once per installation, readable by the service's user only."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Several app processes may start at once on a new data directory: each writes a candidate in
    # full, then links it into place; the first link wins and every process reads the winner.
    candidate = path.with_name(f"{path.name}.{os.getpid()}")
    fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    try:
        os.link(candidate, path)
    except FileExistsError:
        pass
    finally:
        candidate.unlink()
    return path.read_text().strip()


def _quiet_logging(app_config: AppConfig) -> AppConfig:
    logging.getLogger("debrief").setLevel(logging.INFO)
    return app_config
