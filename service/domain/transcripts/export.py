"""The transcript as files people use elsewhere: plain text, SubRip (.srt) and WebVTT (.vtt) captions.

Hand-written rather than a subtitle library: both formats are a few lines per cue, and the only
rules that matter here (time stamps, a blank line between cues, the speaker's name) are tested.
Typed lines have no place on the call's clock, so captions leave them out; the text keeps them.
"""

from __future__ import annotations

from collections.abc import Iterable

from service.models import Segment, SegmentSource

FORMATS = {
    "txt": "text/plain; charset=utf-8",
    "srt": "application/x-subrip; charset=utf-8",
    "vtt": "text/vtt; charset=utf-8",
}
MIN_CUE_S = 0.5  # a cue must end after it starts; a segment with no length still shows for a moment


def render(segments: Iterable[Segment], fmt: str) -> str:
    """The transcript in ``fmt`` (one of `FORMATS`)."""
    if fmt == "txt":
        return as_text(segments)
    timed = [s for s in segments if s.source != SegmentSource.TYPED.value]
    return as_vtt(timed) if fmt == "vtt" else as_srt(timed)


def as_text(segments: Iterable[Segment]) -> str:
    lines = []
    for s in segments:
        when = "typed" if s.source == SegmentSource.TYPED.value else _clock(s.start_s, sep=".")[:-4]
        lines.append(f"[{when}] {s.speaker}: {s.text}")
    return "\n".join(lines) + "\n" if lines else ""


def as_srt(segments: Iterable[Segment]) -> str:
    cues = [
        f"{n}\n{_clock(s.start_s, sep=',')} --> {_clock(_end(s), sep=',')}\n{s.speaker}: {s.text}\n"
        for n, s in enumerate(segments, start=1)
    ]
    return "\n".join(cues)


def as_vtt(segments: Iterable[Segment]) -> str:
    cues = [
        f"{_clock(s.start_s, sep='.')} --> {_clock(_end(s), sep='.')}\n<v {_vtt_name(s.speaker)}>{_vtt_text(s.text)}\n"
        for s in segments
    ]
    return "\n".join(["WEBVTT\n", *cues])


def _end(segment: Segment) -> float:
    return max(segment.end_s, segment.start_s + MIN_CUE_S)


def _clock(seconds: float, *, sep: str) -> str:
    """HH:MM:SS,mmm (SubRip) or HH:MM:SS.mmm (WebVTT)."""
    millis = round(max(seconds, 0.0) * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{sep}{millis:03d}"


def _vtt_text(text: str) -> str:
    # WebVTT cue text is markup: a bare "<" or "&" would start a tag or an entity, and "-->" ends a cue.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _vtt_name(name: str) -> str:
    return _vtt_text(name).replace("\n", " ")
