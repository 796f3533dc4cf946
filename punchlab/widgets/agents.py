"""The Add New Agent form (Talkdesk: Admin > Agents > Add New Agent): Name, Email, Save.

```python
form = AddAgentForm(account)
form                                   # shows the form in a notebook
form.name.value, form.email.value = "Ana Lima", "ana.lima@example.com"
form.save.click()                      # what the Save button does
form.message.value                     # "Saved ..." or the error, shown in the form
```
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..account import Account, Agent
from ..errors import ValidationError

__all__ = ["AddAgentForm"]


class AddAgentForm(widgets.VBox):
    """A form that adds agents to `account`; errors appear in the form, never as tracebacks.

    `on_saved(agent)` callbacks run after each successful save (for example to refresh a table).
    """

    def __init__(self, account: Account) -> None:
        self.account = account
        self.name = widgets.Text(description="Name *", placeholder="Barbara Banh")
        self.email = widgets.Text(description="Email *", placeholder="user+1@talkdesk.com")
        self.save = widgets.Button(description="Save", button_style="primary")
        self.message = widgets.HTML()
        self.last_saved: Agent | None = None
        self._callbacks: list = []
        self.save.on_click(lambda _button: self.submit())
        super().__init__(
            [widgets.HTML("<b>Add New Agent</b>"), self.name, self.email, self.save, self.message]
        )

    def on_saved(self, callback) -> None:
        """Call `callback(agent)` after every successful save."""
        self._callbacks.append(callback)

    def submit(self) -> Agent | None:
        """Save the agent in the fields; returns it, or `None` when the form shows an error."""
        try:
            agent = self.account.add_agent(name=self.name.value, email=self.email.value)
        except ValidationError as exc:
            self.message.value = f'<span style="color:#cf222e">{html.escape(str(exc))}</span>'
            return None
        self.last_saved = agent
        self.message.value = (
            f'<span style="color:#1a7f37">Saved {html.escape(agent.name)} '
            f"&lt;{html.escape(agent.email)}&gt; (agent {agent.id})</span>"
        )
        self.name.value = self.email.value = ""
        for callback in self._callbacks:
            callback(agent)
        return agent
