"""Link review: people work through the suggested links between past failures, across teams.

A past failure is one outside any review (the imported record). Each gets the hypotheses a review's
failure gets in the room — its top k by the same search (`SimilarFailureSearch.refresh`), refreshed
whenever it is shown — and a person confirms or dismisses each through `SimilarityService.decide`,
as in the room. Only confirmed links count for patterns; a dismissed link keeps its row and is never
offered again. The pattern eval's simulated reviewers go through this module too
(evals/retrieval/quality.py), so its figure is what people reach on this page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from service.domain.access import Access
from service.domain.similarity.search import SimilarFailureSearch, teams_visible_to
from service.domain.similarity.service import SimilarityService
from service.errors import Forbidden, NotFound
from service.models import Failure, LinkStatus, SimilarityLink, TeamMember

if TYPE_CHECKING:
    from service.domain.services import Services

PAGE_SIZE = 10


@dataclass(frozen=True, slots=True)
class Progress:
    """How far people got: links between past failures by status."""

    hypotheses: int
    confirmed: int
    dismissed: int

    @property
    def decided(self) -> int:
        return self.confirmed + self.dismissed


@dataclass(frozen=True, slots=True)
class PastFailureLinks:
    failure: Failure
    links: list[SimilarityLink]  # the undecided first, each group best first


class LinkReview:
    def __init__(
        self, session: Session, *, access: Access, search: SimilarFailureSearch, similarity: SimilarityService, k: int
    ) -> None:
        self.session = session
        self.access = access
        self.search = search
        self.similarity = similarity
        self.k = k

    def ensure_can_read(self) -> None:
        """Like pattern reports: any team member may work here; people in no team may not."""
        if self.access.is_site_admin:
            return
        viewer = self.access.viewer
        if (
            viewer is None
            or self.session.scalar(select(TeamMember.team_id).where(TeamMember.person_id == viewer.id)) is None
        ):
            raise Forbidden("Link review is for members of a team; ask an admin to add you to one.")

    def count(self) -> int:
        self.ensure_can_read()
        return self.session.scalar(select(func.count()).select_from(Failure).where(*self._past_visible())) or 0

    def page(self, number: int, *, size: int = PAGE_SIZE) -> list[PastFailureLinks]:
        """Past failures number*size onwards (0-based), each with its suggestions refreshed now."""
        self.ensure_can_read()
        failures = self.session.scalars(
            select(Failure).where(*self._past_visible()).order_by(Failure.id).offset(max(number, 0) * size).limit(size)
        ).all()
        return [PastFailureLinks(f, self.suggestions(f)) for f in failures]

    def get(self, failure_id: int) -> Failure:
        """A past failure this viewer may see, or 404."""
        self.ensure_can_read()
        failure = self.session.get(Failure, failure_id)
        if failure is None or failure.review_id is not None or not self.similarity.can_see_failure(failure):
            raise NotFound(f"No past failure with id {failure_id} that you can see.")
        return failure

    def suggestions(self, failure: Failure) -> list[SimilarityLink]:
        """Refresh the failure's top-k hypotheses, then its links this viewer may see."""
        self.search.refresh(failure, k=self.k)
        visible = teams_visible_to(self.access)
        links = self.session.scalars(select(SimilarityLink).where(SimilarityLink.failure_id == failure.id))
        shown = [link for link in links if self.search.can_see(link.similar_failure, visible)]
        return sorted(shown, key=lambda link: (link.status != LinkStatus.HYPOTHESIS.value, -link.score))

    def progress(self) -> Progress:
        past = select(Failure.id).where(*self._past_visible())
        rows = self.session.execute(
            select(SimilarityLink.status, func.count())
            .where(SimilarityLink.failure_id.in_(past))
            .group_by(SimilarityLink.status)
        ).all()
        counts = {status: n for status, n in rows}
        return Progress(
            hypotheses=counts.get(LinkStatus.HYPOTHESIS.value, 0),
            confirmed=counts.get(LinkStatus.CONFIRMED.value, 0),
            dismissed=counts.get(LinkStatus.DISMISSED.value, 0),
        )

    def _past_visible(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = [Failure.review_id.is_(None)]
        visible = teams_visible_to(self.access)
        if visible is not None:
            conditions.append(Failure.team_id.in_(visible))
        return conditions


def link_review(services: Services) -> LinkReview:
    """The link review acting for the services' viewer (a request's, or the system's in jobs and evals)."""
    return LinkReview(
        services.session,
        access=services.access,
        search=services.similar,
        similarity=services.similarity,
        k=services.settings.retrieval.similar_k,
    )
