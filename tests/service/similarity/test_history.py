"""Importing past failures: idempotent by id, teams created by name, root_theme never read."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from service.cli import main
from service.domain.similarity.history import import_history, parse_records
from service.domain.similarity.search import index_of
from service.errors import InvalidInput
from service.models import Failure, Team
from tests.service.similarity.conftest import history_records


class NoPeeking(dict):
    """A record that fails the test if anyone reads its ground truth."""

    def __getitem__(self, key):
        assert key != "root_theme", "root_theme is evaluation truth and must never be read"
        return super().__getitem__(key)

    def get(self, key, default=None):
        assert key != "root_theme", "root_theme is evaluation truth and must never be read"
        return super().get(key, default)

    def items(self):
        raise AssertionError("records are read field by field, never wholesale")

    def values(self):
        raise AssertionError("records are read field by field, never wholesale")


def test_import_is_idempotent_and_updates_by_id(unit):
    records = [NoPeeking(r, root_theme="secret-truth") for r in history_records()]
    with unit() as services:
        first = import_history(services.session, parse_records(records))
    assert (first.created, first.updated, first.unchanged) == (6, 0, 0)
    assert sorted(first.teams_created) == ["Benefits", "Campaigns", "Mobile", "Nursing", "Payments SRE"]
    with unit() as services:
        again = import_history(services.session, parse_records(records))
    assert (again.created, again.updated, again.unchanged, again.teams_created) == (0, 0, 6, [])

    changed = history_records()
    changed[0]["title"] = "Rate limit change reached all six regions at once"
    with unit() as services:
        third = import_history(services.session, parse_records(changed))
        assert (third.created, third.updated, third.unchanged) == (0, 1, 5)
    with unit(write=False) as services:
        assert services.session.query(Failure).count() == 6
        assert services.session.query(Team).count() == 5
        index = index_of(services.session).index
        assert index.count() == 6  # the import reached the index through the commit hook
        found = services.similar.search(parse_query("all six regions rate limit"), k=1, team_ids=None)
        assert found[0].failure.title == "Rate limit change reached all six regions at once"


def parse_query(text):
    from service.domain.similarity.text import text_query

    return text_query(text)


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"id": "X", "team": "T", "title": "t", "date": "10/01/2024"}, "record 1 (X): 'date' must be YYYY-MM-DD"),
        ({"id": "X", "team": "", "title": "t"}, "'team' must be a non-empty string"),
        ({"id": "X", "team": "T", "title": "t", "category": "bad luck"}, "'category' must be avoidable"),
    ],
)
def test_a_bad_record_is_named_before_anything_is_written(record, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        parse_records([record])


def test_cli_imports_twice_and_searches(settings, tmp_path):
    path = tmp_path / "past.json"
    path.write_text(json.dumps([{**r, "root_theme": "never-read"} for r in history_records()]))
    env = {"DEBRIEF_DATABASE_URL": settings.database.url} if settings.database.url else {}
    runner = CliRunner()
    args = ["--data-dir", str(settings.data_dir)]
    first = runner.invoke(main, ["history", "import", str(path), *args], env=env)
    assert first.exit_code == 0, first.output
    assert "6 created, 0 updated, 0 unchanged, 5 new teams" in first.output
    second = runner.invoke(main, ["history", "import", str(path), *args], env=env)
    assert "0 created, 0 updated, 6 unchanged" in second.output
    found = runner.invoke(
        main,
        ["similar", "--text", "config pushed to every region with no canary", "--k", "2", "--json", *args],
        env=env,
    )
    assert found.exit_code == 0, found.output
    rows = json.loads(found.output)
    assert [set(r) for r in rows] == [{"id", "score", "reason", "status"}] * 2
    assert rows[0]["id"] == "H-1" and rows[0]["status"] == "unconfirmed" and rows[0]["reason"].startswith("both: ")
    rebuilt = runner.invoke(main, ["index", "rebuild", *args], env=env)
    assert rebuilt.exit_code == 0 and "index rebuilt: 6 failures embedded" in rebuilt.output, rebuilt.output
