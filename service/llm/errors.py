"""What can go wrong when calling a model, said so that a person knows what to do next.

Both errors are DebriefErrors, so the web layer already turns them into problem details: 503 with
Retry-After when the endpoint is down or slow, 502 when it answered with something unusable. Neither
leaves anything behind in the review, so the same request can simply be sent again.
"""

from __future__ import annotations

from service.errors import DebriefError, Unavailable


class LLMUnavailable(Unavailable):
    """The model endpoint can't be reached, refused the call, or took too long."""

    title = "The drafting model is unavailable"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, retry=True)


class LLMTimeout(LLMUnavailable):
    """The model took longer than the call was allowed (the endpoint may be fine, just slow or busy)."""


class LLMBadOutput(DebriefError):
    """The model answered, but not with output that fits the schema."""

    status = 502
    title = "The drafting model gave an unusable answer"

    def __init__(self, detail: str, *, raw_output: str = "") -> None:
        super().__init__(detail, retry=True)
        self.raw_output = raw_output
