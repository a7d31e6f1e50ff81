"""Live events of a review, fanned out through Litestar Channels.

Every event is a JSON object with a `type`:

- `segment`: a committed transcript segment (`segment` holds the same shape as
  `GET /api/reviews/{id}/segments`), plus, for live speech, `words`: `[[start_s, end_s, text], ...]`
  on the same clock (the record itself keeps sentences); final, never changes;
- `provisional`: `{person_id, speaker, text, provisional: true}` — what a live speaker is saying
  right now, not yet committed; each one replaces that speaker's previous provisional text, and
  an empty `text` clears it;
- `recording`: an uploaded recording's transcription progress (as `GET .../recordings/{id}`).

The in-memory backend serves one process (the single-machine default); a later issue swaps in
Redis so several app processes share the channel. Nothing else changes.
"""

from __future__ import annotations

from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend


def review_channel(review_id: int) -> str:
    return f"review:{review_id}"


def make_channels_plugin() -> ChannelsPlugin:
    # Channels are created per review on first use; a slow reader loses its oldest events rather
    # than making the memory of the process grow (it can re-read the transcript over HTTP).
    return ChannelsPlugin(
        backend=MemoryChannelsBackend(),
        arbitrary_channels_allowed=True,
        subscriber_max_backlog=1000,
        subscriber_backlog_strategy="dropleft",
    )
