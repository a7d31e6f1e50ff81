"""Teams, the people in them, and their role in each team."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db.base import Base, Timestamped
from service.models.vocabulary import Role, ShareLevel, one_of


class Team(Timestamped, Base):
    __tablename__ = "teams"
    __table_args__ = (one_of("share_level", ShareLevel, name="share_level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # How much of this team's failures other teams see in similarity and pattern reports.
    share_level: Mapped[str] = mapped_column(String(20), default=ShareLevel.TITLE_AND_GAP.value)
    members: Mapped[list[TeamMember]] = relationship(back_populates="team", cascade="all, delete-orphan")


class Person(Timestamped, Base):
    """A human being. Learnings are owned by people, never by "the team"."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    # People without a password are still people (they can own learnings); they just cannot sign in.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(default=False)
    disabled_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]


class TeamMember(Timestamped, Base):
    __tablename__ = "team_members"
    __table_args__ = (one_of("role", Role, name="role"),)

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), default=Role.PARTICIPANT.value)

    team: Mapped[Team] = relationship(back_populates="members")
    person: Mapped[Person] = relationship()
