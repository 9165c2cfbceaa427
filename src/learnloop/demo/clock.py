"""The demo's one clock.

Every date the demo writes is counted from the start of today, so the organization always looks
current and a rerun on the same day reproduces it exactly. The builders never read the real
clock: they ask this one for moments and pass them to the services as `at=` (or `created_at=`,
`held_on=`, ... where a service names the date it stores), the way an import replays history.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone


@dataclass(frozen=True)
class DemoClock:
    today: datetime  # the start of today, in the site's time zone

    @classmethod
    def starting_today(cls) -> "DemoClock":
        return cls(today=timezone.make_aware(datetime.combine(timezone.localdate(), time.min)))

    @property
    def date(self) -> date:
        return self.today.date()

    def days_ago(self, days: float) -> datetime:
        """The start of the day `days` days before today (a negative number is in the future)."""
        return self.today - timedelta(days=days)

    def on(self, day: date, hour: int = 0, minute: int = 0) -> datetime:
        """A moment on a given day, in the site's time zone."""
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))
