"""`make eval` can find and import every suite (a broken import would otherwise only show at eval time)."""

from evals.suite import discover


def test_every_eval_suite_imports_and_describes_itself():
    suites = discover()
    assert sorted(suites) == ["drafting", "retrieval", "transcription", "workflow"]
    for suite in suites.values():
        assert suite.DESCRIPTION and callable(suite.run)
