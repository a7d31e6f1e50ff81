"""API shapes for sign-in, tokens and password links."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from service.models import Person

Password = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class SignIn(msgspec.Struct, kw_only=True):
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=254)]
    password: Password


class Setup(msgspec.Struct, kw_only=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=254)]
    password: Password


class NewPassword(msgspec.Struct, kw_only=True):
    password: Password


class TokenIn(msgspec.Struct, kw_only=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]


class TokenOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    token: Annotated[str, msgspec.Meta(description="Shown once. Send it as `Authorization: Bearer <token>`.")]


class LinkOut(msgspec.Struct, kw_only=True):
    url: Annotated[str, msgspec.Meta(description="Give this to the person; it works once.")]
    expires_at: datetime


class Me(msgspec.Struct, kw_only=True):
    id: int
    name: str
    email: str | None
    is_admin: bool

    @classmethod
    def of(cls, person: Person) -> Me:
        return cls(id=person.id, name=person.name, email=person.email, is_admin=person.is_admin)
