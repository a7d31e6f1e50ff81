from service.domain.drafting.corrections import find_corrections
from service.domain.drafting.evidence import select_evidence
from service.domain.drafting.text import Segment

CALL = [
    Segment(0, "Ana", "What actually happened?", 2),
    Segment(1, "Bo", "We signed 11. Eleven out of 40. By June 18 we had 7.", 2),
    Segment(2, "Cy", "I was glad to be there, honestly, it was nice.", 2),
    Segment(3, "Dee", "If the board had approved the summary we'd have 40 members.", 2),
    Segment(4, "Bo", "We had about 45 minutes of impact.", 2),
    Segment(5, "Ana", "So it's 38 minutes, not 45. I pulled the timeline.", 2),
]


def test_specific_sentences_are_chosen_and_small_talk_is_not():
    evidence = select_evidence(CALL[:3], field="actual")
    assert "We signed 11." in evidence.text and "Eleven out of 40." in evidence.text
    assert 2 not in evidence.segment_ids


def test_excluded_segments_are_never_evidence():
    evidence = select_evidence(CALL[:4], field="actual", excluded={3})
    assert 3 not in evidence.segment_ids


def test_a_figure_taken_back_is_replaced_by_the_correction():
    corrections = find_corrections(CALL)
    evidence = select_evidence(CALL[4:5], field="actual", corrections=corrections, call=CALL)
    assert "45 minutes of impact" not in evidence.text
    assert "38 minutes, not 45" in evidence.text and evidence.segment_ids == [5]


def test_the_facilitators_questions_are_not_evidence():
    assert 0 not in select_evidence(CALL, field="actual", facilitator="Ana").segment_ids
