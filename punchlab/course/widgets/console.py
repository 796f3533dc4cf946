"""The agent console: one row per agent with Log in / Log out, the runs and punches underneath.

```python
console = AgentConsole(account, at=clock, punches=server.ledger, step=timedelta(hours=1))
console                                  # shows it in a notebook
console.login_buttons[1].click()         # agent 1 logs in: the Automations run
console.states[1].value                  # 'available since 08:00' (the clock is now at 09:00)
console.history.value                    # the latest runs, newest first, as an HTML table
                                         # (times of another day read 'Mon 17:00')
console.snapshot()                       # a still copy for a cell's output
```
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import ipywidgets as widgets

from ...errors import PunchlabError
from ...talkdesk.account import Account
from ...talkdesk.automation import Run
from ...times import clock_time, utc_iso
from ._message import message_html, snapshot, table_html

__all__ = ["AgentConsole"]

_COLOURS = {"success": "#1a7f37", "skipped": "#57606a", "timeout": "#9a6700"}


class AgentConsole(widgets.VBox):
    """Log agents in and out with buttons; each click runs the account's Automations.

    **Parameters:**

    * `account`: the sandbox account (its agents and Automations).
    * `history_rows`: how many of the latest runs (and punches) the tables underneath show.
    * `at`: a callable giving each event's time (e.g. a `SimulatedClock`); default the real time.
    * `punches`: the mock's `PunchLedger`, to show the latest punches too.
    * `step`: with a `SimulatedClock` as `at`, move it on by `step` after each click (the event
      is stamped with the clock's time first), so that a log in and then a log out make a shift
      of that length.

    Times on the clock's current day show as `09:00`; others name their day, `Mon 17:00`, so
    that "newest first" reads right across days.
    """

    def __init__(
        self,
        account: Account,
        *,
        history_rows: int = 10,
        at: Callable[[], object] | None = None,
        punches: Any = None,
        step: timedelta | None = None,
    ) -> None:
        if step is not None and not hasattr(at, "set"):
            raise TypeError("step= needs a SimulatedClock as at=")
        self.account = account
        self.history_rows = history_rows
        self.at = at
        self.ledger = punches
        self.step = step
        self.login_buttons: dict[int, widgets.Button] = {}
        self.logout_buttons: dict[int, widgets.Button] = {}
        self.states: dict[int, widgets.HTML] = {}
        self.message = widgets.HTML()
        self.message.add_class("punchlab-message")
        self.history = widgets.HTML()
        self.history.add_class("punchlab-run-history")
        self.punches = widgets.HTML()
        self.punches.add_class("punchlab-punches")
        self.last_runs: list[Run] = []
        self._names = {agent.id: agent.name for agent in account.agents()}
        rows = [widgets.HTML("<b>Agents</b>")]
        for agent in account.agents():
            login = widgets.Button(description="Log in", button_style="success")
            logout = widgets.Button(description="Log out")
            login.on_click(lambda _b, agent_id=agent.id: self.event("login", agent_id))
            logout.on_click(lambda _b, agent_id=agent.id: self.event("logout", agent_id))
            # one width for every row, so the buttons line up; "available since Mon 08:00" fits
            state = widgets.HTML(layout=widgets.Layout(width="240px"))
            label = widgets.HTML(
                f"{html.escape(agent.name)} &lt;{html.escape(agent.email)}&gt;",
                layout=widgets.Layout(width="320px"),
            )
            self.login_buttons[agent.id] = login
            self.logout_buttons[agent.id] = logout
            self.states[agent.id] = state
            row = widgets.HBox([label, state, login, logout])
            row.add_class("punchlab-agent-row")
            rows.append(row)
        tables = [widgets.HTML("<b>Run history</b> (newest first)"), self.history]
        if punches is not None:
            tables += [widgets.HTML("<b>Punches</b> (newest first)"), self.punches]
        super().__init__([*rows, self.message, *tables])
        self.add_class("punchlab-agent-console")
        self.refresh()

    def event(self, name: str, agent_id: int) -> list[Run]:
        """What the buttons do: `name` is `login` or `logout`. Returns the event's runs."""
        engine = self.account.automation_engine
        at = self.at() if self.at is not None else None
        try:
            runs = engine.fire(name, agent_id, at=at)
        except PunchlabError as exc:  # e.g. an agent removed by a presenter's reset
            self.message.value = message_html(str(exc), ok=False)
            self.refresh()
            return []
        if self.step is not None:  # the event happened at the clock's time; then time passes
            self.at.set(at + self.step)
        self.last_runs = runs
        if not runs:
            text = f"agent {agent_id}: {name}, no Automation runs When this happens"
        else:
            text = "<br>".join(
                f'<span style="color:{_COLOURS.get(r.outcome, "#cf222e")}">'
                f"{html.escape(str(r))}</span>"
                for r in runs
            )
        self.message.value = text
        self.refresh()
        return runs

    def refresh(self) -> None:
        """Show each agent's state, the latest runs and the latest punches."""
        states = self.account.automation_engine.agent_states()
        for agent_id, widget in self.states.items():
            status, since = states.get(agent_id, ("offline", None))
            when = f" since {self._time(since)}" if since else ""
            widget.value = f"<code>{html.escape(status)}{html.escape(when)}</code>"
            self.login_buttons[agent_id].disabled = status != "offline"
            self.logout_buttons[agent_id].disabled = status == "offline"
        self.history.value = self._history_html()
        if self.ledger is not None:
            self.punches.value = self._punches_html()

    def _time(self, moment) -> str:
        """`09:00` on the clock's current day, `Mon 17:00` on another."""
        return clock_time(moment, today=self.at() if self.at is not None else utc_iso())

    def _history_html(self) -> str:
        frame = self.account.runs().tail(self.history_rows).iloc[::-1]
        if frame.empty:
            return "<i>no runs yet</i>"
        rows = []
        for run in frame.itertuples():
            colour = _COLOURS.get(run.outcome, "#cf222e")
            request = urlsplit(run.url).path if isinstance(run.url, str) else ""
            status = "" if run.status is None or str(run.status) == "<NA>" else str(run.status)
            cells = [
                str(run.run),
                self._time(run.at),
                self._names.get(run.agent_id, str(run.agent_id)),
                run.event,
                run.automation,
                f'<span style="color:{colour}">{html.escape(run.outcome)}</span>',
                status,
                request,
                run.message or "",
            ]
            rows.append([c if i == 5 else html.escape(c) for i, c in enumerate(cells)])
        headers = ["run", "at", "agent", "event", "automation", "outcome", "status", "path"]
        return table_html([*headers, "message"], rows, css_class="punchlab-runs")

    def _punches_html(self) -> str:
        records = self.ledger.records()[-self.history_rows :][::-1]
        if not records:
            return "<i>no punches yet</i>"
        kinds = {"in": "check-in", "out": "check-out"}
        rows = [
            [html.escape(str(v)) for v in (self._time(p["time"]), p["user_id"], p["name"])]
            + [kinds.get(p["type"], p["type"])]
            for p in records
        ]
        return table_html(["at", "user", "name", "punch"], rows, css_class="punchlab-punch-table")

    def snapshot(self):
        """The console as it is now (states, message, tables), as HTML later clicks leave alone."""
        states = "".join(
            f"{html.escape(self._names[agent_id])}: {widget.value}<br>"
            for agent_id, widget in self.states.items()
        )
        body = f"<b>Agents</b><br>{states}{self.message.value}"
        body += f"<br><b>Run history</b> (newest first)<br>{self.history.value}"
        if self.ledger is not None:
            body += f"<b>Punches</b> (newest first)<br>{self.punches.value}"
        return snapshot("the agent console after this cell", body)
