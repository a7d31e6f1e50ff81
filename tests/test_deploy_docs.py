"""docs/deploy.md and its reference configuration stay true to the code."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from service.cli import main
from service.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "docs" / "deploy"


def _known_variables() -> set[str]:
    table = (ROOT / "docs" / "settings.md").read_text()
    return set(re.findall(r"^\| `(DEBRIEF_[A-Z0-9_]+)`", table, flags=re.M))


def test_every_variable_in_the_reference_configuration_is_a_real_setting_and_parses(monkeypatch):
    lines = [line for line in (DEPLOY / "debrief.env").read_text().splitlines() if line and not line.startswith("#")]
    values = dict(line.split("=", 1) for line in lines)
    assert set(values) <= _known_variables(), set(values) - _known_variables()
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings = Settings()  # the units hand these to every process through EnvironmentFile=
    assert settings.queue.url == values["DEBRIEF_QUEUE_URL"]
    assert settings.web.events_url == values["DEBRIEF_WEB_EVENTS_URL"]
    assert settings.retrieval.chroma_host == values["DEBRIEF_RETRIEVAL_CHROMA_HOST"]
    assert settings.whisper.in_process_worker is False and settings.database.pool_size == 10


def test_every_command_the_units_run_exists():
    commands = set()
    for unit in DEPLOY.glob("*.service"):
        for line in unit.read_text().splitlines():
            if line.startswith(("ExecStart=", "ExecStartPre=")) and "/bin/debrief " in line:
                commands.add(line.split("/bin/debrief ", 1)[1].split()[0])
    assert commands == {"migrate", "serve", "worker"}
    runner = CliRunner()
    for command in commands:
        assert runner.invoke(main, [command, "--help"]).exit_code == 0, command


def test_the_deploy_guide_names_every_unit_and_the_capacity_plan():
    guide = (ROOT / "docs" / "deploy.md").read_text()
    for unit in DEPLOY.iterdir():
        assert f"deploy/{unit.name}" in guide, unit.name
    assert "1,000 teams" in guide and "50 simultaneous calls" in guide
