"""What a suite returns, and how suites are found.

A suite is a module ``evals/<name>/suite.py`` with ``NAME``, ``DESCRIPTION`` and
``run(quick: bool) -> SuiteResult``. Later issues add suites by adding folders; nothing here changes.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

EVALS_DIR = Path(__file__).resolve().parent
DATASETS = EVALS_DIR / "datasets"


def review_calls() -> list[dict[str, Any]]:
    """The dev review calls (datasets/cases), shortest script first: the order every transcription eval uses."""
    cases = [json.loads(p.read_text()) for p in sorted((DATASETS / "cases").glob("*.json"))]
    return sorted(cases, key=lambda c: sum(len(t["text"].split()) for t in c["turns"]))


@dataclass
class Figure:
    name: str
    value: float | int | str
    target: str = ""  # e.g. ">= 0.8"; empty when the figure is informational
    met: bool | None = None  # None when there is no target


@dataclass
class SuiteResult:
    figures: list[Figure]
    rows: list[dict[str, Any]] = field(default_factory=list)  # per-case detail for the report
    notes: list[str] = field(default_factory=list)


def discover() -> dict[str, ModuleType]:
    suites = {}
    for path in sorted(EVALS_DIR.glob("*/suite.py")):
        module = importlib.import_module(f"evals.{path.parent.name}.suite")
        suites[module.NAME] = module
    return suites
