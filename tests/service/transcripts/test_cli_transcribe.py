"""`debrief transcribe`: JSON or readable lines on stdout, progress on stderr, clear errors."""

from __future__ import annotations

import json

from click.testing import CliRunner

from service.cli import main


def test_json_output_has_duration_model_and_timed_segments(speech_wav):
    result = CliRunner().invoke(main, ["transcribe", str(speech_wav), "--json", "--progress"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert set(body) == {"duration_s", "model", "segments"} and 13 < body["duration_s"] < 16
    assert body["model"].startswith("tiny.en@")
    assert all(set(s) == {"start", "end", "text"} and s["start"] <= s["end"] for s in body["segments"])
    assert "50 members" in " ".join(s["text"] for s in body["segments"])
    assert "100%" in result.stderr  # the progress bar reached the end, on stderr only


def test_readable_lines_and_a_clear_error_for_a_file_that_is_not_audio(speech_wav, tmp_path):
    lines = CliRunner().invoke(main, ["transcribe", str(speech_wav), "--no-progress"])
    assert lines.exit_code == 0 and lines.stdout.startswith("[00:00 → ") and lines.stderr == ""
    fake = tmp_path / "minutes.mp3"
    fake.write_text("We intended to sign fifty members.\n" * 20)
    refused = CliRunner().invoke(main, ["transcribe", str(fake)])
    assert refused.exit_code == 1 and "not an audio file" in refused.stderr
