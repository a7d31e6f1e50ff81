import time

import pytest

from evals.drafting.scoring import grounding_checks
from service.domain.drafting.call import draft_call


def test_a_call_is_drafted_without_reading_its_truth(load):
    result = draft_call(load("d12"))
    assert result["model"] == "extractive"
    [failure] = result["failures"]
    assert set(failure) == {"intended", "actual", "gap", "category", "learning"}
    assert "30 minutes" in failure["intended"]["text"] and failure["intended"]["citations"] == [1]
    assert "72 minutes" in failure["actual"]["text"]
    assert failure["category"]["value"] == "inherent"
    assert failure["learning"]["owner"] == "Nora Lindqvist"


def test_two_failures_in_one_call_are_kept_apart(load):
    result = draft_call(load("d09"))
    screen, incubator = result["failures"]
    assert "CYMAL-6" in screen["intended"]["text"] and "incubator" in incubator["intended"]["text"]
    assert (screen["category"]["value"], incubator["category"]["value"]) == ("experiment", "avoidable")
    assert (screen["learning"]["owner"], incubator["learning"]["owner"]) == ("Anjali Nair", "Tom Becker")


def test_the_corrected_figure_is_used(load):
    text = " ".join(f["actual"]["text"] + f["gap"]["text"] for f in draft_call(load("d05"))["failures"])
    assert "89 of 126" in text and "92 of 126" not in text


@pytest.mark.parametrize("stem", ["d01", "d02", "d03", "d08", "d10", "d11"])
def test_every_draft_shown_as_grounded_passes_the_checker(load, stem):
    case = load(stem)
    result = draft_call(case)
    shown, passed, problems = grounding_checks(dict(case), result)
    assert shown >= 5 and passed == shown, problems


def test_blame_turns_are_flagged_privately_with_a_rewording(load):
    result = draft_call(load("d02"))
    assert result["blame_turns"] == [19]
    assert "the board" in result["blame_flags"][0]["rewording"]


def test_a_two_hour_call_is_drafted_quickly_and_the_evidence_stays_small(load):
    case = load("d11")
    turns = case["turns"]
    # ~2 hours of speech: the discussion of every question repeated, as long calls go round in circles.
    long_case = {"participants": case["participants"], "turns": [t for t in turns for _ in range(6)]}
    assert sum(len(t["text"].split()) for t in long_case["turns"]) > 15_000
    started = time.perf_counter()
    result = draft_call(long_case)
    assert time.perf_counter() - started < 20
    for failure in result["failures"]:
        for key in ("intended", "actual", "gap"):
            assert len(failure[key]["text"].split()) <= 130  # what a model is shown is bounded the same way
