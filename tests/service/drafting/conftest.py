"""Dev calls for the drafting tests, read the way the CLI reads them (truth is never handed over)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

CASES = Path(__file__).resolve().parents[3] / "evals" / "datasets" / "cases"


class NoTruth(dict):  # type: ignore[type-arg]
    """A call that fails the test if anyone reads its ``truth``."""

    def __getitem__(self, key: str) -> Any:
        if key == "truth":
            raise AssertionError("the drafter read the truth key")
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        if key == "truth":
            raise AssertionError("the drafter read the truth key")
        return super().get(key, default)


def load_call(stem: str) -> NoTruth:
    path = next(CASES.glob(f"{stem}*.json"))
    return NoTruth(json.loads(path.read_text()))


@pytest.fixture
def load() -> Any:
    return load_call


from tests.service.llm.fixtures import embedded_server, recorded_llm  # noqa: E402, F401  (shared model fixtures)
