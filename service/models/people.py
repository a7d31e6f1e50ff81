"""Teams, the people in them, and their role in each team."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db.base import Base, Timestamped
from service.models.vocabulary import Role, one_of


class Team(Timestamped, Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    members: Mapped[list[TeamMember]] = relationship(back_populates="team", cascade="all, delete-orphan")


class Person(Timestamped, Base):
    """A human being. Learnings are owned by people, never by "the team"."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)


class TeamMember(Timestamped, Base):
    __tablename__ = "team_members"
    __table_args__ = (one_of("role", Role, name="role"),)

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), default=Role.PARTICIPANT.value)

    team: Mapped[Team] = relationship(back_populates="members")
    person: Mapped[Person] = relationship()
