"""The course around the tutorial: the checks, the demo and the widgets the notebooks use.

* `check`: `run_env_check()`, the set-up check of notebook 00 and `punchlab check`.
* `exercises`: the checks of the learners' answers (`check_agents`, `check_mapping`, ...).
* `demo`: `punchlab demo`, the whole tutorial run end to end.
* `tracebacks`: `compact_errors()`, punchlab's errors in a notebook as a short message.
* `widgets/`: the ipywidgets screens (`AddAgentForm`, `AutomationBuilder`, `AgentConsole`,
  `MappingEditor`).

May import the shared modules, `punchlab.mock` and `punchlab.talkdesk`.
"""
