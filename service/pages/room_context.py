"""Everything the review room shows, gathered in one place for the templates."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select

from service.domain.drafting.generate import review_blame_flags
from service.domain.export.markdown import GROUNDING_LABEL, KIND_LABEL
from service.domain.recordings.service import RecordingService, progress
from service.domain.reviews.schemas import ReviewSummary
from service.domain.reviews.service import takes_part
from service.domain.services import Services
from service.models import Draft, LinkStatus, Person, Question, RecordingSpeaker, Review, Segment, SimilarityLink

TRANSCRIPT_TEMPLATE = "room/_transcript.html"
# What a row of that list shows of a segment (room.js builds the same row from a segment event).
ROW_COLUMNS = (Segment.id, Segment.speaker, Segment.start_s, Segment.source, Segment.text, Segment.corrected_by,
               Segment.person_id)  # fmt: skip
TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"

CATEGORY_HELP = {
    "avoidable": "a process or assumption failed: change the process now",
    "inherent": "a real constraint: name it where strategy lives",
    "experiment": "worth the cost: record what was learned for the next team",
}


@dataclass
class FailureView:
    failure: Any
    answers: dict[int, Any]
    drafts: list[Draft]
    links: list[SimilarityLink]

    @property
    def learning_drafts(self) -> list[Draft]:
        return [d for d in self.drafts if d.kind == "learning"]


def room_context(services: Services, review: Review, me: Person, *, error: str | None = None) -> dict[str, Any]:
    session = services.session
    drafts = list(session.scalars(select(Draft).where(Draft.review_id == review.id).order_by(Draft.id)))
    failures = []
    for failure in review.failures:
        links = list(
            session.scalars(
                select(SimilarityLink)
                .where(SimilarityLink.failure_id == failure.id, SimilarityLink.status != LinkStatus.DISMISSED.value)
                .order_by(SimilarityLink.score.desc())
            )
        )
        failures.append(
            FailureView(
                failure=failure,
                answers={a.question: a for a in failure.answers},
                drafts=[d for d in drafts if d.failure_id == failure.id and d.decision is None],
                links=links,
            )
        )
    participants = [p.person for p in review.participants]
    recordings = _recordings(services, review, me)
    is_facilitator = me.id == review.facilitator_id
    # Blame flags are private to the facilitator: computed only for them, never sent to others.
    flags = review_blame_flags(services, review) if is_facilitator else []
    return {
        **transcript_context(services, review, me),  # the room shows the list too (room/_room.html)
        "summary": ReviewSummary.of(review),
        "questions": list(Question),
        "current": Question(review.current_question),
        "blame_flags": flags,
        "participants": participants,
        "failures": failures,
        "recordings": recordings,
        "error": error,
        "kind_label": KIND_LABEL,
        "grounding_label": GROUNDING_LABEL,
        "category_help": CATEGORY_HELP,
        "closed": review.status == "closed",
    }


def transcript_context(services: Services, review: Review, me: Person) -> dict[str, Any]:
    """What the transcript list (room/_transcript.html) shows: the segments and what ``me`` may do to them.

    Its own, not room_context's: every open room re-reads the list, and gathering the whole room
    (drafts, similar failures, recordings, blame flags) for it cost most of the read.
    """
    # Plain rows of the columns a row shows, not ORM objects: at 600 segments the query took 2-3 ms
    # instead of 5-6, and every open room re-reads the list.
    segments = services.session.execute(
        select(*ROW_COLUMNS).where(Segment.review_id == review.id).order_by(Segment.start_s, Segment.id)
    ).all()
    is_facilitator = me.id == review.facilitator_id
    return {
        "me": me,
        "review": review,
        "segments": segments,
        "is_facilitator": is_facilitator,
        "can_correct": review.status != "closed" and takes_part(review, me.id),
    }


def transcript_etag(review: Review, me: Person) -> str:
    """The transcript list's entity tag: what it shows changes only with the review's revision
    (segments, status and participants all bump it, service/models/revision.py), the viewer (what
    they may correct) and the template."""
    return f'"t{review.id}.{review.revision}.{me.id}.{_template_mark(TRANSCRIPT_TEMPLATE)}"'


@cache
def _template_mark(name: str) -> str:
    """A short hash of a template's source: a new release's list is never answered from an old one."""
    return hashlib.blake2b((TEMPLATES / name).read_bytes(), digest_size=4).hexdigest()


def _recordings(services: Services, review: Review, me: Person) -> list[dict[str, Any]]:
    """The review's uploads, each with its uploader's name, its speakers and whether ``me`` may remove it."""
    recordings = RecordingService(services.session, reviews=services.reviews).list_recordings(review)
    ids = {r.uploaded_by for r in recordings if r.uploaded_by is not None}
    names: dict[int | None, str] = {}
    if ids:
        rows = services.session.execute(select(Person.id, Person.name).where(Person.id.in_(ids))).tuples()
        names = {person_id: name for person_id, name in rows}
    speakers: dict[int, list[RecordingSpeaker]] = {}
    if recordings:
        found = services.session.scalars(
            select(RecordingSpeaker)
            .where(RecordingSpeaker.recording_id.in_([r.id for r in recordings]))
            .order_by(RecordingSpeaker.number)
        )
        for speaker in found:
            speakers.setdefault(speaker.recording_id, []).append(speaker)
    return [
        {
            "recording": r,
            "speakers": speakers.get(r.id, []),
            "uploader": names.get(r.uploaded_by, "a former member"),
            "percent": progress(r).percent,
            "can_remove": me.id in (r.uploaded_by, review.facilitator_id),
        }
        for r in recordings
    ]
