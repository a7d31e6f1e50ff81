"""API shapes for similarity links."""

from __future__ import annotations

from datetime import datetime

import msgspec

from service.domain.similarity.text import answer_text
from service.models import Failure, Question, SimilarityLink


def shared_gap(failure: Failure) -> str:
    """The gap a team shares with others: the answer to question 3, or an imported record's summary."""
    return answer_text(failure, Question.GAP) or (failure.summary if failure.review_id is None else "")


class LinkIn(msgspec.Struct, kw_only=True):
    similar_failure_id: int
    score: float
    reason: str = ""


class DecideIn(msgspec.Struct, kw_only=True):
    note: str = ""


class LinkOut(msgspec.Struct, kw_only=True):
    id: int
    failure_id: int
    similar_failure_id: int
    similar_title: str
    similar_team: str
    similar_gap: str = msgspec.field(default="")  # what the other team shares: its gap, never more
    score: float
    reason: str
    status: str
    decided_by: int | None
    decided_at: datetime | None
    note: str

    @classmethod
    def of(cls, link: SimilarityLink) -> LinkOut:
        return cls(
            id=link.id,
            failure_id=link.failure_id,
            similar_failure_id=link.similar_failure_id,
            similar_title=link.similar_failure.title,
            similar_team=link.similar_failure.team.name,
            similar_gap=shared_gap(link.similar_failure),
            score=link.score,
            reason=link.reason,
            status=link.status,
            decided_by=link.decided_by,
            decided_at=link.decided_at,
            note=link.note,
        )


class PastFailureOut(msgspec.Struct, kw_only=True):
    """A past failure as every team that may see it sees it (title and gap), with its links."""

    id: int
    title: str
    team: str
    gap: str
    links: list[LinkOut]

    @classmethod
    def of(cls, failure: Failure, links: list[SimilarityLink]) -> PastFailureOut:
        return cls(
            id=failure.id,
            title=failure.title,
            team=failure.team.name,
            gap=shared_gap(failure),
            links=[LinkOut.of(link) for link in links],
        )
