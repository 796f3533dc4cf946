"""The Add New Agent form (Talkdesk: Admin > Agents > Add New Agent): Name, Email, Save.

```python
form = AddAgentForm(account)
form                                   # shows the form in a notebook
form.name.value, form.email.value = "Ana Lima", "ana.lima@example.com"
form.save.click()                      # what the Save button does
form.message.value                     # "Saved ..." or the error, shown in the form
form.snapshot()                        # a still copy for a cell's output
```

With `show_table=True` the table under the form shows the account's agents as they are: after
every Save, and in a notebook after every cell that runs, so agents added from code (or by
another form) appear in it too.
"""

from __future__ import annotations

import html
import weakref

import ipywidgets as widgets
from IPython import get_ipython

from ...errors import ValidationError
from ...talkdesk.account import Account, Agent
from ._message import fields_html, message_html, snapshot, table_html

__all__ = ["AddAgentForm"]


class AddAgentForm(widgets.VBox):
    """A form that adds agents to `account`; errors appear in the form, never as tracebacks.

    `on_saved(agent)` callbacks run after each successful save. With `show_table=True` the form
    carries the account's agents as a table underneath, refreshed after every save and, in an
    IPython kernel, after every cell that runs (a widget shown above stays true after *Run All*).
    """

    def __init__(self, account: Account, *, show_table: bool = False) -> None:
        self.account = account
        self.name = widgets.Text(description="Name *", placeholder="Barbara Banh")
        self.email = widgets.Text(description="Email *", placeholder="user+1@talkdesk.com")
        self.save = widgets.Button(description="Save", button_style="primary")
        self.message = widgets.HTML()
        self.message.add_class("punchlab-message")
        self.show_table = show_table
        self.last_saved: Agent | None = None
        self._callbacks: list = []
        self.save.on_click(lambda _button: self.submit())
        self.table = widgets.HTML()
        self.table.add_class("punchlab-agents-table")
        children = [widgets.HTML("<b>Add New Agent</b>"), self.name, self.email, self.save]
        children += [self.message, self.table] if show_table else [self.message]
        super().__init__(children)
        self.add_class("punchlab-add-agent")  # a stable hook for browser tests
        if show_table:
            self.on_saved(lambda _agent: self.refresh_table())
            self.refresh_table()
            _refresh_after_each_cell(self)

    def refresh_table(self) -> None:
        """Show the account's agents, as they are now, in the table under the form."""
        self.table.value = self._agents_html()

    def _agents_html(self) -> str:
        frame = self.account.agents_frame()
        if frame.empty:
            return "<i>no agents yet</i>"
        rows = [[html.escape(str(value)) for value in row] for row in frame.itertuples(index=False)]
        return table_html([str(c) for c in frame.columns], rows, css_class="punchlab-agents")

    def snapshot(self):
        """The form as it is now (fields, message, table), as HTML that later clicks leave alone."""
        body = "<b>Add New Agent</b><br>" + fields_html(
            {"Name *": self.name.value, "Email *": self.email.value}
        )
        body += f"<br>{self.message.value}"
        if self.show_table:
            body += self._agents_html()
        return snapshot("the Add New Agent form after this cell", body)

    def on_saved(self, callback) -> None:
        """Call `callback(agent)` after every successful save."""
        self._callbacks.append(callback)

    def submit(self) -> Agent | None:
        """Save the agent in the fields; returns it, or `None` when the form shows an error."""
        try:
            agent = self.account.add_agent(name=self.name.value, email=self.email.value)
        except ValidationError as exc:
            self.message.value = message_html(str(exc), ok=False)
            return None
        self.last_saved = agent
        self.message.value = message_html(
            f"Saved {agent.name} <{agent.email}> (agent {agent.id})", ok=True
        )
        self.name.value = self.email.value = ""
        for callback in self._callbacks:
            callback(agent)
        return agent


def _refresh_after_each_cell(form: AddAgentForm) -> None:
    """In an IPython kernel, refresh `form`'s table after every cell, for as long as it exists."""
    shell = get_ipython()  # None outside IPython (a script, a test without a shell)
    if shell is None:
        return
    alive = weakref.ref(form)  # the hook must not keep a closed form alive

    def refresh(_result=None) -> None:
        found = alive()
        if found is None or found.comm is None:  # gone, or closed with .close()
            shell.events.unregister("post_run_cell", refresh)
        else:
            found.refresh_table()

    shell.events.register("post_run_cell", refresh)
