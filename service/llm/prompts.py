"""Prompt files: every prompt is a versioned TOML file under ``prompts/``, never a Python string.

A file carries ``id``, ``version``, ``description``, a ``system`` and a ``user`` template (Jinja2).
Rendering fails loudly on a missing variable, so a renamed variable can't silently send an empty
prompt to the model.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined, UndefinedError

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
_ENV = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
_REQUIRED = ("id", "version", "description", "system", "user")


class PromptError(Exception):
    """A prompt file is missing, malformed, or was rendered without a variable it needs."""


@dataclass(frozen=True)
class RenderedPrompt:
    prompt_id: str
    version: str
    system: str
    user: str


@dataclass(frozen=True)
class PromptFile:
    id: str
    version: str
    description: str
    system: str
    user: str
    path: Path

    def render(self, **variables: Any) -> RenderedPrompt:
        """Fill the templates; raise PromptError naming the variable that is missing."""
        try:
            system = _ENV.from_string(self.system).render(**variables)
            user = _ENV.from_string(self.user).render(**variables)
        except UndefinedError as exc:
            raise PromptError(f"Prompt {self.id} v{self.version} ({self.path}) needs a variable: {exc}.") from exc
        return RenderedPrompt(self.id, self.version, system.strip(), user.strip())


@cache
def load_prompt(prompt_id: str, *, directory: Path = PROMPTS_DIR) -> PromptFile:
    """Read ``<directory>/<prompt_id>.toml`` and check its metadata."""
    path = directory / f"{prompt_id}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PromptError(f"No prompt file {path}; prompts live in {directory} as <id>.toml.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PromptError(f"Prompt file {path} is not valid TOML: {exc}.") from exc
    missing = [key for key in _REQUIRED if not str(data.get(key, "")).strip()]
    if missing:
        raise PromptError(f"Prompt file {path} lacks {', '.join(missing)}.")
    if data["id"] != prompt_id:
        raise PromptError(f"Prompt file {path} says id={data['id']!r}; the file name and id must match.")
    return PromptFile(
        str(data["id"]), str(data["version"]), str(data["description"]), data["system"], data["user"], path
    )
