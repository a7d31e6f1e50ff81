from service.domain.drafting.category import stance, suggest_category
from service.domain.drafting.text import Segment


def test_the_question_itself_takes_no_stance():
    assert stance("Fourth question. Avoidable, inherent, or experiment?") is None
    assert stance("I'd call it inherent for a business our size right now.") == "inherent"


def test_the_facilitators_verdict_wins_and_the_rationale_quotes_a_reason():
    segments = [
        Segment(10, "Tom", "I'd push on this. So is it inherent?"),
        Segment(11, "Lena", "I don't buy that."),
        Segment(12, "Priya", "It's an assumption we could have checked. That's avoidable."),
        Segment(13, "Tom", "Okay. I'll take avoidable."),
    ]
    suggestion = suggest_category(segments, facilitator="Priya")
    assert suggestion.value == "avoidable"
    assert 12 in suggestion.citations
    assert "could have checked" in suggestion.rationale


def test_a_hedged_verdict_over_disagreement_is_ambiguous_with_the_leaning_kept():
    segments = [
        Segment(1, "June", "Avoidable, inherent, or experiment? I keep going back and forth."),
        Segment(2, "June", "Part of me says avoidable. If we'd ordered in July it wouldn't have mattered."),
        Segment(3, "Raj", "I'd call it inherent for a business our size right now."),
        Segment(4, "June", "Inherent, but I want it written down that the timing was a choice too."),
    ]
    suggestion = suggest_category(segments, facilitator="June")
    assert suggestion.value == "ambiguous" and suggestion.leaning == "inherent"
    assert "avoidable" in suggestion.rationale and "inherent" in suggestion.rationale


def test_a_participant_aside_does_not_make_a_settled_category_ambiguous():
    segments = [
        Segment(1, "Karen", "I'll argue avoidable, just to test it."),
        Segment(2, "Farah", "It's a constraint this year. I want it written down that it's a budget decision."),
        Segment(3, "Denise", "Agreed, we'll write it that way: a constraint that council could change."),
    ]
    assert suggest_category(segments, facilitator="Denise").value == "inherent"


def test_nothing_said_means_no_suggestion():
    assert suggest_category([Segment(1, "A", "Let's move on.")], facilitator="A") is None
