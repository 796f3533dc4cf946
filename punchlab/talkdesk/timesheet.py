"""Time sheets from the live mock's punch ledger: shifts, hours per agent, a timeline plot.

A shift is a check-in and the check-out that follows it. A check-in with no check-out yet is an
**open** shift; a check-out with no check-in before it is an **anomaly** (for example, punches
exported from a clock that was started mid-shift). The live mock's own ledger alternates in and
out per user, so when a login punch fails there the logout punch is taken as a check-in: the
shift shows up open, from the logout's time.

```python
frame = shifts(server.ledger.records())        # one row per shift
hours(frame)                                   # hours worked per agent
timeline(frame)                                # a matplotlib Figure, one bar per shift
```
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..errors import ValidationError
from ..times import parse_time

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["hours", "shifts", "timeline"]

SHIFT_COLUMNS = ["user_id", "name", "check_in", "check_out", "hours", "open", "anomaly"]


def shifts(
    punches: Iterable[Mapping[str, Any]], *, until: datetime | str | None = None
) -> pd.DataFrame:
    """Pair each agent's punches (`user_id`, `name`, `type` in/out, `time`) into shifts.

    Punches are read in time order per user. `hours` of an open shift runs to `until` (default:
    the latest punch in the ledger) so a time sheet taken mid-shift still counts it.
    """
    import pandas as pd

    rows: list[dict[str, Any]] = []
    by_user: dict[Any, list[tuple[datetime, int, Mapping[str, Any]]]] = {}
    latest: datetime | None = None
    for index, punch in enumerate(punches):
        where = f"punch {punch.get('id', index + 1)}"
        kind = punch.get("type")
        if kind not in ("in", "out"):
            raise ValidationError(f"type must be 'in' or 'out', not {kind!r}", where=where)
        moment = parse_time(punch.get("time"), where=where)
        latest = moment if latest is None or moment > latest else latest
        by_user.setdefault(punch.get("user_id"), []).append((moment, index, punch))
    end = parse_time(until, where="until") if until is not None else latest
    for user_id, items in by_user.items():
        open_in: tuple[datetime, str] | None = None
        for moment, _, punch in sorted(items, key=lambda item: item[:2]):
            name = str(punch.get("name", ""))
            if punch["type"] == "in":
                if open_in is not None:  # two check-ins in a row: the first never closed
                    rows.append(_row(user_id, open_in[1], open_in[0], None, end, anomaly=True))
                open_in = (moment, name)
            elif open_in is None:
                rows.append(_row(user_id, name, None, moment, end, anomaly=True))
            else:
                rows.append(_row(user_id, open_in[1], open_in[0], moment, end, anomaly=False))
                open_in = None
        if open_in is not None:
            rows.append(_row(user_id, open_in[1], open_in[0], None, end, anomaly=False))
    frame = pd.DataFrame.from_records(rows, columns=SHIFT_COLUMNS)
    frame["check_in"] = pd.to_datetime(frame["check_in"], utc=True)
    frame["check_out"] = pd.to_datetime(frame["check_out"], utc=True)
    return frame.sort_values(
        ["user_id", "check_in"], na_position="first", kind="stable"
    ).reset_index(drop=True)


def _row(
    user_id: Any,
    name: str,
    check_in: datetime | None,
    check_out: datetime | None,
    end: datetime | None,
    *,
    anomaly: bool,
) -> dict[str, Any]:
    is_open = check_in is not None and check_out is None and not anomaly
    stop = check_out if check_out is not None else (end if is_open else None)
    worked = (stop - check_in).total_seconds() / 3600 if check_in and stop else None
    return {
        "user_id": user_id,
        "name": name,
        "check_in": check_in,
        "check_out": check_out,
        "hours": worked,
        "open": is_open,
        "anomaly": anomaly,
    }


def hours(shift_frame: pd.DataFrame) -> pd.DataFrame:
    """Hours per agent from `shifts(...)`: `shifts`, `hours`, `open` and `anomalies` columns."""
    import pandas as pd

    columns = ["user_id", "name", "shifts", "hours", "open", "anomalies"]
    if shift_frame.empty:
        return pd.DataFrame(columns=columns)
    grouped = shift_frame.groupby(["user_id"], sort=True)
    frame = pd.DataFrame(
        {
            "name": grouped["name"].first(),
            "shifts": grouped.size(),
            "hours": grouped["hours"].sum(min_count=1).fillna(0.0).round(2),
            "open": grouped["open"].sum().astype(int),
            "anomalies": grouped["anomaly"].sum().astype(int),
        }
    ).reset_index()
    return frame[columns]


def timeline(shift_frame: pd.DataFrame, *, title: str = "Shifts") -> Figure:
    """A Gantt-style timeline: one row per agent, one bar per shift (open shifts hatched).

    Anomalies (a check-out with no check-in) have no start, so they show as a red tick.
    """
    from matplotlib.dates import DateFormatter, HourLocator, date2num
    from matplotlib.figure import Figure

    names = shift_frame.drop_duplicates("user_id").sort_values("user_id")
    rows = {uid: i for i, uid in enumerate(names["user_id"])}
    figure = Figure(figsize=(10, max(2.0, 0.35 * len(rows) + 1)))
    axes = figure.add_subplot()
    for record in shift_frame.itertuples():
        y = rows[record.user_id]
        if record.check_in is not None and not _missing(record.check_in) and record.hours:
            start = date2num(record.check_in)
            width = record.hours / 24
            axes.barh(
                y,
                width,
                left=start,
                height=0.6,
                color="#f0ad4e" if record.open else "#2c7be5",
                hatch="//" if record.open else None,
            )
        elif not _missing(record.check_out):
            axes.plot(date2num(record.check_out), y, marker="|", color="#cf222e", markersize=14)
    axes.set_yticks(list(rows.values()))
    axes.set_yticklabels(
        [f"{n} ({u})" for u, n in zip(names["user_id"], names["name"], strict=True)]
    )
    axes.invert_yaxis()
    axes.xaxis.set_major_locator(HourLocator(tz=UTC))
    axes.xaxis.set_major_formatter(DateFormatter("%H:%M", tz=UTC))
    axes.set_xlabel("time (UTC)")
    axes.set_title(title)
    axes.grid(axis="x", alpha=0.3)
    figure.tight_layout()
    return figure


def _missing(value: Any) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))
