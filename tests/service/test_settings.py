import subprocess
import sys

from service.settings import Settings


def test_every_field_is_overridable_by_a_debrief_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("DEBRIEF_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DEBRIEF_DATABASE_URL", "postgresql://u@db.example/debrief")
    monkeypatch.setenv("DEBRIEF_LLM_BASE_URL", "http://127.0.0.1:9000/v1")
    monkeypatch.setenv("DEBRIEF_WHISPER_MODEL", "/models/whisper-small")
    monkeypatch.setenv("DEBRIEF_REVIEW_DUE_HOURS", "48")
    monkeypatch.setenv("DEBRIEF_WEB_PORT", "9001")
    settings = Settings()
    assert settings.data_dir == tmp_path and settings.review_due_hours == 48
    assert settings.database_url == "postgresql+psycopg://u@db.example/debrief"
    assert settings.llm.base_url == "http://127.0.0.1:9000/v1"
    assert settings.whisper.model == "/models/whisper-small" and settings.web.port == 9001


def test_the_default_database_is_sqlite_in_the_data_dir(tmp_path):
    assert Settings(data_dir=tmp_path).database_url == f"sqlite:///{tmp_path}/debrief.db"


def test_importing_the_service_touches_nothing(tmp_path):
    """No database, model or directory is opened at import time: only create_app does that."""
    data_dir = tmp_path / "never"
    code = "import service.app, service.cli, service.models, service.domain.services"
    env = {"DEBRIEF_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert not data_dir.exists()
