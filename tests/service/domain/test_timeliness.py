from datetime import UTC, datetime, timedelta

from service.domain.reviews.timeliness import Timeliness, window

FAILED = datetime(2026, 11, 20, 12, tzinfo=UTC)
DUE = FAILED + timedelta(hours=72)


def test_not_held_and_inside_the_window_is_due():
    w = window(due_at=DUE, held_at=None, now=FAILED + timedelta(hours=50))
    assert w.state == Timeliness.DUE and w.label == "due in 22 h"


def test_not_held_and_past_the_window_is_overdue():
    w = window(due_at=DUE, held_at=None, now=DUE + timedelta(hours=60))
    assert w.state == Timeliness.OVERDUE and w.label == "overdue by 2.5 days"


def test_held_inside_the_window_is_on_time_whatever_now_is():
    w = window(due_at=DUE, held_at=FAILED + timedelta(hours=48), now=DUE + timedelta(days=30))
    assert w.state == Timeliness.ON_TIME and w.hours_to_due == 24


def test_held_after_the_window_is_late():
    w = window(due_at=DUE, held_at=DUE + timedelta(hours=5), now=DUE + timedelta(days=1))
    assert w.state == Timeliness.LATE and w.label == "held 5 h late"
