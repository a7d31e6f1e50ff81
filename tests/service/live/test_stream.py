"""How a participant's live stream is set up from the settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.live.access import Speaker
from service.live.passes import LivePasses
from service.live.stream import LiveStream
from service.settings import Settings
from tests.service.live.test_passes import NamedTranscriber


@pytest.mark.parametrize(("setting", "pause_s"), [(None, None), (0.0, None), (0.3, 0.3)])
def test_a_stream_commits_at_a_pause_only_when_the_setting_asks(tmp_path: Path, setting, pause_s) -> None:
    whisper = {} if setting is None else {"live_pause_commit_s": setting}
    stream = LiveStream(
        None,  # type: ignore[arg-type]  # the socket is not used before run()
        Speaker(review_id=1, person_id=1, name="Ana", offset_s=0.0),
        settings=Settings(data_dir=tmp_path, whisper=whisper),
        session_factory=None,  # type: ignore[arg-type]
        channels=None,  # type: ignore[arg-type]
        passes=LivePasses(NamedTranscriber("full")),
    )
    assert stream.session.pause_s == pause_s
