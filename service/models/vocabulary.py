"""The method's vocabulary as enumerations: one spelling everywhere (database, API, exports)."""

from __future__ import annotations

from enum import IntEnum, StrEnum

from sqlalchemy import CheckConstraint


class Question(IntEnum):
    """The four questions, in the order the method asks them."""

    INTENDED = 1
    ACTUAL = 2
    GAP = 3
    CATEGORY = 4

    @property
    def key(self) -> str:
        return self.name.lower()

    @property
    def prompt(self) -> str:
        return QUESTION_TEXT[self]


QUESTION_TEXT = {
    Question.INTENDED: "What did we intend to happen?",
    Question.ACTUAL: "What actually happened?",
    Question.GAP: "What gap exists between the two?",
    Question.CATEGORY: "Is the gap due to an avoidable process/assumption failure, an inherent "
    "constraint, or a necessary experiment?",
}


class Category(StrEnum):
    AVOIDABLE = "avoidable"
    INHERENT = "inherent"
    EXPERIMENT = "experiment"


class LearningKind(StrEnum):
    PROCESS_CHANGE = "process_change"
    NAMED_CONSTRAINT = "named_constraint"
    EXPERIMENT_KNOWLEDGE = "experiment_knowledge"

    @classmethod
    def for_category(cls, category: Category) -> LearningKind:
        """Avoidable → change the process; inherent → name the constraint; experiment → keep what was learned."""
        return {
            Category.AVOIDABLE: cls.PROCESS_CHANGE,
            Category.INHERENT: cls.NAMED_CONSTRAINT,
            Category.EXPERIMENT: cls.EXPERIMENT_KNOWLEDGE,
        }[category]


class ReviewStatus(StrEnum):
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


class Role(StrEnum):
    ADMIN = "admin"
    FACILITATOR = "facilitator"
    PARTICIPANT = "participant"
    READER = "reader"


class ShareLevel(StrEnum):
    TITLE_AND_GAP = "title_and_gap"
    NOTHING = "nothing"


class SegmentSource(StrEnum):
    LIVE = "live"
    UPLOAD = "upload"
    TYPED = "typed"


class DraftKind(StrEnum):
    ANSWER = "answer"
    LEARNING = "learning"


class Grounding(StrEnum):
    """How far a draft can be trusted: checked by code, never taken from the model's word."""

    GROUNDED = "grounded"
    EXTRACTIVE = "extractive"
    UNVERIFIED = "unverified"


class DraftDecisionKind(StrEnum):
    ACCEPTED = "accepted"
    EDITED = "edited"
    REJECTED = "rejected"


class LearningStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class LinkStatus(StrEnum):
    HYPOTHESIS = "hypothesis"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class PatternStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    EDITED = "edited"
    REJECTED = "rejected"


def one_of(column: str, values: type[StrEnum], *, name: str, nullable: bool = False) -> CheckConstraint:
    """A CHECK constraint that keeps a text column inside an enumeration on every engine."""
    allowed = ", ".join(f"'{v.value}'" for v in values)
    condition = f"{column} IN ({allowed})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return CheckConstraint(condition, name=name)
