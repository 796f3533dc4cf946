"""The Add New Agent form (Talkdesk: Admin > Agents > Add New Agent): Name, Email, Save.

```python
form = AddAgentForm(account)
form                                   # shows the form in a notebook
form.name.value, form.email.value = "Ana Lima", "ana.lima@example.com"
form.save.click()                      # what the Save button does
form.message.value                     # "Saved ..." or the error, shown in the form
form.snapshot()                        # a still copy for a cell's output
```
"""

from __future__ import annotations

import ipywidgets as widgets

from ...errors import ValidationError
from ...talkdesk.account import Account, Agent
from ._message import fields_html, message_html, snapshot

__all__ = ["AddAgentForm"]


class AddAgentForm(widgets.VBox):
    """A form that adds agents to `account`; errors appear in the form, never as tracebacks.

    `on_saved(agent)` callbacks run after each successful save. With `show_table=True` the form
    carries the account's agents as a table underneath, refreshed after every save.
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
        self.table = widgets.Output()
        self.table.add_class("punchlab-agents-table")
        children = [widgets.HTML("<b>Add New Agent</b>"), self.name, self.email, self.save]
        children += [self.message, self.table] if show_table else [self.message]
        super().__init__(children)
        self.add_class("punchlab-add-agent")  # a stable hook for browser tests
        if show_table:
            self.on_saved(lambda _agent: self.refresh_table())
            self.refresh_table()

    def refresh_table(self) -> None:
        """Show the account's agents, as a DataFrame, under the form."""
        from IPython.display import display

        with self.table:
            self.table.clear_output(wait=True)
            display(self.account.agents_frame())

    def snapshot(self):
        """The form as it is now (fields, message, table), as HTML that later clicks leave alone."""
        body = "<b>Add New Agent</b><br>" + fields_html(
            {"Name *": self.name.value, "Email *": self.email.value}
        )
        body += f"<br>{self.message.value}"
        if self.show_table:
            body += self.account.agents_frame().to_html(index=False)
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
