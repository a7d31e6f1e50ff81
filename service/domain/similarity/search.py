"""Find similar past failures and offer them as hypotheses, within what each team chose to share.

A team's `share_level` says what other teams see of its failures: title and gap, or nothing. A
team always sees its own failures; site admins (and the system) see every team's.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from service.domain.access import Access
from service.domain.similarity.index import SESSION_KEY, SimilarityIndex
from service.domain.similarity.ranking import Ranked, rank
from service.domain.similarity.service import SimilarityService
from service.domain.similarity.text import QueryParts, failure_document, failure_query, reason_for
from service.errors import Unavailable
from service.models import Failure, LinkStatus, ShareLevel, SimilarityLink, Team, TeamMember

CANDIDATE_POOL = 40  # nearest neighbours fetched per query vector before reranking


@dataclass(frozen=True, slots=True)
class Hit:
    failure: Failure
    score: float
    reason: str


def index_of(session: Session) -> SimilarityIndex:
    """The index this session's factory was given at start-up, or a 503 that says what to do."""
    index = session.info.get(SESSION_KEY)
    if index is None:
        raise Unavailable(
            "The similarity index is not open in this process (it failed at start-up or was not "
            "configured). Check the log, then restart the service or run `debrief index rebuild`."
        )
    return index


def sharing_teams(session: Session) -> set[int]:
    return set(session.scalars(select(Team.id).where(Team.share_level == ShareLevel.TITLE_AND_GAP.value)))


def teams_visible_to(access: Access) -> set[int] | None:
    """Teams whose failures this viewer may see in similarity results; None means every team."""
    if access.is_site_admin:
        return None
    own: set[int] = set()
    if access.viewer is not None:
        own = set(access.session.scalars(select(TeamMember.team_id).where(TeamMember.person_id == access.viewer.id)))
    return own | sharing_teams(access.session)


class SimilarFailureSearch:
    def __init__(self, session: Session, *, access: Access, similarity: SimilarityService, k: int = 5) -> None:
        self.session = session
        self.access = access
        self.similarity = similarity
        self.k = k

    def search(
        self,
        query: QueryParts,
        *,
        k: int | None = None,
        team_ids: set[int] | None,
        exclude: frozenset[int] | set[int] = frozenset(),
    ) -> list[Hit]:
        """The k most similar failures among team_ids (None: all), best first."""
        index = index_of(self.session)
        k = k or self.k
        vocabulary = index.vocabulary
        vector = index.embed([vocabulary.without_domain_words(query.combined)])[0]
        ids, rows = index.neighbours([vector], k=CANDIDATE_POOL + len(exclude), team_ids=team_ids)
        failures = {
            f.id: f
            for f in self.session.scalars(
                select(Failure).where(Failure.id.in_(ids)).options(selectinload(Failure.answers))
            )
        }
        # The database is the truth: an id the index still holds but the record lost is skipped.
        keep = [i for i, fid in enumerate(ids) if fid in failures and fid not in exclude]
        ranked = rank(
            query.combined,
            vector,
            [str(ids[i]) for i in keep],
            rows[keep],
            [failure_document(failures[ids[i]]) for i in keep],
            idf=vocabulary.idf if vocabulary.documents else None,
            confirmed=self._confirmed_pairs([ids[i] for i in keep]),
            limit=k,
        )
        return [Hit(failures[int(r.failure_id)], r.score, self._reason(r, failures)) for r in ranked]

    @staticmethod
    def _reason(ranked: Ranked, failures: dict[int, Failure]) -> str:
        reason = reason_for(ranked.shared_terms)
        if ranked.confirmed_with is not None:
            partner = failures[int(ranked.confirmed_with)]
            reason += f"; a person confirmed it shares a cause with \u201c{partner.title}\u201d"
        return reason

    def _confirmed_pairs(self, pool: list[int]) -> list[tuple[int, int]]:
        """Positions in pool of the failure pairs a person confirmed as sharing a cause."""
        position = {fid: n for n, fid in enumerate(pool)}
        pairs = self.session.execute(
            select(SimilarityLink.failure_id, SimilarityLink.similar_failure_id).where(
                SimilarityLink.status == LinkStatus.CONFIRMED.value,
                SimilarityLink.failure_id.in_(pool),
                SimilarityLink.similar_failure_id.in_(pool),
            )
        ).all()
        return [(position[a], position[b]) for a, b in pairs]

    def refresh(self, failure: Failure, *, k: int | None = None) -> list[SimilarityLink]:
        """Recompute the hypotheses for a failure from its current answers (or title and summary).

        Candidates come from the failure's own team and every team that shares; what a particular
        viewer may see is filtered when links are shown. Undecided hypotheses that no longer make
        the top k are withdrawn; decided links (confirmed or dismissed) are never touched. A failure
        in a review is never linked to another failure of the same review. A past failure (outside
        any review, see review.py) is not offered a partner that already holds a link to it, so a
        pair is shown, and decided, once.
        """
        if failure.review is not None:
            exclude, paired = {f.id for f in failure.review.failures}, set()
        else:
            exclude, paired = {failure.id}, self.similarity.partners_linking_to(failure)
        teams = sharing_teams(self.session) | {failure.team_id}
        hits = self.search(failure_query(failure), k=k, team_ids=teams, exclude=exclude)
        links = [
            self.similarity.propose(failure, similar=h.failure, score=h.score, reason=h.reason)
            for h in hits
            if h.failure.id not in paired
        ]
        self.similarity.withdraw_other_hypotheses(failure, keep={h.failure.id for h in hits})
        return [link for link in links if link is not None]

    def can_see(self, failure: Failure, visible: set[int] | None) -> bool:
        return visible is None or failure.team_id in visible
