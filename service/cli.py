"""The `debrief` command line. Commands that write take --data-dir (default: DEBRIEF_DATA_DIR)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from service.cli_options import data_dir_option, settings_for
from service.errors import DebriefError

_settings = settings_for


@click.group()
@click.version_option(package_name="debrief")
def main() -> None:
    """Debrief: after-action reviews where AI drafts and humans decide."""


@main.command()
@data_dir_option
def migrate(data_dir: Path | None) -> None:
    """Create or upgrade the database schema."""
    from service.db.migrate import upgrade

    settings = _settings(data_dir)
    upgrade(settings)
    click.echo(f"database is up to date ({_redact(settings.database_url)})")


@main.command()
@click.argument("review_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write to this file instead of standard output.",
)
@data_dir_option
def export(review_id: int, fmt: str, output: Path | None, data_dir: Path | None) -> None:
    """Export a review as a Markdown AAR document or JSON."""
    from service.db.engine import make_engine, make_session_factory
    from service.domain.export.document import review_document
    from service.domain.export.markdown import render_markdown
    from service.domain.services import provide_services

    settings = _settings(data_dir)
    engine = make_engine(settings)
    try:
        with provide_services(make_session_factory(engine), settings, write=False) as services:
            doc = review_document(services.session, services.reviews.get(review_id))
    except DebriefError as exc:
        raise click.ClickException(exc.detail) from None
    finally:
        engine.dispose()
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n" if fmt == "json" else render_markdown(doc)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        sys.stdout.write(text)


@main.command()
@click.argument("call", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (turn indices as citations).")
@click.option("--extractive", is_flag=True, help="Use no model: the speakers' own sentences only.")
def draft(call: Path, as_json: bool, extractive: bool) -> None:
    """Draft the four answers, category, learning and blame flags for a call in the evals-data format."""
    from service.domain.drafting.command import draft_file

    try:
        click.echo(draft_file(call, settings=_settings(None), as_json=as_json, extractive=extractive), nl=False)
    except DebriefError as exc:
        raise click.ClickException(exc.detail) from None


@main.group()
def user() -> None:
    """Accounts: create people who can sign in."""


@user.command("create")
@click.option("--name", prompt=True, help="The person's name.")
@click.option("--email", prompt=True, help="Their sign-in e-mail.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="At least 10 characters (prompted, never echoed, when omitted).",
)
@click.option("--admin", is_flag=True, help="Make them a site admin (the first account should be one).")
@data_dir_option
def user_create(name: str, email: str, password: str, admin: bool, data_dir: Path | None) -> None:
    """Create a person who can sign in."""
    from service.domain.accounts.bootstrap import create_user

    try:
        person_id = create_user(_settings(data_dir), name=name, email=email, password=password, admin=admin)
    except DebriefError as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(f"created {'site admin' if admin else 'person'} {name} <{email}> (id {person_id})")


@main.group()
def token() -> None:
    """API tokens for scripts and integrations."""


@token.command("create")
@click.option("--email", required=True, help="Whose token (their sign-in e-mail).")
@click.option("--name", default="cli", show_default=True, help="A label to recognise the token by.")
@data_dir_option
def token_create(email: str, name: str, data_dir: Path | None) -> None:
    """Print a new API token (shown once); send it as `Authorization: Bearer <token>`."""
    from service.domain.accounts.bootstrap import issue_token

    try:
        click.echo(issue_token(_settings(data_dir), person=email, name=name))
    except DebriefError as exc:
        raise click.ClickException(exc.detail) from None


@main.command("settings")
def settings_command() -> None:
    """Print every setting with its environment variable, default and meaning (Markdown)."""
    from service.settings_doc import settings_markdown

    click.echo(settings_markdown(), nl=False)


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        return f"{scheme}://{credentials.split(':')[0]}@{host}"
    return url


# Commands of other areas live in their own modules; registered here, last, to keep this file small.
from service import cli_retrieval  # noqa: E402

main.add_command(cli_retrieval.history)
main.add_command(cli_retrieval.index)
main.add_command(cli_retrieval.similar)
main.add_command(cli_retrieval.patterns)

from service.cli_transcribe import transcribe  # noqa: E402

main.add_command(transcribe)

from service.cli_processes import serve, worker  # noqa: E402

main.add_command(serve)
main.add_command(worker)

if __name__ == "__main__":
    main()
