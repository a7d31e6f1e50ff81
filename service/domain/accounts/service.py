"""Accounts: passwords, sign-in, API tokens and admin-issued password links."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from service.db.types import utcnow
from service.domain.accounts.secrets import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    new_token,
    token_digest,
    verify_password,
)
from service.errors import Forbidden, InvalidInput, NeedsPerson, NotFound
from service.models import ApiToken, PasswordReset, Person, Role, TeamMember


class AccountService:
    def __init__(self, session: Session, *, reset_hours: int = 48) -> None:
        self.session = session
        self.reset_hours = reset_hours

    def has_any_account(self) -> bool:
        return bool(self.session.scalar(select(func.count(Person.id)).where(Person.password_hash.is_not(None))))

    def set_password(self, person: Person, password: str) -> None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise InvalidInput(
                f"Use a password of at least {MIN_PASSWORD_LENGTH} characters; a passphrase is best.", field="password"
            )
        person.password_hash = hash_password(password)

    def authenticate(self, *, email: str, password: str) -> Person:
        """Return the person for these credentials; the same message whether the e-mail or password is wrong."""
        person = self.session.scalar(select(Person).where(func.lower(Person.email) == email.strip().lower()))
        hashed = person.password_hash if person else None
        if not verify_password(hashed, password) or person is None or person.disabled_at is not None:
            raise NeedsPerson(
                "That e-mail and password do not match an account. Ask an admin for a new "
                "password link if you have forgotten yours."
            )
        if needs_rehash(person.password_hash or ""):
            person.password_hash = hash_password(password)
        person.last_login_at = utcnow()
        return person

    # -- API tokens ----------------------------------------------------------------------------

    def create_token(self, person: Person, *, name: str) -> tuple[ApiToken, str]:
        """Issue a personal API token; the secret is returned once and only its digest is kept."""
        secret = new_token()
        token = ApiToken(person_id=person.id, name=name.strip() or "token", token_hash=token_digest(secret))
        self.session.add(token)
        self.session.flush()
        return token, secret

    def token(self, secret: str) -> ApiToken | None:
        """The live token for this secret, or None when it is unknown, revoked or its person disabled."""
        # One query for the token and its person: this runs on every token-authenticated request.
        query = select(ApiToken).options(joinedload(ApiToken.person)).where(ApiToken.token_hash == token_digest(secret))
        token = self.session.scalar(query)
        if token is None or token.revoked_at is not None or token.person.disabled_at is not None:
            return None
        return token

    def note_token_use(self, token_id: int) -> None:
        """Record when a token was last used, to the minute (so reads do not all become writes)."""
        token = self.session.get(ApiToken, token_id)
        now = utcnow()
        if token is not None and (token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1)):
            token.last_used_at = now

    def revoke_token(self, person: Person, token_id: int) -> None:
        token = self.session.get(ApiToken, token_id)
        if token is None or token.person_id != person.id:
            raise NotFound(f"You have no token with id {token_id}.")
        token.revoked_at = utcnow()

    # -- password links ------------------------------------------------------------------------

    def issue_password_link(self, person: Person, *, by: Person) -> str:
        """An admin issues a one-time link for someone to set their password (first time or reset)."""
        if not self.can_administer_person(by, person):
            raise Forbidden("Only a site admin, or an admin of one of this person's teams, can issue password links.")
        secret = new_token()
        self.session.add(
            PasswordReset(
                person_id=person.id,
                token_hash=token_digest(secret),
                created_by=by.id,
                expires_at=utcnow() + timedelta(hours=self.reset_hours),
            )
        )
        self.session.flush()
        return secret

    def redeem_password_link(self, secret: str, *, password: str) -> Person:
        reset = self.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == token_digest(secret)))
        if reset is None or reset.used_at is not None or reset.expires_at < utcnow():
            raise NotFound("This password link is unknown, used or expired; ask an admin for a new one.")
        person = self.session.get(Person, reset.person_id)
        assert person is not None
        self.set_password(person, password)
        reset.used_at = utcnow()
        return person

    def can_administer_person(self, admin: Person, person: Person) -> bool:
        if admin.is_admin:
            return True
        admin_teams = select(TeamMember.team_id).where(
            TeamMember.person_id == admin.id, TeamMember.role == Role.ADMIN.value
        )
        return bool(
            self.session.scalar(
                select(func.count())
                .select_from(TeamMember)
                .where(TeamMember.person_id == person.id, TeamMember.team_id.in_(admin_teams))
            )
        )
