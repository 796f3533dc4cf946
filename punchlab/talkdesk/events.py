"""A simulated day at the contact center: a seeded schedule of agent events and a shared clock.

Each agent logs in around 08:00, logs out for lunch around 12:30 and back in an hour later,
sometimes goes `away` for a short break, and logs out around 17:00. The same seed always gives
the same day. `SimulatedClock` is the time the live mock stamps punches with: the runner sets it
to each event's time, so the time sheet shows the day as it was scheduled.

```python
clock = SimulatedClock("2026-03-02T07:00:00+00:00")
server = MockServer(mode="live", users=40, now=clock)
events = day_schedule(range(1, 41), day="2026-03-02", seed=7)
account.automation_engine.run_events(events, clock=clock)
```
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from ..times import parse_time, utc_iso
from .automation import Event

__all__ = ["SimulatedClock", "day_schedule"]


class SimulatedClock:
    """A clock that shows the time it is set to: pass it as `MockServer(now=clock)`.

    ```python
    clock = SimulatedClock("2026-03-02T08:00:00Z")
    clock()                          # datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    clock.set("2026-03-02T17:00:00Z")
    ```
    """

    def __init__(self, start: datetime | str | None = None) -> None:
        self.now = datetime.now(UTC)
        self.set(start)

    def __call__(self) -> datetime:
        return self.now

    def __repr__(self) -> str:
        return f"SimulatedClock({utc_iso(self.now)!r})"

    def set(self, moment: datetime | str | None) -> None:
        """Show `moment` (UTC ISO 8601 text or a datetime; `None` means the real time now)."""
        self.now = parse_time(moment) if moment is not None else datetime.now(UTC)


def day_schedule(
    agent_ids: Iterable[int],
    *,
    day: date | str = "2026-03-02",
    seed: int = 0,
    lunch: bool = True,
    away_rate: float = 0.5,
) -> list[Event]:
    """Login, status and logout events of `agent_ids` over one day (UTC), sorted by time.

    Shifts start 07:30-08:30 and end 16:30-17:30; with `lunch`, agents log out for about an
    hour around 12:30; a share `away_rate` of them is `away` for 10-20 minutes mid-morning.
    """
    start = datetime.combine(
        date.fromisoformat(day) if isinstance(day, str) else day, datetime.min.time(), UTC
    )
    rng = random.Random(seed)

    def at(hour: float, spread_minutes: float) -> datetime:
        offset = hour * 60 + rng.uniform(-spread_minutes, spread_minutes)
        return start + timedelta(minutes=round(offset))

    events: list[tuple[datetime, int, Event]] = []
    order = 0

    def add(moment: datetime, name: str, agent_id: int, status: str | None = None) -> None:
        nonlocal order
        events.append((moment, order, Event(name, agent_id, utc_iso(moment), status)))
        order += 1

    for agent_id in agent_ids:
        add(at(8, 30), "login", agent_id)
        if rng.random() < away_rate:
            away = at(10, 45)
            add(away, "status", agent_id, "away")
            add(away + timedelta(minutes=rng.randint(10, 20)), "status", agent_id, "available")
        if lunch:
            out = at(12.5, 30)
            add(out, "logout", agent_id)
            add(out + timedelta(minutes=rng.randint(45, 75)), "login", agent_id)
        add(at(17, 30), "logout", agent_id)
    return [event for _, _, event in sorted(events, key=lambda item: item[:2])]
