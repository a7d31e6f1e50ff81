"""API shapes for transcript segments."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from service.api.rows import Columns
from service.models import Segment, SegmentSource


class SegmentIn(msgspec.Struct, kw_only=True):
    speaker: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=20000)]
    start_s: Annotated[float, msgspec.Meta(ge=0)] = 0.0
    end_s: Annotated[float, msgspec.Meta(ge=0)] = 0.0
    source: SegmentSource = SegmentSource.TYPED
    confidence: Annotated[float, msgspec.Meta(ge=0, le=1)] | None = None
    person_id: int | None = None
    source_key: Annotated[str, msgspec.Meta(max_length=120)] | None = None


class SegmentCorrection(msgspec.Struct, kw_only=True):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=20000, description="The segment's corrected text.")]


class SegmentsIn(msgspec.Struct, kw_only=True):
    segments: Annotated[list[SegmentIn], msgspec.Meta(min_length=1, max_length=5000)]


class SegmentOut(msgspec.Struct, kw_only=True):
    id: int
    speaker: str
    person_id: int | None
    start_s: float
    end_s: float
    text: str
    source: str
    confidence: float | None
    question: int | None
    corrected_by: Annotated[
        int | None, msgspec.Meta(description="Who last corrected the text by hand; null: as transcribed or typed.")
    ] = None
    corrected_at: datetime | None = None

    @classmethod
    def of(cls, segment: Segment) -> SegmentOut:
        return SEGMENT_COLUMNS.build(segment)


SEGMENT_COLUMNS = Columns(SegmentOut, Segment)
