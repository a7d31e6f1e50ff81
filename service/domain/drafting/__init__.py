"""Drafting the four answers, the category, the learning and blame flags from a review's transcript.

Extractive-first and structure-first: evidence is selected in code and the speakers' own words carry
the draft; a model writes prose only where its text passes the grounding checker.
"""

from service.domain.drafting.call import draft_call
from service.domain.drafting.review import QuestionDraft, draft_learning, draft_question
from service.domain.drafting.text import Segment

__all__ = ["QuestionDraft", "Segment", "draft_call", "draft_learning", "draft_question"]
