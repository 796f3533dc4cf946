from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from punchlab import MockServer, SimulatedClock  # noqa: E402
from punchlab.errors import ValidationError  # noqa: E402
from punchlab.talkdesk.timesheet import hours, shifts, timeline  # noqa: E402


def punch(clock: SimulatedClock, server: MockServer, user_id: int, at: str) -> None:
    clock.set(at)
    with server.client() as http:
        assert http.post(f"/user/{user_id}/punch-clock").status_code == 200


@pytest.fixture
def ledger():
    """Two closed shifts for user 1 (a lunch break), one open shift for user 2, from the mock."""
    clock = SimulatedClock("2026-03-02T00:00:00Z")
    server = MockServer(mode="live", now=clock)
    for user_id, at in [
        (1, "2026-03-02T08:00:00Z"),
        (2, "2026-03-02T09:00:00Z"),
        (1, "2026-03-02T12:00:00Z"),
        (1, "2026-03-02T13:00:00Z"),
        (1, "2026-03-02T17:30:00Z"),
    ]:
        punch(clock, server, user_id, at)
    return server.ledger.records()


def test_shifts_pair_check_ins_and_check_outs(ledger) -> None:
    frame = shifts(ledger)
    assert list(frame["user_id"]) == [1, 1, 2]
    assert list(frame["hours"]) == [4.0, 4.5, 8.5]  # user 2's open shift runs to the last punch
    assert list(frame["open"]) == [False, False, True]
    assert not frame["anomaly"].any()
    assert frame["check_out"].isna().tolist() == [False, False, True]


def test_open_shift_until_a_given_time(ledger) -> None:
    frame = shifts(ledger, until="2026-03-02T10:00:00Z")
    assert frame.loc[frame["open"], "hours"].tolist() == [1.0]


def test_out_before_in_is_an_anomaly() -> None:
    punches = [
        {"user_id": 3, "name": "Gregory", "type": "out", "time": "2026-03-02T07:00:00Z"},
        {"user_id": 3, "name": "Gregory", "type": "in", "time": "2026-03-02T08:00:00Z"},
        {"user_id": 3, "name": "Gregory", "type": "in", "time": "2026-03-02T09:00:00Z"},
        {"user_id": 3, "name": "Gregory", "type": "out", "time": "2026-03-02T10:00:00Z"},
    ]
    frame = shifts(punches)
    assert list(frame["anomaly"]) == [True, True, False]
    assert frame["hours"].tolist()[2] == 1.0
    table = hours(frame)
    assert table.to_dict("records") == [
        {"user_id": 3, "name": "Gregory", "shifts": 3, "hours": 1.0, "open": 0, "anomalies": 2}
    ]


def test_bad_punch_says_where() -> None:
    with pytest.raises(ValidationError, match="punch 7"):
        shifts([{"id": 7, "user_id": 1, "type": "lunch", "time": "2026-03-02T08:00:00Z"}])
    with pytest.raises(ValidationError, match="ISO 8601"):
        shifts([{"id": 1, "user_id": 1, "type": "in", "time": "eight o'clock"}])


def test_hours_per_agent(ledger) -> None:
    table = hours(shifts(ledger))
    assert table[["user_id", "shifts", "hours", "open"]].to_dict("records") == [
        {"user_id": 1, "shifts": 2, "hours": 8.5, "open": 0},
        {"user_id": 2, "shifts": 1, "hours": 8.5, "open": 1},
    ]
    assert hours(shifts([])).empty


def test_timeline_has_one_bar_per_shift_and_one_row_per_agent(ledger) -> None:
    from matplotlib.figure import Figure

    frame = shifts(ledger)
    figure = timeline(frame, title="Monday")
    assert isinstance(figure, Figure)
    axes = figure.axes[0]
    assert len(axes.patches) == len(frame) == 3
    assert len(axes.get_yticklabels()) == 2
    assert axes.get_title() == "Monday"
