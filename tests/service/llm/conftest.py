"""Shared model fixtures (see fixtures.py)."""

from tests.service.llm.fixtures import embedded_server, recorded_llm  # noqa: F401
