"""The stricter checks drafting adds on top of ``grounding_problems`` (names, dates, word support)."""

from service.domain.drafts.grounding import draft_problems

SEGMENTS = {1: "Kenji picked up at 03:24 on Monday.", 2: "We ordered on September 9 from Glassline."}
SPEAKERS = {1: "Eli Brooks", 2: "June Whitaker"}


def test_names_and_dates_from_the_cited_segments_pass():
    assert draft_problems("On Monday, Kenji picked up at 03:24.", [1], SEGMENTS, speakers=SPEAKERS) == []


def test_a_name_not_in_the_cited_segments_fails():
    problems = draft_problems("Only Kenji and Priscilla could do it.", [1], SEGMENTS, speakers=SPEAKERS)
    assert problems == ["the name Priscilla does not occur in the cited segments"]


def test_a_date_word_must_be_in_the_cited_segments_unless_it_names_a_speaker():
    assert draft_problems("We ordered on September 9.", [1], SEGMENTS) == [
        "the number 9 does not occur in the cited segments",
        "the date word 'september' does not occur in the cited segments",
        "the date September 9 does not occur in the cited segments",
    ]
    assert draft_problems("As June Whitaker said, we ordered from Glassline.", [2], SEGMENTS, speakers=SPEAKERS) == []


def test_fluent_text_the_group_never_said_fails_the_support_check():
    vague = "The gap exists between what we intended and what actually happened."
    [problem] = draft_problems(vague, [1], SEGMENTS, speakers=SPEAKERS, min_support=0.8)
    assert problem.startswith("only ") and "needs 80%" in problem


def test_the_original_check_still_applies():
    assert draft_problems("Picked up at 04:00.", [1], SEGMENTS) == [
        "the number 04:00 does not occur in the cited segments"
    ]


def test_two_true_facts_fused_into_a_false_one_fail():
    """Seen with SmolLM2 on d08: "December 10" and "November 15" became "December 15"."""
    said = {3: "3,000 candles in stock by November 15. Last year we sold out by December 10 with 2,200."}
    fused = "The scents were sold out by December 15, and last year we sold out of 2,200."
    assert "the date December 15 does not occur in the cited segments" in draft_problems(fused, [3], said)
    assert draft_problems("We sold out by December 10 with 2,200.", [3], said) == []


def test_a_figure_must_keep_its_unit():
    said = {1: "Writes were down 72 minutes after 4 calls."}
    assert draft_problems("Writes were down 72 minutes.", [1], said) == []
    assert draft_problems("Writes were down 72 hours.", [1], said) == [
        "'72 hours' does not occur in the cited segments"
    ]
