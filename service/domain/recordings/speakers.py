"""The speakers separated in an uploaded recording, and the group naming them ("Speaker 2 is Eli").

Naming relabels every segment of that speaker in that recording — speaker name and person — and
the audit log keeps the label before and after. Unlike a text correction, naming is *not* refused
while drafts cite those segments: a draft stands on the words it quotes, and grounding is checked
against the words (never the speaker label), which naming leaves exactly as they are. Refusing
would block naming as soon as anything was drafted from the recording, which is when the group
most needs to know who said what. A review that is closed refuses it like every other change.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain import audit
from service.domain.recordings.service import RecordingService
from service.domain.reviews.service import ReviewService, takes_part
from service.errors import Conflict, InvalidInput, NotFound
from service.models import Person, Recording, RecordingSpeaker, Review, Segment


@dataclass(frozen=True)
class Naming:
    speaker: RecordingSpeaker
    segments: list[Segment]
    """The segments relabelled, for the room to replace."""


class SpeakerService:
    def __init__(self, session: Session, *, reviews: ReviewService) -> None:
        self.session = session
        self.reviews = reviews
        self.recordings = RecordingService(session, reviews=reviews)

    def list_speakers(self, review: Review, recording_id: int) -> list[RecordingSpeaker]:
        recording = self.recordings.get(review, recording_id)
        return list(
            self.session.scalars(
                select(RecordingSpeaker)
                .where(RecordingSpeaker.recording_id == recording.id)
                .order_by(RecordingSpeaker.number)
            )
        )

    def name(
        self,
        review: Review,
        recording_id: int,
        number: int,
        *,
        person_id: int | None,
        name: str | None,
        actor: Person,
    ) -> Naming:
        """Say who a separated speaker is: a person taking part (by id) or, for anyone else, a typed name."""
        self.reviews.ensure_open(review)
        self.reviews.ensure_participant(review, actor, "name a speaker")
        # Locked as the transcription job locks it to store a chunk: a chunk being stored lands
        # first, and its segments are relabelled too.
        recording = self.session.get(Recording, recording_id, with_for_update=True)
        if recording is None or recording.review_id != review.id:
            raise NotFound(f"No recording with id {recording_id} in review {review.id}.")
        speaker = self.session.scalar(
            select(RecordingSpeaker).where(
                RecordingSpeaker.recording_id == recording.id, RecordingSpeaker.number == number
            )
        )
        if speaker is None:
            raise NotFound(f"No speaker {number} in recording {recording.filename!r}.")
        person, label = self._who(review, person_id, name)
        before = speaker.name or f"Speaker {speaker.number}"
        speaker.name, speaker.person_id = label, person.id if person else None
        segments = list(self.session.scalars(select(Segment).where(Segment.speaker_id == speaker.id)))
        for segment in segments:
            segment.speaker, segment.person_id = label, speaker.person_id
        audit.record(
            self.session,
            review=review,
            actor_id=actor.id,
            action="recording.speaker_named",
            subject_type="recording",
            subject_id=recording.id,
            number=speaker.number,
            before=before,
            after=label,
            person_id=speaker.person_id,
            segments=len(segments),
        )
        self.session.flush()
        return Naming(speaker, segments)

    def _who(self, review: Review, person_id: int | None, name: str | None) -> tuple[Person | None, str]:
        typed = " ".join((name or "").split())
        if (person_id is None) == (not typed):
            raise InvalidInput("Name the speaker with one of person_id (someone taking part) or name.", field="name")
        if person_id is None:
            if len(typed) > 120:
                raise InvalidInput("A speaker's name is at most 120 characters.", field="name")
            return None, typed
        person = self.session.get(Person, person_id)
        if person is None or not takes_part(review, person.id):
            raise Conflict(
                f"Person {person_id} is not taking part in this review; add them first, or type the speaker's name."
            )
        return person, person.name[:120]
