"""`debrief history`, `index`, `similar` and `patterns`: past failures, the similarity index, patterns.

With the embedded index (no chroma_host), these commands open the same files as the service;
Chroma's embedded mode is not process-safe, so stop the service first or run a Chroma server. The
service reconciles the index with the database at start-up, so nothing written here is lost.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from service.cli_options import data_dir_option, settings_for
from service.errors import DebriefError

_settings = settings_for


@contextmanager
def _services(data_dir: Path | None, *, write: bool = True) -> Iterator:  # type: ignore[type-arg]
    """System services on one transaction, with the similarity index open and following commits."""
    from retrieval import RetrievalError
    from service.db.engine import make_engine, make_session_factory
    from service.db.migrate import upgrade
    from service.domain.services import provide_services
    from service.domain.similarity.startup import open_similarity_index

    settings = _settings(data_dir)
    upgrade(settings)  # a fresh data directory works without a separate `debrief migrate`
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    index = None
    try:
        index = open_similarity_index(settings, factory)
        with provide_services(factory, settings, write=write) as services:
            yield services
    except (DebriefError, RetrievalError) as exc:
        raise click.ClickException(getattr(exc, "detail", str(exc))) from None
    finally:
        if index is not None:
            index.close()
        engine.dispose()


@click.group()
def history() -> None:
    """Past failures from before Debrief (searchable, and counted in patterns)."""


@history.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@data_dir_option
def history_import(file: Path, data_dir: Path | None) -> None:
    """Import past failures from FILE.json ([{id, team, date, title, summary, category}]); re-running updates."""
    from service.domain.similarity.history import import_history, parse_records

    try:
        records = parse_records(json.loads(file.read_text(encoding="utf-8")))
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"{file} is not valid JSON ({exc}).") from None
    except DebriefError as exc:
        raise click.ClickException(f"{file}: {exc.detail}") from None
    with _services(data_dir) as services:
        report = import_history(services.session, records)
    click.echo(f"{file.name}: {report}; the similarity index is up to date")


@click.group()
def index() -> None:
    """The similarity index (derived from the database; safe to rebuild at any time)."""


@index.command("rebuild")
@data_dir_option
def index_rebuild(data_dir: Path | None) -> None:
    """Empty the index and re-embed every failure from the database."""
    from service.domain.similarity.index import rows_from_database
    from service.domain.similarity.search import index_of

    with _services(data_dir, write=False) as services:
        written = index_of(services.session).index.rebuild(r.item() for r in rows_from_database(services.session))
    click.echo(f"index rebuilt: {written} failures embedded")


@click.command()
@click.option("--text", required=True, help="Describe the failure: its gap and what happened.")
@click.option("--k", type=click.IntRange(1, 50), default=5, show_default=True, help="How many to show.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: [{id, score, reason, status}].")
@data_dir_option
def similar(text: str, k: int, as_json: bool, data_dir: Path | None) -> None:
    """Past failures similar to TEXT, as unconfirmed hypotheses (a person decides)."""
    from service.domain.similarity.text import text_query

    if not text.strip():
        raise click.ClickException("--text is empty; describe the gap and what happened.")
    with _services(data_dir, write=False) as services:
        hits = services.similar.search(text_query(text), k=k, team_ids=None)
        rows = [
            {"id": h.failure.external_id or str(h.failure.id), "score": h.score, "reason": h.reason,
             "status": "unconfirmed", "title": h.failure.title, "team": h.failure.team.name}
            for h in hits
        ]  # fmt: skip
    if as_json:
        click.echo(json.dumps([{key: r[key] for key in ("id", "score", "reason", "status")} for r in rows], indent=2))
        return
    for r in rows:
        click.echo(f"{r['score']:.3f}  {r['id']}  {r['title']}  ({r['team']})\n        {r['reason']}  [unconfirmed]")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON: [{theme, description, member_ids, teams, status}].")
@click.option("--markdown", is_flag=True, help="Print the Markdown report instead.")
@click.option("--no-refresh", is_flag=True, help="Only show stored patterns; do not look for new ones.")
@data_dir_option
def patterns(as_json: bool, markdown: bool, no_refresh: bool, data_dir: Path | None) -> None:
    """Cross-team patterns: refresh the proposals (>= 3 failures, >= 2 teams), then list them."""
    from service.domain.patterns.report import render_report
    from service.domain.patterns.schemas import PatternOut

    with _services(data_dir) as services:
        refreshed = None if no_refresh else services.patterns.refresh()
        found = [PatternOut.of(p, services.patterns.visible_members(p)) for p in services.patterns.list_all()]
    if as_json:
        keys = ("theme", "description", "member_ids", "teams", "status")
        click.echo(json.dumps([{key: getattr(p, key) for key in keys} for p in found], indent=2, ensure_ascii=False))
    elif markdown:
        click.echo(render_report(found))
    else:
        if refreshed is not None:
            click.echo(str(refreshed))
        for p in found:
            members = ", ".join(p.member_ids)
            click.echo(f"[{p.status}] {p.theme} — {len(p.member_ids)} failures, {len(p.teams)} teams: {members}")
