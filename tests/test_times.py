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
