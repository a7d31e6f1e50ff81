import pytest

from service.domain.drafting.blame import blame_flags
from service.domain.drafting.text import Segment

BLAME = [
    "If marketing had done their job, we'd have hit the number.",
    "If the board had approved the summary in April we'd have hit 40. That's on them.",
    "Honestly, the gap is nights. This keeps happening because night shift doesn't write things down.",
    "If IT had listened to the program side back in October, we'd have had other options.",
    "Honestly, Fire just sits on these. They don't care about small businesses.",
]
HARMLESS = [
    "It's nobody's fault, the config service rolls out globally.",
    "Each region is its own fault domain, so the blast radius was one region.",
    "Honestly, because the tool's default was 30 users and I didn't change it.",
    "If we'd ordered in July instead of September, the delay wouldn't have mattered.",
    "But \"Fire doesn't care\" doesn't help us, and it isn't what the numbers say.",
    "For the voice notes, the gap is different.",
]


@pytest.mark.parametrize("text", BLAME)
def test_blame_is_flagged_with_a_system_focused_rewording(text):
    [flag] = blame_flags([Segment(3, "Sam", text)])
    assert flag.segment_id == 3
    assert flag.target in flag.rewording and "process" in flag.rewording


@pytest.mark.parametrize("text", HARMLESS)
def test_look_alikes_are_not_flagged(text):
    assert blame_flags([Segment(0, "Sam", text)]) == []
