from service.domain.drafts.grounding import grounding_problems

SEGMENTS = {1: "We intended to sign 50 members.", 2: "We signed 12 by March 15th, at 14:30.", 3: "It's fine."}


def test_numbers_and_quotes_found_in_the_cited_segments_pass():
    text = 'We intended to sign 50 members and signed 12; "we signed 12 by March 15th".'
    assert grounding_problems(text, [1, 2], SEGMENTS) == []


def test_a_number_only_in_an_uncited_segment_fails():
    assert grounding_problems("We signed 12.", [1], SEGMENTS) == ["the number 12 does not occur in the cited segments"]


def test_times_must_match_exactly():
    assert grounding_problems("at 14:30", [2], SEGMENTS) == []
    assert grounding_problems("at 14:45", [2], SEGMENTS) == ["the number 14:45 does not occur in the cited segments"]


def test_a_made_up_quotation_fails():
    problems = grounding_problems('Someone said "marketing dropped the ball".', [3], SEGMENTS)
    assert problems == ['the quotation "marketing dropped the ball" does not occur in the cited segments']


def test_missing_and_absent_citations_fail():
    assert grounding_problems("Anything.", [], SEGMENTS) == ["cites no transcript segment"]
    assert grounding_problems("Anything.", [9], SEGMENTS) == ["cites segments that are not in this review: 9"]
