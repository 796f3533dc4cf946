"""One rule for time: UTC ISO 8601 text in, timezone-aware datetimes out (`punchlab.times`)."""

from __future__ import annotations

from datetime import UTC, datetime

from punchlab.talkdesk.account import Account


def test_a_naive_datetime_is_local_time(account: Account) -> None:
    from punchlab.times import utc_iso

    local = datetime(2026, 3, 2, 10, 30)
    assert utc_iso(local) == local.astimezone(UTC).isoformat(timespec="seconds")
    assert utc_iso("2026-03-02T10:30:00") == "2026-03-02T10:30:00+00:00"  # text: UTC


def test_one_time_rule_for_punches_events_and_time_sheets() -> None:
    import pytest

    from punchlab.errors import ValidationError
    from punchlab.talkdesk.events import SimulatedClock
    from punchlab.times import parse_time, utc_iso

    assert utc_iso("2026-03-02T09:00:00+01:00") == "2026-03-02T08:00:00+00:00"
    assert parse_time("2026-03-02T08:00:00Z") == datetime(2026, 3, 2, 8, tzinfo=UTC)
    assert SimulatedClock("2026-03-02T08:00:00Z")() == datetime(2026, 3, 2, 8, tzinfo=UTC)
    with pytest.raises(ValidationError, match="punch 3: 'soon' is not an ISO 8601 time"):
        parse_time("soon", where="punch 3")


def test_a_clock_time_names_the_day_only_when_it_is_not_today() -> None:
    from punchlab.times import clock_time

    today = "2026-03-03T08:00:00Z"  # a Tuesday
    assert clock_time("2026-03-03T17:30:00Z", today=today) == "17:30"
    assert clock_time("2026-03-02T17:00:00Z", today=today) == "Mon 17:00"
    assert clock_time("2026-03-04T00:10:00+00:00", today=today) == "Wed 00:10"
    assert clock_time("2026-03-03T00:30:00+01:00", today=today) == "Mon 23:30"  # UTC's day
    assert clock_time("2026-02-20T09:00:00Z", today=today) == "2026-02-20 09:00"
