"""Debrief: after-action reviews where AI drafts and humans decide."""

__version__ = "0.1.0"
