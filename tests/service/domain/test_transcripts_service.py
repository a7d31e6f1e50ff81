"""Live segments grow in place, only at the end, so what was quoted from them stays true; people correct them."""

import pytest

from service.domain.transcripts.service import NewSegment
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.models import AuditEvent, DraftKind, SegmentSource
from tests.helpers import make_cast


def _live(services, cast):
    (segment,) = services.transcripts.add(
        cast.review,
        [NewSegment(speaker="Alice Okafor", text="We intended", start_s=1.0, end_s=1.8, source=SegmentSource.LIVE)],
        actor=cast.alice,
    )
    return segment


def test_a_live_segment_grows_in_place(services):
    cast = make_cast(services)
    segment = _live(services, cast)
    grown = services.transcripts.extend(
        cast.review, segment.id, text="We intended to sign fifty.", end_s=3.2, confidence=0.8, actor=cast.alice
    )
    assert (grown.id, grown.text, grown.start_s, grown.end_s, grown.confidence) == (
        segment.id, "We intended to sign fifty.", 1.0, 3.2, 0.8,
    )  # fmt: skip
    assert [s.text for s in services.transcripts.list_segments(cast.review)] == ["We intended to sign fifty."]


def test_a_segment_never_changes_what_it_already_said(services):
    cast = make_cast(services)
    segment = _live(services, cast)
    with pytest.raises(InvalidInput, match="only grow at the end"):
        services.transcripts.extend(
            cast.review, segment.id, text="We pretended to sign", end_s=3.0, confidence=0.8, actor=cast.alice
        )
    with pytest.raises(NotFound):
        services.transcripts.extend(cast.review, segment.id + 99, text="x", end_s=3.0, confidence=None, actor=None)


def test_a_person_corrects_a_misheard_segment_and_the_audit_log_keeps_both_versions(services):
    cast = make_cast(services)
    segment = _live(services, cast)
    services.transcripts.extend(
        cast.review, segment.id, text="We intended to sign it well.", end_s=3.0, confidence=0.5, actor=None
    )
    corrected = services.transcripts.correct(
        cast.review, segment.id, text="  We intended to sign twelve. ", actor=cast.bob
    )
    assert (corrected.text, corrected.corrected_by) == ("We intended to sign twelve.", cast.bob.id)
    assert corrected.corrected_at is not None
    [event] = [e for e in services.session.query(AuditEvent) if e.action == "segment.corrected"]
    assert (event.actor_id, event.detail) == (
        cast.bob.id, {"before": "We intended to sign it well.", "after": "We intended to sign twelve."},
    )  # fmt: skip
    with pytest.raises(InvalidInput, match="cannot be empty"):
        services.transcripts.correct(cast.review, segment.id, text="   ", actor=cast.bob)
    with pytest.raises(Forbidden):
        services.transcripts.correct(cast.review, segment.id, text="Something else.", actor=cast.outsider)


def test_words_committed_after_a_correction_follow_it(services):
    cast = make_cast(services)
    segment = _live(services, cast)  # the stream stored "We intended"
    services.transcripts.correct(cast.review, segment.id, text="We intend", actor=cast.bob)
    grown = services.transcripts.extend(
        cast.review, segment.id, text="We intended to sign fifty.", end_s=3.2, confidence=0.8, actor=None,
        was="We intended",
    )  # fmt: skip
    assert grown.text == "We intend to sign fifty."


def test_a_segment_a_draft_stands_on_cannot_be_corrected_until_the_draft_is_rejected(services):
    cast = make_cast(services)
    segment = _live(services, cast)
    failure = services.failures.create(cast.review, title="Signups stalled", actor=cast.facilitator)
    draft = services.drafts.record(
        failure, kind=DraftKind.ANSWER, text="We intended", citations=[segment.id], call=None, question=1,
        extractive=True,
    )  # fmt: skip
    with pytest.raises(Conflict, match=f"Draft {draft.id} cites this segment"):
        services.transcripts.correct(cast.review, segment.id, text="We intend", actor=cast.alice)
    services.drafts.reject(draft, actor=cast.alice)
    assert services.transcripts.correct(cast.review, segment.id, text="We intend", actor=cast.alice).text == "We intend"


def test_its_speaker_or_the_facilitator_strikes_a_segment_and_the_log_keeps_no_words(services):
    cast = make_cast(services)
    segment = _live(services, cast)  # Alice's words
    segment.person_id = cast.alice.id
    with pytest.raises(Forbidden, match="who said it"):
        services.transcripts.remove(cast.review, segment.id, actor=cast.bob)
    services.transcripts.remove(cast.review, segment.id, actor=cast.alice)
    assert services.transcripts.list_segments(cast.review) == []
    [event] = [e for e in services.session.query(AuditEvent) if e.action == "segment.removed"]
    assert event.actor_id == cast.alice.id and "We intended" not in str(event.detail)
    with pytest.raises(NotFound):
        services.transcripts.remove(cast.review, segment.id, actor=cast.facilitator)
    other = _live(services, cast)
    services.transcripts.remove(cast.review, other.id, actor=cast.facilitator)


def test_a_segment_a_draft_stands_on_cannot_be_struck(services):
    cast = make_cast(services)
    segment = _live(services, cast)
    failure = services.failures.create(cast.review, title="Signups stalled", actor=cast.facilitator)
    services.drafts.record(
        failure, kind=DraftKind.ANSWER, text="We intended", citations=[segment.id], call=None, question=1,
        extractive=True,
    )  # fmt: skip
    with pytest.raises(Conflict, match="cites this segment"):
        services.transcripts.remove(cast.review, segment.id, actor=cast.facilitator)


def test_a_removed_segments_id_is_never_given_to_another(services):
    cast = make_cast(services)
    last = _live(services, cast)
    services.transcripts.remove(cast.review, last.id, actor=cast.facilitator)
    assert _live(services, cast).id > last.id  # a draft citing the old id can never point at new words
