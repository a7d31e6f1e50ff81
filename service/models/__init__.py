"""Every table of the record. Importing this package registers them all on ``Base.metadata``."""

# Registers the hook that bumps reviews.revision with every change the review room shows.
import service.models.revision  # noqa: F401
from service.models.accounts import ApiToken, PasswordReset, ReviewInvite
from service.models.audit import AuditEvent
from service.models.drafts import Draft, DraftDecision, LLMCall
from service.models.failures import Answer, Failure
from service.models.learnings import Learning
from service.models.links import Pattern, PatternMember, SimilarityLink
from service.models.people import Person, Team, TeamMember
from service.models.recordings import Recording, RecordingSpeaker, RecordingStatus
from service.models.reviews import Participant, Review
from service.models.segments import Segment
from service.models.vocabulary import (
    Category,
    DraftDecisionKind,
    DraftKind,
    Grounding,
    LearningKind,
    LearningStatus,
    LinkStatus,
    PatternStatus,
    Question,
    ReviewStatus,
    Role,
    SegmentSource,
    ShareLevel,
)

__all__ = [
    "Answer",
    "ApiToken",
    "AuditEvent",
    "Category",
    "Draft",
    "DraftDecision",
    "DraftDecisionKind",
    "DraftKind",
    "Failure",
    "Grounding",
    "LLMCall",
    "Learning",
    "LearningKind",
    "LearningStatus",
    "LinkStatus",
    "Participant",
    "PasswordReset",
    "Pattern",
    "PatternMember",
    "PatternStatus",
    "Person",
    "Question",
    "Recording",
    "RecordingSpeaker",
    "RecordingStatus",
    "Review",
    "ReviewInvite",
    "ReviewStatus",
    "Role",
    "Segment",
    "SegmentSource",
    "ShareLevel",
    "SimilarityLink",
    "Team",
    "TeamMember",
]
