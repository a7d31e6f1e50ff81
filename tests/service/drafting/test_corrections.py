from service.domain.drafting.corrections import find_corrections, states_superseded
from service.domain.drafting.text import Segment


def _segments(*texts: str) -> list[Segment]:
    return [Segment(i, "S", t) for i, t in enumerate(texts)]


def test_a_figure_taken_back_is_superseded_and_earlier_statements_of_it_are_not_evidence():
    segments = _segments("So about 45 minutes of impact.", "So it's 38 minutes, not 45. Your 45 runs from the page.")
    [correction] = find_corrections(segments)
    assert correction.segment_id == 1 and correction.superseded == {"45"}
    assert states_superseded("So about 45 minutes of impact.", segment_id=0, corrections=[correction])
    assert not states_superseded("So it's 38 minutes, not 45.", segment_id=1, corrections=[correction])


def test_i_said_retracts_the_sentence_but_figures_said_again_stand():
    segments = _segments(
        "On March 31 we were at 71% functional. That's 92 of 126.",
        "Sorry, I need to correct my number. I said 71% is 92 of 126. That's wrong. "
        "On March 31, it's 89 of 126, which is the 71%.",
    )
    [correction] = find_corrections(segments)
    assert correction.superseded == {"92"}


def test_a_result_contrasted_with_its_target_is_not_a_correction():
    segments = _segments("The target was 10 days.", "Average turnaround was 26 business days. Not 10.")
    assert find_corrections(segments) == []


def test_quoting_what_was_said_is_not_a_correction():
    segments = _segments(
        "Recheck at 08:00.", 'At handover I said "potassium\'s being replaced", not the 08:00 recheck.'
    )
    assert find_corrections(segments) == []
