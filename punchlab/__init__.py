"""punchlab: Talkdesk's "Clock Punch Mock Connection" tutorial as an offline, hands-on lab.

```python
import punchlab
punchlab.run_env_check()
```

Names are loaded on first use, so `import punchlab` (and `punchlab serve`) stays fast:
pandas, ipywidgets and matplotlib are imported only by what needs them.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "Collection": "mock.collection",
    "Example": "mock.collection",
    "load_collection": "mock.collection",
    "Account": "talkdesk.account",
    "Agent": "talkdesk.account",
    "normalise_email": "emails",
    "AddAgentForm": "course.widgets",
    "AgentConsole": "course.widgets",
    "AutomationBuilder": "course.widgets",
    "Action": "talkdesk.action",
    "ActionResult": "talkdesk.action",
    "ActionState": "talkdesk.action",
    "Issue": "talkdesk.action",
    "ApiKeyAuth": "talkdesk.connection",
    "BasicAuth": "talkdesk.connection",
    "Connection": "talkdesk.connection",
    "NoAuth": "talkdesk.connection",
    "OAuth2ClientCredentials": "talkdesk.connection",
    "Automation": "talkdesk.automation",
    "Automations": "talkdesk.automation",
    "RetryPolicy": "talkdesk.automation",
    "Run": "talkdesk.automation",
    "SimulatedClock": "talkdesk.events",
    "day_schedule": "talkdesk.events",
    "AuthError": "errors",
    "CollectionError": "errors",
    "MappingError": "errors",
    "OpenAPIError": "errors",
    "PunchlabError": "errors",
    "StoreError": "errors",
    "SyncError": "errors",
    "TemplateError": "errors",
    "ValidationError": "errors",
    "check_agents": "course.exercises",
    "check_aligned_emails": "course.exercises",
    "check_mapping": "course.exercises",
    "check_output_schema": "course.exercises",
    "check_punch_automation": "course.exercises",
    "check_punch_clock_action": "course.exercises",
    "data_dir": "home",
    "data_file": "home",
    "lab_home": "home",
    "Faults": "mock.faults",
    "ImportReport": "mock.openapi",
    "load_openapi": "mock.openapi",
    "LiveApi": "mock.live",
    "PunchLedger": "mock.live",
    "generate_users": "mock.live",
    "load_users_csv": "mock.live",
    "MockServer": "mock.server",
    "RequireApiKey": "mock.auth",
    "RequireBasic": "mock.auth",
    "RequireBearer": "mock.auth",
    "LocalServer": "mock.localserver",
    "browser_url": "hub",
    "workshop_link": "hub",
    "MockRequest": "mock.messages",
    "MockResponse": "mock.messages",
    "placeholders": "templates",
    "render": "templates",
    "render_value": "templates",
    "Replay": "mock.replay",
    "run_env_check": "course.check",
    "compact_errors": "course.tracebacks",
    "Store": "store",
    "schema_from_example": "talkdesk.schema_inference",
    "schema_from_openapi": "talkdesk.schema_inference",
    "hours": "talkdesk.timesheet",
    "shifts": "talkdesk.timesheet",
    "timeline": "talkdesk.timesheet",
    "FieldMapping": "talkdesk.mapping",
    "source_keys": "talkdesk.mapping",
    "users_schema": "talkdesk.mapping",
    "MappingEditor": "course.widgets.mapping",
    "SyncReport": "talkdesk.agent_sync",
    "action_fetcher": "talkdesk.agent_sync",
    "agent_sync": "talkdesk.agent_sync",
    "http_fetcher": "talkdesk.agent_sync",
    "match_users": "talkdesk.agent_sync",
    "paginate": "talkdesk.agent_sync",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'punchlab' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
