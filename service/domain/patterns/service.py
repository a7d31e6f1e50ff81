"""Propose cross-team patterns from confirmed links and text similarity; people accept, edit or reject them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from service.db.types import utcnow
from service.domain import audit
from service.domain.access import Access
from service.domain.patterns.cluster import cluster
from service.domain.patterns.naming import name_group
from service.domain.similarity.search import index_of, sharing_teams, teams_visible_to
from service.domain.similarity.text import failure_document
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.models import (
    Failure,
    LinkStatus,
    Pattern,
    PatternMember,
    PatternStatus,
    Person,
    Role,
    SimilarityLink,
    TeamMember,
)
from service.settings import RetrievalSettings


@dataclass(frozen=True, slots=True)
class Refreshed:
    proposed: int  # new proposals
    kept: int  # groups that already had a pattern (proposed or decided): left as they are
    withdrawn: int  # undecided proposals whose group no longer holds

    def __str__(self) -> str:
        return f"{self.proposed} new patterns proposed, {self.kept} kept, {self.withdrawn} withdrawn"


class PatternService:
    def __init__(self, session: Session, *, access: Access, settings: RetrievalSettings) -> None:
        self.session = session
        self.access = access
        self.settings = settings

    # -- reading ---------------------------------------------------------------------------------

    def ensure_can_read(self) -> None:
        """Pattern reports span teams: any team member may read them, people in no team may not."""
        if self.access.is_site_admin:
            return
        if self.access.viewer is None or not self._own_teams():
            raise Forbidden("Pattern reports are for members of a team; ask an admin to add you to one.")

    def list_all(self, *, include_rejected: bool = False) -> list[Pattern]:
        self.ensure_can_read()
        query = select(Pattern).options(selectinload(Pattern.members)).order_by(Pattern.id)
        if not include_rejected:
            query = query.where(Pattern.status != PatternStatus.REJECTED.value)
        return list(self.session.scalars(query))

    def get(self, pattern_id: int) -> Pattern:
        pattern = self.session.get(Pattern, pattern_id)
        if pattern is None or not (self.access.is_site_admin or self._own_teams()):
            raise NotFound(f"No pattern with id {pattern_id}.")
        return pattern

    def visible_members(self, pattern: Pattern) -> list[tuple[PatternMember, Failure]]:
        """Members whose team shares with this viewer (a team may stop sharing after a proposal)."""
        visible = teams_visible_to(self.access)
        pairs = [(m, self.session.get(Failure, m.failure_id)) for m in pattern.members]
        return [(m, f) for m, f in pairs if f is not None and (visible is None or f.team_id in visible)]

    # -- proposing -------------------------------------------------------------------------------

    def refresh(self) -> Refreshed:
        """Cluster every shared failure; store each new qualifying group as a proposed pattern."""
        self.access.ensure_site_admin("ask for new pattern proposals")
        s = self.settings
        failures = list(
            self.session.scalars(
                select(Failure)
                .where(Failure.team_id.in_(sharing_teams(self.session)))
                .options(selectinload(Failure.answers))
                .order_by(Failure.id)
            )
        )
        by_id = {f.id: f for f in failures}
        found_ids, vectors = index_of(self.session).index.vectors([str(f.id) for f in failures])
        ids = [int(x) for x in found_ids]  # a failure the index lacks cannot be compared: skipped
        links = self.session.execute(
            select(SimilarityLink.failure_id, SimilarityLink.similar_failure_id, SimilarityLink.status).where(
                SimilarityLink.status != LinkStatus.HYPOTHESIS.value
            )
        ).all()
        confirmed = [(a, b) for a, b, st in links if st == LinkStatus.CONFIRMED.value]
        groups = cluster(
            ids,
            [by_id[i].team_id for i in ids],
            vectors if len(ids) else np.empty((0, 384), dtype=np.float32),
            threshold=s.pattern_similarity,
            min_instances=s.pattern_min_instances,
            min_teams=s.pattern_min_teams,
            confirmed=confirmed,
            dismissed=[(a, b) for a, b, st in links if st == LinkStatus.DISMISSED.value],
        )
        existing = {frozenset(m.failure_id for m in p.members): p for p in self.session.scalars(select(Pattern))}
        corpus = [failure_document(f) for f in failures]
        proposed = kept = 0
        current: set[frozenset[int]] = set()
        for group in groups:
            key = frozenset(group.members)
            current.add(key)
            if key in existing:  # decided ones stay decided; a rejected group is not proposed again
                kept += 1
                continue
            inside = [(a, b) for a, b in confirmed if a in key and b in key]
            naming = name_group(
                [failure_document(by_id[i]) for i in group.members],
                by_id[group.members[0]].title,
                len(group.teams),
                corpus,
                confirmed_links=len(inside),
            )
            pattern = Pattern(theme=naming.theme, description=naming.description, status=PatternStatus.PROPOSED.value)
            pattern.members = [
                PatternMember(failure_id=i, evidence=self._evidence(i, inside, naming.shared_terms, by_id))
                for i in group.members
            ]
            self.session.add(pattern)
            proposed += 1
        withdrawn = 0
        for key, pattern in existing.items():
            if key not in current and pattern.status == PatternStatus.PROPOSED.value:
                self.session.delete(pattern)
                withdrawn += 1
        self.session.flush()
        return Refreshed(proposed, kept, withdrawn)

    @staticmethod
    def _evidence(failure_id: int, confirmed: list[tuple[int, int]], shared: tuple[str, ...], by_id) -> str:
        partners = sorted({b if a == failure_id else a for a, b in confirmed if failure_id in (a, b)})
        parts = []
        if partners:
            names = ", ".join(by_id[p].external_id or f"#{p}" for p in partners)
            parts.append(f"confirmed by a person as sharing a cause with {names}")
        document = failure_document(by_id[failure_id]).lower()
        words = [w for w in shared if w in document]
        if words:
            parts.append("mentions " + ", ".join(words))
        return "; ".join(parts) or "close in meaning to the other members"

    # -- deciding --------------------------------------------------------------------------------

    def accept(self, pattern: Pattern, *, actor: Person) -> Pattern:
        return self._decide(pattern, PatternStatus.ACCEPTED, actor)

    def reject(self, pattern: Pattern, *, actor: Person) -> Pattern:
        return self._decide(pattern, PatternStatus.REJECTED, actor)

    def edit(self, pattern: Pattern, *, theme: str | None, description: str | None, actor: Person) -> Pattern:
        """A person rewrites the theme or description; that is a decision to keep the pattern."""
        if theme is not None and not theme.strip():
            raise InvalidInput("A pattern needs a theme, e.g. 'Config changes skip the staged rollout'.", field="theme")
        if pattern.status == PatternStatus.REJECTED.value:
            raise Conflict("This pattern was rejected; it cannot be edited.")
        self._ensure_decider(pattern, actor)
        if theme is not None:
            pattern.theme = theme.strip()[:200]
        if description is not None:
            pattern.description = description.strip()
        return self._record(pattern, PatternStatus.EDITED, actor)

    def _decide(self, pattern: Pattern, status: PatternStatus, actor: Person) -> Pattern:
        self._ensure_decider(pattern, actor)
        if pattern.status != PatternStatus.PROPOSED.value:
            raise Conflict(f"This pattern was already {pattern.status}.")
        return self._record(pattern, status, actor)

    def _record(self, pattern: Pattern, status: PatternStatus, actor: Person) -> Pattern:
        pattern.status, pattern.decided_by, pattern.decided_at = status.value, actor.id, utcnow()
        self.session.flush()
        audit.record(
            self.session, review=None, actor_id=actor.id, action=f"pattern.{status.value}",
            subject_type="pattern", subject_id=pattern.id,
        )  # fmt: skip
        return pattern

    def _ensure_decider(self, pattern: Pattern, actor: Person) -> None:
        """Site admins, or admins and facilitators of a team with a failure in the pattern."""
        if self.access.is_site_admin:
            return
        teams = {f.team_id for f in self.session.scalars(
            select(Failure).where(Failure.id.in_([m.failure_id for m in pattern.members]))
        )}  # fmt: skip
        roles = {self.access.role_in_team(t) for t in teams}
        if not roles & {Role.ADMIN, Role.FACILITATOR}:
            raise Forbidden("Only a site admin, or an admin or facilitator of a team in this pattern, can decide it.")

    def _own_teams(self) -> set[int]:
        if self.access.viewer is None:
            return set()
        return set(
            self.session.scalars(select(TeamMember.team_id).where(TeamMember.person_id == self.access.viewer.id))
        )
