"""Thin ipywidgets front-ends over punchlab's functions, one module per screen.

Each widget only builds controls and calls the package: the logic it shows lives (and is
tested) elsewhere. Callbacks use `observe(..., names="value")` and write results and errors into
an `Output`, so a form never shows a traceback. Notebooks drive them from code
(`widget.value = ...`, `button.click()`), which is how nbmake exercises them; a cell that drives
a widget ends with `widget.snapshot()`, a still copy of what that cell did, while the live widget
is shown where the learner uses it.

* `AddAgentForm(account)`: Talkdesk's Add New Agent (Name, Email, Save).
* `AutomationBuilder(account)`: In / When / Then, the inputs chosen from the event's variables,
  Publish.
* `AgentConsole(account)`: Log in / Log out buttons per agent, the runs and punches underneath.
* `MappingEditor(users)`: Agent Sync's field mapping, with a live preview.
"""

from __future__ import annotations

from .agents import AddAgentForm
from .automation import AutomationBuilder
from .console import AgentConsole
from .mapping import MappingEditor

__all__ = ["AddAgentForm", "AgentConsole", "AutomationBuilder", "MappingEditor"]
