"""Reminder points: pure date arithmetic, no database.

A claim with a deadline has "upcoming" points at each lead time before it
(settings.REMINDER_LEAD_DAYS), a "due" point on the day itself, and "overdue" points
every REMINDER_OVERDUE_EVERY_DAYS after it, for as long as it stays open. A point is
an offset in days from deadline_end; it falls due at midnight of its day on the
newsroom's calendar (settings.TIME_ZONE), so "days" never depend on the server's zone
or on daylight-saving changes.

The overdue series has no end, so rows are never created for all of it: a claim holds
rows for the latest point that has already fallen due (if any) and for the points still
ahead, up to the next overdue one. Each sweep that handles a due row extends the series.

The arithmetic never leaves the calendar: only deadlines the register accepts
(claims.models.EARLIEST_DATE to LATEST_DATE) have points, and settings bound the lead
times and the overdue interval, so every point is centuries away from year 1 and year
9999. A row that holds another deadline (written before the rule, or by raw SQL) is left
out of the schedule instead of crashing every sweep with an OverflowError.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from claims.models import EARLIEST_DATE, LATEST_DATE


@dataclass(frozen=True)
class Point:
    offset_days: int
    day: datetime.date

    @property
    def due_at(self) -> datetime.datetime:
        return start_of_day(self.day)


def start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight of `day` in the newsroom's zone, as an aware datetime.

    Where a zone skips midnight (a few switch to summer time at 00:00), zoneinfo reads the
    missing time with the offset in force before the switch: still an instant of that day.
    """
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), timezone.get_default_timezone())


# How many overdue points back a sweep looks for claims without a pending row: two years
# at the default weekly interval. Older ones (a typo like a deadline in 1900 would
# otherwise mean thousands of dates on every sweep) are scheduled by
# `sweep_deadlines --backfill`.
OVERDUE_LOOKBACK_POINTS = 104


def lead_days() -> list[int]:
    """The lead times, longest first: settings (factcheck.env.env_int_list) already sorted and deduplicated them."""
    return list(settings.REMINDER_LEAD_DAYS)


def overdue_every() -> int:
    return settings.REMINDER_OVERDUE_EVERY_DAYS


def fixed_offsets() -> list[int]:
    """The points every deadline has once: each lead time before it, and the day itself."""
    return [-days for days in lead_days()] + [0]


def has_points(deadline: datetime.date) -> bool:
    """Whether a deadline is one the register accepts, and so has reminder points."""
    return EARLIEST_DATE <= deadline <= LATEST_DATE


def points_to_schedule(deadline: datetime.date, today: datetime.date) -> list[Point]:
    """The points a claim should hold rows for on `today`: the latest one already due, and those ahead.

    Older points that are already past are left out: when a claim is created (or its
    deadline moved) today, nobody needs a reminder that was due before it existed. Rows
    that were scheduled earlier and missed (an outage) are skipped by the sweep instead.
    A deadline outside the register's dates has none (see the module's docstring).
    """
    if not has_points(deadline):
        return []
    every = overdue_every()
    elapsed = (today - deadline).days
    offsets = set(fixed_offsets())
    if elapsed >= every:
        latest_overdue = elapsed // every * every
        offsets |= {latest_overdue, latest_overdue + every}
    else:
        offsets.add(every)
    past = [offset for offset in offsets if offset <= elapsed]
    ahead = sorted(offset for offset in offsets if offset > elapsed)
    chosen = ([max(past)] if past else []) + ahead
    return [Point(offset, deadline + datetime.timedelta(days=offset)) for offset in chosen]


def deadlines_with_a_point_on(day: datetime.date, earliest_deadline: datetime.date | None) -> list[datetime.date]:
    """Every deadline_end that has a reminder point falling on `day`.

    Used to find claims that hold no pending reminder row (written around claims.services,
    or before reminders existed) exactly when one of their points falls due, so that the
    sweep's cost follows what is due, not the size of the claim table. The overdue series
    is followed back to `earliest_deadline` but at most OVERDUE_LOOKBACK_POINTS points, so
    the list stays short whatever dates the register holds.
    """
    deadlines = [day - datetime.timedelta(days=offset) for offset in fixed_offsets()]
    if earliest_deadline is not None:
        every = overdue_every()
        for n in range(1, OVERDUE_LOOKBACK_POINTS + 1):
            deadline = day - datetime.timedelta(days=n * every)
            if deadline < earliest_deadline:
                break
            deadlines.append(deadline)
    return deadlines
