"""Live segments grow in place, only at the end, so what was quoted from them stays true."""

import pytest

from service.domain.transcripts.service import NewSegment
from service.errors import InvalidInput, NotFound
from service.models import SegmentSource
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
