"""The `debrief` command line, run as a real process against a real database."""

import json
import subprocess
import sys
from pathlib import Path

from service.db.engine import make_engine, make_session_factory
from service.domain.services import provide_services
from service.settings import Settings
from tests.helpers import make_cast

DEBRIEF = [sys.executable, "-m", "service.cli"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DEBRIEF, *args], capture_output=True, text=True, timeout=120)


def test_migrate_then_export_a_review(tmp_path):
    data_dir = tmp_path / "d"
    result = _run("migrate", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    assert (data_dir / "debrief.db").exists()

    settings = Settings(data_dir=data_dir)
    engine = make_engine(settings)
    with provide_services(make_session_factory(engine), settings) as services:
        review_id = make_cast(services).review.id
    engine.dispose()

    md = _run("export", str(review_id), "--format", "md", "--data-dir", str(data_dir))
    assert md.returncode == 0, md.stderr
    assert md.stdout.startswith("# After-action review: Config push took down payments")
    out = tmp_path / "review.json"
    js = _run("export", str(review_id), "--format", "json", "-o", str(out), "--data-dir", str(data_dir))
    assert js.returncode == 0, js.stderr
    assert json.loads(out.read_text())["participants"] == ["Fran Facilitator", "Alice Okafor", "Bob Lindqvist"]


def test_export_of_a_missing_review_says_so(tmp_path):
    assert _run("migrate", "--data-dir", str(tmp_path)).returncode == 0
    result = _run("export", "77", "--data-dir", str(tmp_path))
    assert result.returncode == 1 and "No review with id 77" in result.stderr


def test_settings_doc_is_up_to_date():
    result = _run("settings")
    assert result.returncode == 0
    documented = (Path(__file__).resolve().parents[2] / "docs" / "settings.md").read_text()
    assert result.stdout == documented, "run `make docs` to regenerate docs/settings.md"


def test_user_and_token_commands_create_a_working_sign_in(tmp_path):
    from litestar.testing import TestClient

    from service.app import create_app

    data = str(tmp_path)
    assert _run("migrate", "--data-dir", data).returncode == 0
    created = _run(
        "user",
        "create",
        "--admin",
        "--name",
        "Ada",
        "--email",
        "ada@example.org",
        "--password",
        "correct horse battery",
        "--data-dir",
        data,
    )
    assert created.returncode == 0 and "site admin Ada" in created.stdout, created.stderr
    weak = _run(
        "user", "create", "--name", "Bo", "--email", "bo@example.org", "--password", "short", "--data-dir", data
    )
    assert weak.returncode == 1 and "at least 10 characters" in weak.stderr
    issued = _run("token", "create", "--email", "ada@example.org", "--data-dir", data)
    assert issued.returncode == 0, issued.stderr
    with TestClient(app=create_app(Settings(data_dir=tmp_path))) as client:
        me = client.get("/api/session/me", headers={"Authorization": f"Bearer {issued.stdout.strip()}"})
    assert me.status_code == 200 and me.json()["is_admin"] is True
