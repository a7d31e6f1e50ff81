"""Sign-in, first-run setup, API tokens and password links over HTTP."""

from __future__ import annotations

from datetime import timedelta

from litestar import Controller, Request, delete, get, post
from litestar.params import FromPath, JSONBody

from service.api.auth import SESSION_KEY
from service.api.deps import ActorDep, ServicesDep
from service.api.sessions import start_session
from service.api.types import PathId
from service.db.types import utcnow
from service.domain.accounts.schemas import LinkOut, Me, NewPassword, Setup, SignIn, TokenIn, TokenOut
from service.errors import Conflict


class AccountController(Controller):
    path = "/api"
    tags = ["accounts"]

    @post("/session", sync_to_thread=True, summary="Sign in with e-mail and password (sets a session cookie)")
    def sign_in(self, request: Request, data: JSONBody[SignIn], services: ServicesDep) -> Me:
        person = services.accounts.authenticate(email=data.email, password=data.password)
        start_session(request, {SESSION_KEY: person.id})  # a new session id: no fixation
        return Me.of(person)

    @get("/session/me", sync_to_thread=True, summary="Who am I?")
    def me(self, actor: ActorDep) -> Me:
        return Me.of(actor)

    @delete("/session", sync_to_thread=False, summary="Sign out")
    def sign_out(self, request: Request) -> None:
        request.clear_session()

    @post("/setup", sync_to_thread=True, summary="First run only: create the first site admin and sign in")
    def setup(self, request: Request, data: JSONBody[Setup], services: ServicesDep) -> Me:
        if services.accounts.has_any_account():
            raise Conflict("Debrief is already set up; sign in, or ask an admin for an account.")
        services.access.is_system = True  # nobody can sign in yet: the first admin is created by the system
        person = services.people.create_person(name=data.name, email=data.email, is_admin=True)
        services.accounts.set_password(person, data.password)
        start_session(request, {SESSION_KEY: person.id})  # a new session id: no fixation
        return Me.of(person)

    @post(
        "/people/{person_id:int}/password-link",
        sync_to_thread=True,
        summary="Admin: issue a one-time link for someone to set their password",
    )
    def password_link(self, person_id: PathId, services: ServicesDep, actor: ActorDep) -> LinkOut:
        person = services.people.get_person(person_id)
        secret = services.accounts.issue_password_link(person, by=actor)
        return LinkOut(url=f"/password/{secret}", expires_at=utcnow() + timedelta(hours=services.accounts.reset_hours))

    @post("/password-links/{token:str}", sync_to_thread=True, summary="Set a password with a one-time link")
    def redeem(self, token: FromPath[str], data: JSONBody[NewPassword], services: ServicesDep) -> Me:
        return Me.of(services.accounts.redeem_password_link(token, password=data.password))

    @post("/invites/{token:str}/accept", sync_to_thread=True, summary="Join a review through an invitation link")
    def accept_invite(self, token: FromPath[str], services: ServicesDep, actor: ActorDep) -> dict[str, int]:
        review = services.reviews.accept_invite(token, actor=actor)
        return {"review_id": review.id}

    @post("/tokens", sync_to_thread=True, summary="Create a personal API token (shown once)")
    def create_token(self, data: JSONBody[TokenIn], services: ServicesDep, actor: ActorDep) -> TokenOut:
        token, secret = services.accounts.create_token(actor, name=data.name)
        return TokenOut(id=token.id, name=token.name, token=secret)

    @delete("/tokens/{token_id:int}", sync_to_thread=True, summary="Revoke one of your API tokens")
    def revoke_token(self, token_id: PathId, services: ServicesDep, actor: ActorDep) -> None:
        services.accounts.revoke_token(actor, token_id)
