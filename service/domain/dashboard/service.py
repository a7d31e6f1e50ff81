"""The method's signs of life and decay, computed from the record.

Signs of life: reviews held within the window; learnings carried out by their owners.
Signs of decay (hollow ritual): reviews whose learnings were never carried out, and failures that
recur after a learning was recorded for the same cause (a confirmed similarity link pointing back
to a failure that already had a learning).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.access import Access
from service.models import (
    Failure,
    Learning,
    LearningStatus,
    LinkStatus,
    Review,
    ReviewStatus,
    Segment,
    SimilarityLink,
)


@dataclass
class TeamTimeliness:
    team: str
    judged: int = 0  # reviews held, or not held and past due
    on_time: int = 0

    @property
    def share(self) -> float | None:
        return self.on_time / self.judged if self.judged else None


@dataclass
class OwnerLearnings:
    owner: str
    done: int = 0
    open: int = 0
    overdue: int = 0
    dropped: int = 0


@dataclass
class HollowRitual:
    review_id: int
    title: str
    reason: str


@dataclass
class BlameCount:
    review_id: int
    title: str
    failed_at: datetime
    flags: int


@dataclass
class Dashboard:
    teams: list[TeamTimeliness]
    owners: list[OwnerLearnings]
    warnings: list[HollowRitual] = field(default_factory=list)
    blame: list[BlameCount] = field(default_factory=list)  # oldest first: the trend

    @property
    def overall(self) -> TeamTimeliness:
        total = TeamTimeliness(team="All teams")
        for t in self.teams:
            total.judged += t.judged
            total.on_time += t.on_time
        return total


def build_dashboard(session: Session, access: Access, *, now: datetime, team_id: int | None = None) -> Dashboard:
    """Compute the dashboard over the reviews this viewer may see."""
    query = select(Review).where(access.visible_reviews())
    if team_id is not None:
        query = query.where(Review.team_id == team_id)
    reviews = list(session.scalars(query.order_by(Review.id)))
    return Dashboard(
        teams=_timeliness(reviews, now),
        owners=_owners(reviews, now.date()),
        warnings=_hollow_ritual(session, reviews, now.date()),
        blame=_blame(session, access, reviews),
    )


def _blame(session: Session, access: Access, reviews: list[Review]) -> list[BlameCount]:
    """Blame flags per review over time, for the reviews this viewer facilitated (flags are private to them)."""
    from service.domain.drafting.blame import blame_flags  # drafting sits beside, not above, the dashboard
    from service.domain.drafting.text import Segment as Said

    viewer = access.viewer
    mine = [r for r in reviews if access.is_site_admin or (viewer is not None and r.facilitator_id == viewer.id)]
    counts = []
    for review in sorted(mine, key=lambda r: r.failed_at):
        rows = session.scalars(select(Segment).where(Segment.review_id == review.id))
        said = [Said(id=s.id, speaker=s.speaker, text=s.text, question=s.question) for s in rows]
        counts.append(BlameCount(review.id, review.title, review.failed_at, len(blame_flags(said))))
    return counts


def _timeliness(reviews: list[Review], now: datetime) -> list[TeamTimeliness]:
    teams: dict[str, TeamTimeliness] = {}
    for review in reviews:
        row = teams.setdefault(review.team.name, TeamTimeliness(team=review.team.name))
        if review.held_at is not None:
            row.judged += 1
            row.on_time += review.held_at <= review.due_at
        elif now > review.due_at:
            row.judged += 1  # overdue and not held: counts against the window
    return sorted(teams.values(), key=lambda t: t.team)


def _owners(reviews: list[Review], today: date) -> list[OwnerLearnings]:
    owners: dict[str, OwnerLearnings] = {}
    for learning in (lrn for r in reviews for f in r.failures for lrn in f.learnings):
        row = owners.setdefault(learning.owner.name, OwnerLearnings(owner=learning.owner.name))
        if learning.status == LearningStatus.DONE.value:
            row.done += 1
        elif learning.status == LearningStatus.DROPPED.value:
            row.dropped += 1
        elif learning.due_on is not None and learning.due_on < today:
            row.overdue += 1
        else:
            row.open += 1
    return sorted(owners.values(), key=lambda o: (-o.overdue, o.owner))


def _hollow_ritual(session: Session, reviews: list[Review], today: date) -> list[HollowRitual]:
    warnings: list[HollowRitual] = []
    for review in reviews:
        learnings = [lrn for f in review.failures for lrn in f.learnings]
        overdue = [
            lrn
            for lrn in learnings
            if lrn.status == LearningStatus.OPEN.value and lrn.due_on is not None and lrn.due_on < today
        ]
        if review.status == ReviewStatus.CLOSED.value and learnings and len(overdue) == len(learnings):
            warnings.append(
                HollowRitual(
                    review.id, review.title, f"none of its {len(learnings)} learning(s) was carried out by its due date"
                )
            )
    warnings += _recurrences(session, {r.id for r in reviews})
    return warnings


def _recurrences(session: Session, review_ids: set[int]) -> list[HollowRitual]:
    """A newer failure confirmed as the same cause as an older one that already had a learning."""
    links = session.scalars(select(SimilarityLink).where(SimilarityLink.status == LinkStatus.CONFIRMED.value))
    found: dict[int, HollowRitual] = {}
    learned_before: dict[int, list[Learning]] = defaultdict(list)
    for link in links:
        newer, older = link.failure, link.similar_failure
        if older.created_at > newer.created_at:
            newer, older = older, newer
        if newer.review is None or newer.review_id not in review_ids:
            continue
        learned_before[older.id] = [lrn for lrn in older.learnings if lrn.created_at < newer.created_at]
        if learned_before[older.id]:
            found[newer.id] = HollowRitual(
                newer.review_id or 0,
                newer.review.title,
                f"'{newer.title}' repeats '{_title(older)}', which already had a learning "
                f"({learned_before[older.id][0].status})",
            )
    return list(found.values())


def _title(failure: Failure) -> str:
    return failure.title if len(failure.title) < 80 else failure.title[:77] + "..."
