"""The agent console: one row per agent with Log in / Log out, and the run history underneath.

```python
console = AgentConsole(account)
console                                  # shows it in a notebook
console.login_buttons[1].click()         # agent 1 logs in: the Automations run
console.states[1].value                  # 'available since 08:00:00'
console.history.value                    # the latest runs, as an HTML table
```
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as widgets

from ...errors import PunchlabError
from ...talkdesk.account import Account
from ...talkdesk.automation import Run
from ._message import message_html

__all__ = ["AgentConsole"]

_COLOURS = {"success": "#1a7f37", "skipped": "#57606a", "timeout": "#9a6700"}


class AgentConsole(widgets.VBox):
    """Log agents in and out with buttons; each click runs the account's Automations.

    **Parameters:**

    * `account`: the sandbox account (its agents and Automations).
    * `history_rows`: how many of the latest runs the table underneath shows.
    * `at`: a callable giving each event's time (e.g. a `SimulatedClock`); default the real time.
    """

    def __init__(
        self, account: Account, *, history_rows: int = 10, at: Callable[[], object] | None = None
    ) -> None:
        self.account = account
        self.history_rows = history_rows
        self.at = at
        self.login_buttons: dict[int, widgets.Button] = {}
        self.logout_buttons: dict[int, widgets.Button] = {}
        self.states: dict[int, widgets.HTML] = {}
        self.message = widgets.HTML()
        self.history = widgets.HTML()
        self.last_runs: list[Run] = []
        rows = [widgets.HTML("<b>Agents</b>")]
        for agent in account.agents():
            login = widgets.Button(description="Log in", button_style="success")
            logout = widgets.Button(description="Log out")
            login.on_click(lambda _b, agent_id=agent.id: self.event("login", agent_id))
            logout.on_click(lambda _b, agent_id=agent.id: self.event("logout", agent_id))
            state = widgets.HTML(layout=widgets.Layout(width="190px"))  # buttons line up
            label = widgets.HTML(
                f"{html.escape(agent.name)} &lt;{html.escape(agent.email)}&gt;",
                layout=widgets.Layout(width="320px"),
            )
            self.login_buttons[agent.id] = login
            self.logout_buttons[agent.id] = logout
            self.states[agent.id] = state
            rows.append(widgets.HBox([label, state, login, logout]))
        super().__init__([*rows, self.message, widgets.HTML("<b>Run history</b>"), self.history])
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
        """Show each agent's state and the latest runs."""
        states = self.account.automation_engine.agent_states()
        for agent_id, widget in self.states.items():
            status, since = states.get(agent_id, ("offline", None))
            when = f" since {since[11:19]}" if since else ""
            widget.value = f"<code>{html.escape(status)}{html.escape(when)}</code>"
            self.login_buttons[agent_id].disabled = status != "offline"
            self.logout_buttons[agent_id].disabled = status == "offline"
        frame = self.account.runs().tail(self.history_rows)
        columns = ["run", "automation", "event", "agent_id", "outcome", "status", "url", "message"]
        self.history.value = (
            frame[columns].to_html(index=False, na_rep="", escape=True)
            if not frame.empty
            else "<i>no runs yet</i>"
        )
