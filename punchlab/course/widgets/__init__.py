"""Thin ipywidgets front-ends over punchlab's functions, one module per screen.

Each widget only builds controls and calls the package: the logic it shows lives (and is
tested) elsewhere. Callbacks use `observe(..., names="value")` and write results and errors into
an `Output`, so a form never shows a traceback. Notebooks drive them from code
(`widget.value = ...`, `button.click()`), which is how nbmake exercises them.

* `AddAgentForm(account)`: Talkdesk's Add New Agent (Name, Email, Save).
* `AutomationBuilder(account)`: In / When / Then, the inputs chosen from the event's variables,
  Publish.
* `AgentConsole(account)`: Log in / Log out buttons per agent, the run history underneath.
"""

from __future__ import annotations

from .agents import AddAgentForm
from .automation import AutomationBuilder
from .console import AgentConsole
from .mapping import MappingEditor

__all__ = ["AddAgentForm", "AgentConsole", "AutomationBuilder", "MappingEditor"]
