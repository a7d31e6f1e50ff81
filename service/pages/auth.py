"""Server-rendered pages: sign-in, first-run setup and the home page.

The review room and the rest of the UI grow here (the web issue). Forms post with the CSRF token
Litestar puts in every template (``csrf_input``).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Redirect, Template

from service.api.auth import SESSION_KEY
from service.api.deps import ServicesDep
from service.api.sessions import start_session
from service.errors import DebriefError

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect after sign-in would be a phishing aid.
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


class AuthPages(Controller):
    include_in_schema = False

    @get("/login", sync_to_thread=True)
    def login_page(
        self, services: ServicesDep, next_path: Annotated[str | None, QueryParameter(name="next")] = None
    ) -> Template | Redirect:
        if not services.accounts.has_any_account():
            return Redirect("/setup")
        return Template(template_name="login.html", context={"next": _safe_next(next_path), "error": None})

    @post("/login", sync_to_thread=True, status_code=303)
    def login(self, request: Request, data: Form, services: ServicesDep) -> Template | Redirect:
        try:
            person = services.accounts.authenticate(
                email=str(data.get("email", "")), password=str(data.get("password", ""))
            )
        except DebriefError as exc:
            return Template(
                template_name="login.html",
                status_code=401,
                context={"next": _safe_next(data.get("next")), "error": exc.detail},
            )
        start_session(request, {SESSION_KEY: person.id})  # a new session id: no fixation
        return Redirect(_safe_next(data.get("next")), status_code=303)

    @post("/logout", sync_to_thread=False, status_code=303)
    def logout(self, request: Request) -> Redirect:
        request.clear_session()
        return Redirect("/login", status_code=303)

    @get("/setup", sync_to_thread=True)
    def setup_page(self, services: ServicesDep) -> Template | Redirect:
        if services.accounts.has_any_account():
            return Redirect("/login")
        return Template(template_name="setup.html", context={"error": None})

    @post("/setup", sync_to_thread=True, status_code=303)
    def setup(self, request: Request, data: Form, services: ServicesDep) -> Template | Redirect:
        if services.accounts.has_any_account():
            return Redirect("/login")
        services.access.is_system = True  # nobody can sign in yet: the first admin is created by the system
        try:
            person = services.people.create_person(
                name=str(data.get("name", "")), email=str(data.get("email", "")), is_admin=True
            )
            services.accounts.set_password(person, str(data.get("password", "")))
        except DebriefError as exc:
            services.session.rollback()
            return Template(template_name="setup.html", status_code=400, context={"error": exc.detail})
        start_session(request, {SESSION_KEY: person.id})  # a new session id: no fixation
        return Redirect("/", status_code=303)
