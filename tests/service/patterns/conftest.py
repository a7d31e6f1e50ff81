"""Pattern tests use the same indexed world as the similarity tests."""

from tests.service.similarity.conftest import imported, indexed, unit  # noqa: F401
