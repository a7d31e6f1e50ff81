"""The live tests share the review cast of the transcript tests."""

from tests.service.transcripts.conftest import cast_ids  # noqa: F401  (a fixture, used by name)
