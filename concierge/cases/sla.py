"""Business-hours arithmetic for SLA clocks, in each property's own time zone.

A property's service team works set hours (BusinessHours, or 08:00–22:00 daily when none are set). "Respond
within 4 business hours" opened at 21:00 in Shanghai is due at 11:00 the next morning: one hour that
evening, three the next day. Days are walked in the property's local calendar and every interval is turned
into an aware UTC range, so daylight-saving changes (for properties in such zones) are handled by zoneinfo.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from concierge.cases.models import BusinessHours, SlaPolicy, default_weekly_hours

# A policy of a few weeks with one open hour a week still fits; beyond that the configuration is wrong.
_MAX_DAYS = 800


@dataclass(frozen=True)
class BusinessCalendar:
    """Opening intervals per weekday (local times), holidays, and the time zone they are in."""

    zone: ZoneInfo
    weekly: dict[int, list[tuple[dt.time, dt.time]]]
    holidays: frozenset[dt.date] = frozenset()

    @classmethod
    def for_property(cls, property_: object) -> BusinessCalendar:
        """The calendar of a property: its BusinessHours row, or the default hours, in its time zone."""
        hours = BusinessHours.objects.filter(property=property_).first()
        if hours is None:
            hours = BusinessHours(weekly=default_weekly_hours())
        return cls(ZoneInfo(getattr(property_, "timezone", None) or "UTC"), hours.intervals(), hours.holiday_dates())

    def windows(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The open intervals of local `day` as aware UTC datetimes."""
        if day in self.holidays:
            return []
        result = []
        for start, end in self.weekly.get(day.weekday(), []):
            begin = dt.datetime.combine(day, start, tzinfo=self.zone)
            if end == dt.time.max:  # "24:00": until the next local midnight
                finish = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=self.zone)
            else:
                finish = dt.datetime.combine(day, end, tzinfo=self.zone)
            result.append((begin.astimezone(dt.UTC), finish.astimezone(dt.UTC)))
        return result

    def add_minutes(self, start: dt.datetime, minutes: int) -> dt.datetime:
        """The moment `minutes` business minutes after `start` (0 minutes: the next open moment)."""
        remaining = dt.timedelta(minutes=minutes)
        day = start.astimezone(self.zone).date()
        for _day in range(_MAX_DAYS):
            for begin, finish in self.windows(day):
                if finish <= start:
                    continue
                begin = max(begin, start)
                available = finish - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            day += dt.timedelta(days=1)
        raise ValidationError(_("The business hours leave no time to meet this SLA target."), code="no_hours")

    def minutes_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Whole business minutes between two moments (0 if `end` is not after `start`)."""
        if end <= start:
            return 0
        total = dt.timedelta(0)
        day = start.astimezone(self.zone).date()
        last = end.astimezone(self.zone).date()
        while day <= last:
            for begin, finish in self.windows(day):
                overlap = min(finish, end) - max(begin, start)
                if overlap > dt.timedelta(0):
                    total += overlap
            day += dt.timedelta(days=1)
        return int(total.total_seconds() // 60)


def sla_policy_for(*, property_: object, case_type: str, priority: str) -> SlaPolicy | None:
    """The active policy for this hotel, type and priority: the hotel's own, else the group-wide one."""
    candidates = SlaPolicy.objects.filter(case_type=case_type, priority=priority, is_active=True).filter(
        property__isnull=True
    ) | SlaPolicy.objects.filter(case_type=case_type, priority=priority, is_active=True, property=property_)
    return min(candidates, key=lambda p: p.property_id is None, default=None)
