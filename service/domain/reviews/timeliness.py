"""The method's 48-72 hour window, as plain functions of the review's times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Timeliness(StrEnum):
    DUE = "due"  # not held yet, still inside the window
    OVERDUE = "overdue"  # not held yet, past the due time
    ON_TIME = "on_time"  # held before the due time
    LATE = "late"  # held after the due time


@dataclass(frozen=True)
class Window:
    state: Timeliness
    due_at: datetime
    hours_to_due: float  # negative once past due; measured at `held_at` when the review was held

    @property
    def label(self) -> str:
        hours = abs(self.hours_to_due)
        span = f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.0f} h"
        return {
            Timeliness.DUE: f"due in {span}",
            Timeliness.OVERDUE: f"overdue by {span}",
            Timeliness.ON_TIME: "held on time",
            Timeliness.LATE: f"held {span} late",
        }[self.state]


def window(*, due_at: datetime, held_at: datetime | None, now: datetime) -> Window:
    """Say where a review stands against its due time."""
    reference = held_at or now
    hours = (due_at - reference) / timedelta(hours=1)
    if held_at is not None:
        state = Timeliness.ON_TIME if held_at <= due_at else Timeliness.LATE
    else:
        state = Timeliness.DUE if now <= due_at else Timeliness.OVERDUE
    return Window(state=state, due_at=due_at, hours_to_due=hours)
