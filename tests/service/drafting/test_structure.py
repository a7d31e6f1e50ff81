from service.domain.drafting.structure import assign_questions, owner_statements, questions_asked
from service.domain.drafting.text import Segment


def test_an_agenda_opens_only_the_question_its_last_sentence_asks():
    agenda = (
        "We'll do the four questions: what we intended, what happened, the gap, and whether it's avoidable, "
        "a constraint, or an experiment. And at the end, one person per learning. First: what did we intend?"
    )
    assert questions_asked(agenda) == [1]
    listed = (
        "Four questions, in this order: what did we intend, what actually happened, what's the gap between "
        "them, and is the gap avoidable, an inherent constraint, or an experiment."
    )
    assert questions_asked(listed) == []


def test_deferring_to_a_later_question_does_not_open_it():
    assert questions_asked("That's a useful detail. Hold it for the gap.") == []
    assert questions_asked("Before the fourth question — Chikondi, you had your hand up.") == []
    assert questions_asked("Third question: the gap.") == [3]


def test_segments_are_labelled_with_the_question_the_facilitator_opened():
    segments = [
        Segment(0, "Ana", "Hi all."),
        Segment(1, "Ana", "What did we intend?"),
        Segment(2, "Bo", "We intended 50 sign-ups."),
        Segment(3, "Bo", "So what actually happened? We got 12."),  # not the facilitator: no boundary
        Segment(4, "Ana", "What actually happened?"),
        Segment(5, "Bo", "12."),
        Segment(6, "Ana", "Third question: the gap."),
        Segment(7, "Ana", "Let's go back to what we intended to happen, briefly."),  # never moves back
    ]
    labelled = assign_questions(segments, facilitator="Ana")
    assert [s.question for s in labelled] == [0, 1, 1, 1, 2, 2, 3, 3]


def test_questions_recorded_live_are_kept():
    segments = [Segment(0, "Ana", "Third question: the gap.", question=1)]
    assert assign_questions(segments, facilitator="Ana")[0].question == 1


def test_owners_come_from_taking_it_on_or_being_named():
    segments = [
        Segment(0, "Ana", "Who carries it?"),
        Segment(1, "Bo Li", "Me. I'll write it up."),
        Segment(2, "Ana", "Bo owns the checklist. Cy, will you carry the experiment note?"),
        Segment(3, "Ana", "And I'll own my part in this."),  # owning a part of the blame is not a learning
        Segment(4, "Dee", "I'll bring it to the board. Not owning it, just bringing it."),
    ]
    found = owner_statements(segments, participants=["Ana Ruiz", "Bo Li", "Cy Park", "Dee Fox"])
    assert found == [(1, "Bo Li"), (2, "Bo Li"), (2, "Cy Park")]
