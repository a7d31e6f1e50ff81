"""Reviews over HTTP: create, read, and move through the four questions."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import HeaderParameter, JSONBody, QueryParameter
from litestar.status_codes import HTTP_304_NOT_MODIFIED
from sqlalchemy import select

from service.api.deps import ActorDep, ServicesDep
from service.api.room_read import read_room
from service.api.types import PathId
from service.domain import audit
from service.domain.drafts.schemas import DraftOut
from service.domain.export.document import review_document
from service.domain.export.markdown import render_markdown
from service.domain.reviews.room_reads import not_modified
from service.domain.reviews.schemas import (
    GoBackIn,
    InviteOut,
    ParticipantIn,
    ReviewDetail,
    ReviewIn,
    ReviewPatch,
    ReviewSummary,
)
from service.errors import InvalidInput
from service.models import Draft


class ReviewController(Controller):
    path = "/api/reviews"
    tags = ["reviews"]

    @post("/", sync_to_thread=True, summary="Create a review (due 72 h after the failure)")
    def create(self, data: JSONBody[ReviewIn], services: ServicesDep, actor: ActorDep) -> ReviewDetail:
        review = services.reviews.create(
            team_id=data.team_id,
            title=data.title,
            what_failed=data.what_failed,
            failed_at=data.failed_at,
            facilitator_id=data.facilitator_id,
            participant_ids=data.participant_ids,
            actor=actor,
        )
        return ReviewDetail.of(services.session, review)

    @get("/", sync_to_thread=True, summary="List reviews: open ones first, most urgent first")
    def list_reviews(
        self,
        services: ServicesDep,
        team_id: Annotated[int | None, QueryParameter(name="team_id")] = None,
        person_id: Annotated[
            int | None, QueryParameter(name="person_id", description="Only reviews this person takes part in")
        ] = None,
    ) -> list[ReviewSummary]:
        return [ReviewSummary.of(r) for r in services.reviews.list_reviews(team_id=team_id, person_id=person_id)]

    @get(
        "/{review_id:int}",
        summary="The whole review: questions, failures, answers with provenance, drafts",
        description="Carries an ETag; send it back as If-None-Match and an unchanged review is a 304.",
        responses={304: ResponseSpec(None, description="Not modified since the ETag in If-None-Match")},
        # Checks the credentials itself, in its one statement (service/api/room_read.py).
        exclude_from_auth=True,
    )
    async def detail(
        self,
        review_id: PathId,
        request: Request[Any, Any, Any],
        state: State,
        if_none_match: Annotated[str | None, HeaderParameter(name="If-None-Match")] = None,
    ) -> Response[ReviewDetail]:
        # Built once per change of the review, per process; access is still checked on every read.
        read, after = await read_room(request, state, review_id)
        # private, no-cache: a browser keeps the body and asks again each time; no shared cache stores it.
        headers = {"etag": read.etag, "cache-control": "private, no-cache"}
        if not_modified(if_none_match, read.etag):
            return Response(None, status_code=HTTP_304_NOT_MODIFIED, headers=headers, background=after)  # type: ignore[arg-type]
        # The body is the ReviewDetail already encoded; Litestar sends bytes as they are.
        return Response(read.body, headers=headers, background=after)  # type: ignore[arg-type]

    @patch("/{review_id:int}", sync_to_thread=True, summary="Correct the title, description or failure time")
    def update(
        self, review_id: PathId, data: JSONBody[ReviewPatch], services: ServicesDep, actor: ActorDep
    ) -> ReviewDetail:
        review = services.reviews.update(
            services.reviews.get(review_id),
            actor=actor,
            title=data.title,
            what_failed=data.what_failed,
            failed_at=data.failed_at,
        )
        return ReviewDetail.of(services.session, review)

    @delete("/{review_id:int}", sync_to_thread=True, summary="Delete the review and everything recorded in it")
    def delete_review(self, review_id: PathId, services: ServicesDep, actor: ActorDep) -> None:
        services.reviews.delete(services.reviews.get(review_id), actor=actor)

    @get("/{review_id:int}/drafts", sync_to_thread=True, summary="AI drafts in this review, oldest first")
    def drafts(
        self,
        review_id: PathId,
        services: ServicesDep,
        question: Annotated[int | None, QueryParameter(name="question", ge=1, le=4)] = None,
        undecided: Annotated[bool, QueryParameter(name="undecided")] = False,
    ) -> list[DraftOut]:
        review = services.reviews.get(review_id)
        query = select(Draft).where(Draft.review_id == review.id).order_by(Draft.id)
        if question is not None:
            query = query.where(Draft.question == question)
        drafts = [DraftOut.of(d) for d in services.session.scalars(query)]
        return [d for d in drafts if d.decision is None] if undecided else drafts

    @post("/{review_id:int}/participants", sync_to_thread=True, summary="Add a participant")
    def add_participant(
        self, review_id: PathId, data: JSONBody[ParticipantIn], services: ServicesDep, actor: ActorDep
    ) -> ReviewDetail:
        review = services.reviews.get(review_id)
        services.reviews.ensure_participant(review, actor, "add participants")
        services.reviews.add_participant(review, person_id=data.person_id, actor=actor)
        return ReviewDetail.of(services.session, review)

    @post("/{review_id:int}/start", sync_to_thread=True, summary="Mark the review as held now")
    def start(self, review_id: PathId, services: ServicesDep, actor: ActorDep) -> ReviewSummary:
        review = services.reviews.get(review_id)
        services.reviews.ensure_facilitator(review, actor, "start the review")
        return ReviewSummary.of(services.reviews.start(review, actor=actor))

    @post("/{review_id:int}/advance", sync_to_thread=True, summary="Move to the next question (facilitator)")
    def advance(self, review_id: PathId, services: ServicesDep, actor: ActorDep) -> ReviewSummary:
        review = services.reviews.advance_question(services.reviews.get(review_id), actor=actor)
        return ReviewSummary.of(review)

    @post("/{review_id:int}/go-back", sync_to_thread=True, summary="Return to an earlier question (facilitator)")
    def go_back(
        self, review_id: PathId, data: JSONBody[GoBackIn], services: ServicesDep, actor: ActorDep
    ) -> ReviewSummary:
        review = services.reviews.go_back_to(services.reviews.get(review_id), question=data.question, actor=actor)
        return ReviewSummary.of(review)

    @post("/{review_id:int}/close", sync_to_thread=True, summary="Close the record (facilitator)")
    def close(self, review_id: PathId, services: ServicesDep, actor: ActorDep) -> ReviewSummary:
        return ReviewSummary.of(services.reviews.close(services.reviews.get(review_id), actor=actor))

    @post("/{review_id:int}/reopen", sync_to_thread=True, summary="Reopen a closed review (facilitator)")
    def reopen(self, review_id: PathId, services: ServicesDep, actor: ActorDep) -> ReviewSummary:
        return ReviewSummary.of(services.reviews.reopen(services.reviews.get(review_id), actor=actor))

    @get(
        "/{review_id:int}/export",
        sync_to_thread=True,
        summary="The after-action review as Markdown or JSON (the export is audited)",
        opt={"writes": True},
    )
    def export(
        self,
        review_id: PathId,
        services: ServicesDep,
        actor: ActorDep,
        format: Annotated[str, QueryParameter(name="format", description="md or json")] = "md",
    ) -> Response[Any]:
        review = services.reviews.get(review_id)
        if format not in ("md", "json"):
            raise InvalidInput("format must be md or json.", field="format")
        # Exports are generated on request and never stored, so deleting a review leaves none behind.
        audit.record(
            services.session,
            review=review,
            actor_id=actor.id,
            action="review.exported",
            subject_type="review",
            subject_id=review.id,
            format=format,
        )
        doc = review_document(services.session, review)
        filename = f"review-{review.id}.{format}"
        headers = {"Content-Disposition": f'inline; filename="{filename}"'}
        if format == "json":
            return Response(doc, media_type="application/json", headers=headers)
        return Response(render_markdown(doc), media_type="text/markdown; charset=utf-8", headers=headers)

    @post("/{review_id:int}/invites", sync_to_thread=True, summary="Create an expiring invitation link")
    def invite(self, review_id: PathId, services: ServicesDep, actor: ActorDep) -> InviteOut:
        review = services.reviews.get(review_id)
        invite, secret = services.reviews.invite(review, actor=actor, hours=services.settings.auth.invite_hours)
        return InviteOut(id=invite.id, url=f"/invites/{secret}", expires_at=invite.expires_at)

    @delete("/{review_id:int}/invites/{invite_id:int}", sync_to_thread=True, summary="Revoke an invitation link")
    def revoke_invite(self, review_id: PathId, invite_id: PathId, services: ServicesDep, actor: ActorDep) -> None:
        services.reviews.revoke_invite(services.reviews.get(review_id), invite_id=invite_id, actor=actor)

    @get("/{review_id:int}/audit", sync_to_thread=True, summary="The review's audit log, oldest first (team admins)")
    def audit_log(self, review_id: PathId, services: ServicesDep) -> list[dict[str, Any]]:
        review = services.reviews.get(review_id)
        services.access.ensure_team_admin(review.team_id, "read the audit log")
        return [
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "actor_id": e.actor_id,
                "action": e.action,
                "subject_type": e.subject_type,
                "subject_id": e.subject_id,
                "detail": e.detail,
            }
            for e in audit.events_for_review(services.session, review.id)
        ]
