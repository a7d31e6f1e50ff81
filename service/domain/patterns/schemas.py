"""API shapes for cross-team patterns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from service.domain.patterns.naming import PROPOSED_BY
from service.models import Failure, Pattern, PatternMember


class PatternEditIn(msgspec.Struct, kw_only=True):
    theme: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
    description: Annotated[str, msgspec.Meta(max_length=4000)] | None = None


class MemberOut(msgspec.Struct, kw_only=True):
    failure_id: int
    external_id: str | None
    title: str
    team: str
    occurred_on: str | None
    evidence: str


class PatternOut(msgspec.Struct, kw_only=True):
    id: int
    theme: str
    description: str
    status: str
    proposed_by: str
    decided_by: int | None
    decided_at: datetime | None
    member_ids: list[str]
    teams: list[str]
    members: list[MemberOut]
    hidden_members: int  # members from teams that do not share with you

    @classmethod
    def of(cls, pattern: Pattern, visible: list[tuple[PatternMember, Failure]]) -> PatternOut:
        members = [
            MemberOut(
                failure_id=f.id,
                external_id=f.external_id,
                title=f.title,
                team=f.team.name,
                occurred_on=f.occurred_on.isoformat() if f.occurred_on else None,
                evidence=m.evidence,
            )
            for m, f in visible
        ]
        return cls(
            id=pattern.id,
            theme=pattern.theme,
            description=pattern.description,
            status=pattern.status,
            proposed_by=PROPOSED_BY if pattern.llm_call_id is None else "machine (LLM)",
            decided_by=pattern.decided_by,
            decided_at=pattern.decided_at,
            member_ids=[m.external_id or str(m.failure_id) for m in members],
            teams=sorted({m.team for m in members}),
            members=members,
            hidden_members=len(pattern.members) - len(members),
        )
