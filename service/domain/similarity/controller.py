"""Similarity links over HTTP: hypotheses a person confirms or dismisses."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import JSONBody, QueryParameter
from sqlalchemy import select

from service.api.deps import ActorDep, ServicesDep
from service.api.types import PathId
from service.domain.similarity.review import link_review
from service.domain.similarity.schemas import DecideIn, LinkIn, LinkOut, PastFailureOut
from service.domain.similarity.search import teams_visible_to
from service.errors import Conflict, NotFound
from service.models import Failure, SimilarityLink


class SimilarityController(Controller):
    path = "/api"
    tags = ["similar failures"]

    @get(
        "/failures/{failure_id:int}/similar",
        sync_to_thread=True,
        summary="Similar past failures: fresh unconfirmed hypotheses and the links people decided",
        description="Recomputed from the failure's current answers on every call (a dismissed link never "
        "comes back). Other teams' failures appear only if their team shares title and gap.",
    )
    def list_links(self, failure_id: PathId, services: ServicesDep) -> list[LinkOut]:
        failure = services.failures.get(failure_id)
        services.similar.refresh(failure, k=services.settings.retrieval.similar_k)
        visible = teams_visible_to(services.access)
        links = services.session.scalars(
            select(SimilarityLink).where(SimilarityLink.failure_id == failure.id).order_by(SimilarityLink.score.desc())
        )
        return [LinkOut.of(link) for link in links if services.similar.can_see(link.similar_failure, visible)]

    @get(
        "/past-failures",
        sync_to_thread=True,
        opt={"writes": True},
        summary="Past failures with their suggested links, a page at a time (link review)",
        description="Past failures are those outside any review (the imported record). Each comes with its "
        "top suggestions across the teams that share, refreshed now, and the links people decided. "
        "Confirm or dismiss each with POST /api/similarity-links/{id}/confirm or /dismiss; only confirmed "
        "links count for patterns.",
    )
    def past_failures(
        self, services: ServicesDep, page: Annotated[int, QueryParameter(ge=0, le=100_000)] = 0
    ) -> list[PastFailureOut]:
        return [PastFailureOut.of(v.failure, v.links) for v in link_review(services).page(page)]

    @get(
        "/past-failures/{failure_id:int}/similar",
        sync_to_thread=True,
        opt={"writes": True},
        summary="One past failure's suggested links: fresh unconfirmed hypotheses and the decided ones",
    )
    def past_failure_links(self, failure_id: PathId, services: ServicesDep) -> list[LinkOut]:
        review = link_review(services)
        return [LinkOut.of(link) for link in review.suggestions(review.get(failure_id))]

    @post(
        "/failures/{failure_id:int}/similar",
        sync_to_thread=True,
        summary="Offer a similar past failure as an unconfirmed hypothesis",
    )
    def propose(self, failure_id: PathId, data: JSONBody[LinkIn], services: ServicesDep, actor: ActorDep) -> LinkOut:
        failure = services.failures.get(failure_id)
        services.reviews.ensure_participant(services.failures.review_of(failure), actor, "suggest a similar failure")
        similar = services.session.get(Failure, data.similar_failure_id)
        if similar is None:
            raise NotFound(f"No failure with id {data.similar_failure_id}.")
        link = services.similarity.propose(failure, similar=similar, score=data.score, reason=data.reason)
        if link is None:
            raise Conflict("A person already decided on this pair; a dismissed link does not come back.")
        return LinkOut.of(link)

    @post(
        "/similarity-links/{link_id:int}/confirm",
        sync_to_thread=True,
        summary="Confirm: the two failures share a cause",
    )
    def confirm(
        self, link_id: PathId, services: ServicesDep, actor: ActorDep, data: JSONBody[DecideIn | None] = None
    ) -> LinkOut:
        link = services.similarity.decide(
            services.similarity.get(link_id), confirm=True, note=(data or DecideIn()).note, actor=actor
        )
        return LinkOut.of(link)

    @post(
        "/similarity-links/{link_id:int}/dismiss",
        sync_to_thread=True,
        summary="Dismiss: not the same cause (it will not come back)",
    )
    def dismiss(
        self, link_id: PathId, services: ServicesDep, actor: ActorDep, data: JSONBody[DecideIn | None] = None
    ) -> LinkOut:
        link = services.similarity.decide(
            services.similarity.get(link_id), confirm=False, note=(data or DecideIn()).note, actor=actor
        )
        return LinkOut.of(link)
