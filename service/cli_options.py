"""Options every `debrief` command module shares; kept apart so no module imports the CLI root."""

from __future__ import annotations

from pathlib import Path

import click

from service.settings import Settings

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where Debrief keeps its data (default: DEBRIEF_DATA_DIR or ~/.local/share/debrief).",
)


def settings_for(data_dir: Path | None) -> Settings:
    """The settings from the environment, with the command's --data-dir over DEBRIEF_DATA_DIR."""
    return Settings(data_dir=data_dir) if data_dir is not None else Settings()
