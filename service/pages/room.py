"""The review room: the four questions, the transcript, AI drafts and the group's decisions."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath, HeaderParameter, QueryParameter
from litestar.response import Template
from litestar.status_codes import HTTP_304_NOT_MODIFIED

from service.api.deps import ActorDep, ServicesDep
from service.api.types import PathId
from service.domain.drafting.generate import generate_draft
from service.domain.export.document import review_document
from service.domain.export.markdown import provenance_text
from service.domain.recordings.controller import name_speaker, remove_recording
from service.domain.recordings.schemas import SpeakerNaming
from service.domain.reviews.room_reads import not_modified
from service.domain.services import Services
from service.domain.transcripts.service import NewSegment
from service.errors import NotFound
from service.models import Person, Review, SegmentSource
from service.pages.forms import Form, act, date_field, field, int_field, ints
from service.pages.room_context import TRANSCRIPT_TEMPLATE, room_context, transcript_context, transcript_etag

ROOM = "/reviews/{review_id:int}"


def _render(services: Services, review_id: int, me: Person, error: str | None) -> Template:
    review = services.reviews.get(review_id)
    return Template(template_name="room/_room.html", context=room_context(services, review, me, error=error))


def _act(request: Request, services: Services, me: Person, review: Review, action) -> object:  # type: ignore[no-untyped-def]
    review_id = review.id
    return act(
        request,
        services.session,
        page=f"/reviews/{review_id}",
        action=action,
        render=lambda error: _render(services, review_id, me, error),
    )


class RoomPages(Controller):
    @get(ROOM, sync_to_thread=True)
    def room(
        self,
        review_id: PathId,
        services: ServicesDep,
        actor: ActorDep,
        error: Annotated[str | None, QueryParameter(name="error")] = None,
    ) -> Template:
        review = services.reviews.get(review_id)
        return Template(template_name="room/room.html", context=room_context(services, review, actor, error=error))

    @get(ROOM + "/transcript", sync_to_thread=True)
    def transcript(
        self,
        review_id: PathId,
        services: ServicesDep,
        actor: ActorDep,
        if_none_match: Annotated[str | None, HeaderParameter(name="If-None-Match")] = None,
    ) -> Template | Response[None]:
        # Every open room re-reads this every 30 s (every 3 s while its events socket is down). The
        # browser's cache sends the last ETag back, so an unchanged list is a 304, rendered by nobody.
        review = services.reviews.get(review_id)
        etag = transcript_etag(review, actor)
        headers = {"etag": etag, "cache-control": "private, no-cache"}
        if not_modified(if_none_match, etag):
            return Response(None, status_code=HTTP_304_NOT_MODIFIED, headers=headers)
        context = transcript_context(services, review, actor)
        return Template(template_name=TRANSCRIPT_TEMPLATE, context=context, headers=headers)

    @post(ROOM + "/advance", sync_to_thread=True)
    def advance(self, request: Request, review_id: PathId, services: ServicesDep, actor: ActorDep) -> object:
        review = services.reviews.get(review_id)
        return _act(request, services, actor, review, lambda: services.reviews.advance_question(review, actor=actor))

    @post(ROOM + "/back", sync_to_thread=True)
    def back(self, request: Request, review_id: PathId, data: Form, services: ServicesDep, actor: ActorDep) -> object:
        review = services.reviews.get(review_id)
        return _act(
            request,
            services,
            actor,
            review,
            lambda: services.reviews.go_back_to(review, question=int_field(data, "question"), actor=actor),
        )

    @post(ROOM + "/close", sync_to_thread=True)
    def close(self, request: Request, review_id: PathId, services: ServicesDep, actor: ActorDep) -> object:
        review = services.reviews.get(review_id)
        return _act(request, services, actor, review, lambda: services.reviews.close(review, actor=actor))

    @post(ROOM + "/notes", sync_to_thread=True)
    def note(self, request: Request, review_id: PathId, data: Form, services: ServicesDep, actor: ActorDep) -> object:
        """A typed contribution to the transcript (for people without a microphone, or a correction)."""
        review = services.reviews.get(review_id)
        segment = NewSegment(
            speaker=actor.name,
            person_id=actor.id,
            text=field(data, "text"),
            start_s=0.0,
            end_s=0.0,
            source=SegmentSource.TYPED,
        )
        return _act(request, services, actor, review, lambda: services.transcripts.add(review, [segment], actor=actor))

    @post(ROOM + "/recordings/{recording_id:int}/remove", sync_to_thread=True)
    def remove_recording(
        self,
        request: Request,
        review_id: PathId,
        recording_id: PathId,
        services: ServicesDep,
        actor: ActorDep,
        state: State,
    ) -> object:
        """A wrong upload, or one not to keep: its transcript and audio go, its job stops."""
        review = services.reviews.get(review_id)
        remove = lambda: remove_recording(services, review_id, recording_id, actor=actor, state=state)  # noqa: E731
        return _act(request, services, actor, review, remove)

    @post(ROOM + "/recordings/{recording_id:int}/speakers/{number:int}", sync_to_thread=True)
    def name_speaker(
        self,
        request: Request,
        review_id: PathId,
        recording_id: PathId,
        number: PathId,
        data: Form,
        services: ServicesDep,
        actor: ActorDep,
        state: State,
    ) -> object:
        """ "Speaker 2 is Eli": a person taking part, picked from the list, or a typed name."""
        review = services.reviews.get(review_id)
        picked = field(data, "person_id")
        # A person picked from the list wins over a name left in the text box.
        naming = SpeakerNaming(person_id=int(picked)) if picked.isdigit() else SpeakerNaming(name=field(data, "name"))
        name = lambda: name_speaker(services, review_id, recording_id, number, naming, actor=actor, state=state)  # noqa: E731
        return _act(request, services, actor, review, name)

    @post(ROOM + "/failures", sync_to_thread=True)
    def add_failure(
        self, request: Request, review_id: PathId, data: Form, services: ServicesDep, actor: ActorDep
    ) -> object:
        review = services.reviews.get(review_id)
        return _act(
            request,
            services,
            actor,
            review,
            lambda: services.failures.create(review, title=field(data, "title"), actor=actor),
        )

    @post("/failures/{failure_id:int}/rename", sync_to_thread=True)
    def rename_failure(
        self, request: Request, failure_id: PathId, data: Form, services: ServicesDep, actor: ActorDep
    ) -> object:
        failure = services.failures.get(failure_id)
        return _act(
            request,
            services,
            actor,
            services.failures.review_of(failure),
            lambda: services.failures.rename(failure, title=field(data, "title"), actor=actor),
        )

    @post("/failures/{failure_id:int}/split", sync_to_thread=True)
    def split_failure(
        self, request: Request, failure_id: PathId, data: Form, services: ServicesDep, actor: ActorDep
    ) -> object:
        failure = services.failures.get(failure_id)
        return _act(
            request,
            services,
            actor,
            services.failures.review_of(failure),
            lambda: services.failures.split(
                failure, title=field(data, "title"), move_questions=ints(data, "move"), actor=actor
            ),
        )

    @post("/failures/{failure_id:int}/answer", sync_to_thread=True)
    def answer(
        self, request: Request, failure_id: PathId, data: Form, services: ServicesDep, actor: ActorDep
    ) -> object:
        failure = services.failures.get(failure_id)
        return _act(
            request,
            services,
            actor,
            services.failures.review_of(failure),
            lambda: services.failures.write_answer(
                failure, question=int_field(data, "question"), text=field(data, "text"), actor=actor
            ),
        )

    @post("/failures/{failure_id:int}/draft", sync_to_thread=True, opt={"model_call": True})
    def ask_for_draft(
        self, request: Request, failure_id: PathId, data: Form, state: State, services: ServicesDep, actor: ActorDep
    ) -> object:
        failure = services.failures.get(failure_id)
        review = services.failures.review_of(failure)
        learning = field(data, "learning") == "1"
        question = None if learning else int_field(data, "question")
        return _act(
            request,
            services,
            actor,
            review,
            lambda: generate_draft(
                services, failure_id=failure_id, question=question, learning=learning, endpoint=state.model_endpoint
            ),
        )

    @post("/failures/{failure_id:int}/category", sync_to_thread=True)
    def category(
        self, request: Request, failure_id: PathId, data: Form, services: ServicesDep, actor: ActorDep
    ) -> object:
        failure = services.failures.get(failure_id)
        return _act(
            request,
            services,
            actor,
            services.failures.review_of(failure),
            lambda: services.failures.set_category(
                failure, category=field(data, "category"), rationale=field(data, "rationale"), actor=actor
            ),
        )

    @post("/failures/{failure_id:int}/learnings", sync_to_thread=True)
    def learning(
        self, request: Request, failure_id: PathId, data: Form, services: ServicesDep, actor: ActorDep
    ) -> object:
        failure = services.failures.get(failure_id)
        return _act(
            request,
            services,
            actor,
            services.failures.review_of(failure),
            lambda: services.learnings.add(
                failure,
                text=field(data, "text"),
                owner_id=int_field(data, "owner_id"),
                due_on=date_field(data, "due_on"),
                actor=actor,
            ),
        )

    @post("/learnings/{learning_id:int}/status", sync_to_thread=True)
    def learning_status(
        self, request: Request, learning_id: PathId, data: Form, services: ServicesDep, actor: ActorDep
    ) -> object:
        learning = services.learnings.get(learning_id)
        review = learning.failure.review
        assert review is not None
        return _act(
            request,
            services,
            actor,
            review,
            lambda: services.learnings.set_status(
                learning, status=field(data, "status"), note=field(data, "note"), actor=actor
            ),
        )

    @post("/drafts/{draft_id:int}/{verdict:str}", sync_to_thread=True)
    def decide(
        self,
        request: Request,
        draft_id: PathId,
        verdict: FromPath[str],
        data: Form,
        services: ServicesDep,
        actor: ActorDep,
    ) -> object:
        draft = services.drafts.get(draft_id)
        review = services.reviews.get(draft.review_id)
        owner = field(data, "owner_id")
        owner_id = int(owner) if owner.isdigit() else None
        due_on = date_field(data, "due_on") if field(data, "due_on") else None

        def decide_now() -> None:
            if verdict == "accept":
                services.drafts.accept(draft, actor=actor, owner_id=owner_id, due_on=due_on)
            elif verdict == "edit":
                services.drafts.edit(
                    draft,
                    text=field(data, "text"),
                    actor=actor,
                    category=field(data, "category") or None,
                    owner_id=owner_id,
                    due_on=due_on,
                )
            elif verdict == "reject":
                services.drafts.reject(draft, actor=actor, note=field(data, "note"))

        return _act(request, services, actor, review, decide_now)

    @post("/links/{link_id:int}/{verdict:str}", sync_to_thread=True)
    def decide_link(
        self,
        request: Request,
        link_id: PathId,
        verdict: FromPath[str],
        data: Form,
        services: ServicesDep,
        actor: ActorDep,
    ) -> object:
        link = services.similarity.get(link_id)
        review = link.failure.review
        if review is None:  # a link between past failures is decided on the link review page
            raise NotFound(f"No similarity link with id {link_id} in a review; see /patterns/links.")
        return _act(
            request,
            services,
            actor,
            review,
            lambda: services.similarity.decide(
                link, confirm=verdict == "confirm", note=field(data, "note"), actor=actor
            ),
        )

    @get(ROOM + "/document", sync_to_thread=True)
    def document(self, review_id: PathId, services: ServicesDep, actor: ActorDep) -> Template:
        review = services.reviews.get(review_id)
        doc = review_document(services.session, review)
        return Template(
            template_name="document.html", context={"me": actor, "doc": doc, "mark": provenance_text, "review": review}
        )
