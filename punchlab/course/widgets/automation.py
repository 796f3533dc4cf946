"""Build an Automation the way Talkdesk's editor does: In, When, Then, inputs, Publish.

In Talkdesk you drag the **Punch Clock Integration Agent External ID** variable into the
**User ID** field; here you choose it from a list of the variables an agent event offers.

```python
builder = AutomationBuilder(account)
builder.name.value = "Punch in on login"
builder.when.value = "login"                               # "When an agent logs in"
builder.then.value = clock.id                              # an Active Action
builder.inputs["user_id"].value = punch.external_id_variable
builder.publish.click()
builder.message.value                                      # "Published ..." or the error
builder.snapshot()                                         # a still copy for a cell's output
```
"""

from __future__ import annotations

import ipywidgets as widgets

from ...errors import ValidationError
from ...talkdesk.account import Account
from ...talkdesk.action import Action, ActionState
from ...talkdesk.automation import TRIGGERS, Automation
from ._message import fields_html, message_html, snapshot

__all__ = ["AutomationBuilder"]


class AutomationBuilder(widgets.VBox):
    """A form for one Automation; errors show in the form, never as tracebacks."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self.name = widgets.Text(description="Name *", placeholder="Punch in on login")
        self.source = widgets.Dropdown(description="In", options=["Talkdesk"], disabled=True)
        self.when = widgets.Dropdown(
            description="When", options=[(words, key) for key, words in TRIGGERS.items()]
        )
        actions = self._actions()
        self._by_id = {action.id: action for action in actions}
        self.then = widgets.Dropdown(
            description="Then",
            options=[(f"{a.connection.name}: {a.name}", a.id) for a in actions],
            value=actions[0].id if actions else None,
        )
        self.inputs: dict[str, widgets.Combobox] = {}
        self.input_box = widgets.VBox()
        self.input_box.add_class("punchlab-builder-inputs")
        self.publish = widgets.Button(description="Publish", button_style="primary")
        self.message = widgets.HTML()
        self.message.add_class("punchlab-message")
        self.published: Automation | None = None
        self.then.observe(lambda _change: self._show_inputs(), names="value")
        self.publish.on_click(lambda _button: self.submit())
        super().__init__(
            [
                widgets.HTML("<b>New Automation</b>"),
                self.name,
                self.source,
                self.when,
                self.then,
                self.input_box,
                self.publish,
                self.message,
            ]
        )
        self.add_class("punchlab-automation-builder")  # a stable hook for browser tests
        self._show_inputs()

    def snapshot(self):
        """The builder as it is now (every field, the message), as HTML later clicks leave alone."""
        labels = {key: words for words, key in self.when.options}
        then = dict((v, k) for k, v in self.then.options).get(self.then.value, "")
        fields = {"Name *": self.name.value, "In": self.source.value or ""}
        fields |= {"When": labels.get(self.when.value, ""), "Then": then}
        fields |= {w.description: w.value for w in self.inputs.values()}
        body = f"<b>New Automation</b><br>{fields_html(fields)}<br>{self.message.value}"
        return snapshot("the Automation builder after this cell", body)

    def _actions(self) -> list[Action]:
        found = []
        for connection in self.account.connections():
            found += [
                a
                for a in connection.actions()
                if a.state in (ActionState.ACTIVE, ActionState.DEPRECATED)
            ]
        return found

    def _show_inputs(self) -> None:
        action = self._by_id.get(self.then.value)
        offered = self.account.automation_engine.variables()
        self.inputs = {}
        if action is not None:
            for name, spec in action.parameters.items():
                # a Combobox: pick a variable from the list, or type any template
                self.inputs[name] = widgets.Combobox(
                    description=spec.get("title", name),
                    options=offered,
                    placeholder="choose a variable",
                    ensure_option=False,
                    # wide enough for {{agent.connection_<id>.external_id}}
                    layout=widgets.Layout(width="520px"),
                )
        self.input_box.children = list(self.inputs.values())

    def submit(self) -> Automation | None:
        """Publish the Automation; returns it, or `None` when the form shows an error."""
        action = self._by_id.get(self.then.value)
        try:
            if action is None:
                raise ValidationError("publish an Action first (Active actions only)", where="Then")
            automation = self.account.add_automation(
                name=self.name.value,
                when=self.when.value,
                action=action,
                inputs={k: w.value for k, w in self.inputs.items() if w.value},
            )
        except ValidationError as exc:
            self.message.value = message_html(str(exc), ok=False)
            return None
        self.published = automation
        self.message.value = message_html(f"Published: {automation}", ok=True)
        return automation
