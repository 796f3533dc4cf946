"""Times in the lab: UTC, ISO 8601, to the second (`2026-03-02T08:00:00+00:00`).

One rule for every module that reads or writes a time (the live mock's punches, Automation
events, the simulated clock, time sheets): text without an offset is UTC, like the tutorial's
own timestamps; a `datetime` without a time zone is this machine's local time, as Python says.

```python
>>> utc_iso("2026-03-02T08:00:00Z")
'2026-03-02T08:00:00+00:00'
>>> parse_time("2026-03-02T09:00:00+01:00").hour
8
>>> clock_time("2026-03-02T17:00:00Z", today="2026-03-03T08:00:00Z")
'Mon 17:00'
```
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from .errors import ValidationError

__all__ = ["clock_time", "parse_time", "utc_iso"]


def parse_time(value: Any, *, where: str = "time") -> datetime:
    """`value` (ISO 8601 text or a `datetime`) as an aware UTC `datetime`.

    Text that is not ISO 8601 raises `ValidationError` naming `where`.
    """
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.astimezone()
    else:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValidationError(f"{value!r} is not an ISO 8601 time", where=where) from exc
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def utc_iso(moment: datetime | str | None = None, *, where: str = "time") -> str:
    """`moment` (default: now) as UTC ISO 8601 text to the second."""
    found = datetime.now(UTC) if moment is None else parse_time(moment, where=where)
    return found.isoformat(timespec="seconds")


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def clock_time(moment: datetime | str, *, today: datetime | str) -> str:
    """`moment` as a wall clock shows it next to `today`'s: `17:00` on the same (UTC) day,
    `Mon 17:00` within a week of it, `2026-03-02 17:00` further away.

    ```python
    clock_time("2026-03-03T09:00:00Z", today="2026-03-03T08:00:00Z")   # '09:00'
    ```
    """
    found, day = parse_time(moment), parse_time(today).date()
    if found.date() == day:
        return found.strftime("%H:%M")
    if abs(found.date() - day) < timedelta(days=7):
        return f"{_DAYS[found.weekday()]} {found:%H:%M}"  # not %a: that follows the locale
    return found.strftime("%Y-%m-%d %H:%M")
