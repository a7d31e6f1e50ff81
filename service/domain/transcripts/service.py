"""Transcript segments: typed, imported, uploaded or live, all stored the same way."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.types import utcnow
from service.domain import audit
from service.domain.drafts.citing import drafts_citing
from service.domain.reviews.service import ReviewService
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.models import Person, Review, Segment, SegmentSource


class SegmentNotFound(NotFound):
    """No such segment in the review (never stored, or removed)."""


@dataclass(frozen=True)
class NewSegment:
    speaker: str
    text: str
    start_s: float
    end_s: float
    source: SegmentSource = SegmentSource.TYPED
    confidence: float | None = None
    person_id: int | None = None
    source_key: str | None = None
    speaker_id: int | None = None
    """The separated voice of an uploaded recording (service/jobs/speakers.py)."""


class TranscriptService:
    def __init__(self, session: Session, *, reviews: ReviewService) -> None:
        self.session = session
        self.reviews = reviews

    def add(self, review: Review, segments: list[NewSegment], *, actor: Person | None) -> list[Segment]:
        """Store segments in order; ones whose ``source_key`` is already stored are skipped (idempotent)."""
        self.reviews.ensure_open(review)
        if actor is not None:
            self.reviews.ensure_participant(review, actor, "add to the transcript")
            self.reviews.start(review, actor=actor)
        for i, new in enumerate(segments):
            if not new.text.strip():
                raise InvalidInput(f"Segment {i} has no text.", field=f"segments[{i}].text")
            if not new.speaker.strip():
                raise InvalidInput(f"Segment {i} has no speaker.", field=f"segments[{i}].speaker")
            if new.start_s < 0 or new.end_s < new.start_s:
                raise InvalidInput(
                    f"Segment {i} ends before it starts ({new.start_s}-{new.end_s} s).", field=f"segments[{i}]"
                )
        keys = [s.source_key for s in segments if s.source_key]
        existing = (
            set(
                self.session.scalars(
                    select(Segment.source_key).where(Segment.review_id == review.id, Segment.source_key.in_(keys))
                )
            )
            if keys
            else set()
        )
        # Live and typed speech is evidence for the question open while it was said; uploads are
        # placed on questions later, from the facilitator's questions in the recording.
        stored: list[Segment] = []
        for new in segments:
            if new.source_key and new.source_key in existing:
                continue
            segment = Segment(
                review_id=review.id,
                speaker=new.speaker.strip(),
                person_id=new.person_id,
                start_s=new.start_s,
                end_s=new.end_s,
                text=new.text.strip(),
                source=new.source.value,
                confidence=new.confidence,
                source_key=new.source_key,
                speaker_id=new.speaker_id,
                question=None if new.source == SegmentSource.UPLOAD else review.current_question,
            )
            self.session.add(segment)
            stored.append(segment)
            if new.source_key:
                existing.add(new.source_key)
        self.session.flush()
        return stored

    def extend(
        self,
        review: Review,
        segment_id: int,
        *,
        text: str,
        end_s: float,
        confidence: float | None,
        actor: Person | None,
        was: str | None = None,
    ) -> Segment:
        """Grow a live segment with the words committed since it was stored.

        Only growth at the end is accepted: what a segment already said stays word for word, so a
        draft that quoted it while the speaker was still talking stays grounded. If a person
        corrected it meanwhile (`correct`), the words beyond ``was`` (the text the stream stored
        last) are added after the correction, which stays.
        """
        self.reviews.ensure_open(review)
        if actor is not None:
            self.reviews.ensure_participant(review, actor, "add to the transcript")
        segment = self._locked(review, segment_id)
        text, was = text.strip(), (was or "").strip()
        if segment.corrected_by is not None and was and text.startswith(was):
            segment.text = f"{segment.text} {text[len(was) :].strip()}".strip()
        elif text.startswith(segment.text):
            segment.text = text
        else:
            raise InvalidInput(
                f"Segment {segment_id} can only grow at the end; its text {segment.text[:60]!r} would change.",
                field="text",
            )
        segment.end_s = max(end_s, segment.end_s)
        segment.confidence = confidence
        self.session.flush()
        return segment

    def correct(self, review: Review, segment_id: int, *, text: str, actor: Person) -> Segment:
        """Replace a segment's text with a person's correction (a misheard word, a wrong number).

        Anyone taking part may correct; the audit log keeps the text before and after. Refused
        while a draft that is not rejected cites the segment: it quoted the text as it stands.
        """
        self.reviews.ensure_open(review)
        self.reviews.ensure_participant(review, actor, "correct the transcript")
        segment = self._locked(review, segment_id)
        text = " ".join(text.split())
        if not text:
            raise InvalidInput("A correction cannot be empty; correct the words instead.", field="text")
        if text == segment.text:
            return segment
        citing = drafts_citing(self.session, review.id, [segment.id])
        if citing:
            raise Conflict(
                f"Draft {', '.join(map(str, citing))} cites this segment as it stands; reject the draft first, "
                "or leave the segment as it is."
            )
        audit.record(
            self.session,
            review=review,
            actor_id=actor.id,
            action="segment.corrected",
            subject_type="segment",
            subject_id=segment.id,
            before=segment.text,
            after=text,
        )
        segment.text = text
        segment.corrected_by, segment.corrected_at = actor.id, utcnow()
        self.session.flush()
        return segment

    def remove(self, review: Review, segment_id: int, *, actor: Person) -> Segment:
        """Strike a segment from the transcript: its speaker or the facilitator ("off the record").

        The audit log keeps who removed whose words from when, not the words. Refused while a draft
        that is not rejected cites it. A live stream still growing it starts a new segment.
        """
        self.reviews.ensure_open(review)
        segment = self._locked(review, segment_id)
        if actor.id not in (segment.person_id, review.facilitator_id):
            raise Forbidden("Only the person who said it, or the review's facilitator, can remove a segment.")
        citing = drafts_citing(self.session, review.id, [segment.id])
        if citing:
            raise Conflict(
                f"Draft {', '.join(map(str, citing))} cites this segment; reject the draft first, or keep the segment."
            )
        audit.record(
            self.session,
            review=review,
            actor_id=actor.id,
            action="segment.removed",
            subject_type="segment",
            subject_id=segment.id,
            speaker=segment.speaker,
            start_s=segment.start_s,
            source=segment.source,
        )
        self.session.delete(segment)
        self.session.flush()
        return segment

    def _locked(self, review: Review, segment_id: int) -> Segment:
        # Locked: a live stream growing the segment and a person correcting it take turns.
        segment = self.session.get(Segment, segment_id, with_for_update=True)
        if segment is None or segment.review_id != review.id:
            raise SegmentNotFound(f"No segment {segment_id} in review {review.id}.")
        return segment

    def list_segments(self, review: Review, *, after_id: int = 0, limit: int = 5000) -> list[Segment]:
        return list(
            self.session.scalars(
                select(Segment)
                .where(Segment.review_id == review.id, Segment.id > after_id)
                .order_by(Segment.start_s, Segment.id)
                .limit(limit)
            )
        )
