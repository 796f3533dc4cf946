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
    "Collection": "collection",
    "Example": "collection",
    "load_collection": "collection",
    "Account": "account",
    "Agent": "account",
    "normalise_email": "emails",
    "AddAgentForm": "widgets",
    "AgentConsole": "widgets",
    "AutomationBuilder": "widgets",
    "Action": "action",
    "ActionResult": "action",
    "ActionState": "action",
    "Issue": "action",
    "ApiKeyAuth": "connection",
    "BasicAuth": "connection",
    "Connection": "connection",
    "NoAuth": "connection",
    "OAuth2ClientCredentials": "connection",
    "Automation": "automation",
    "Automations": "automation",
    "RetryPolicy": "automation",
    "Run": "automation",
    "SimulatedClock": "events",
    "day_schedule": "events",
    "AuthError": "errors",
    "CollectionError": "errors",
    "MappingError": "errors",
    "PunchlabError": "errors",
    "StoreError": "errors",
    "SyncError": "errors",
    "TemplateError": "errors",
    "ValidationError": "errors",
    "check_agents": "exercises",
    "check_mapping": "exercises",
    "check_punch_automation": "exercises",
    "data_dir": "home",
    "data_file": "home",
    "lab_home": "home",
    "Faults": "faults",
    "LiveApi": "live",
    "PunchLedger": "live",
    "generate_users": "live",
    "load_users_csv": "live",
    "MockServer": "mock",
    "RequireApiKey": "mock_auth",
    "RequireBasic": "mock_auth",
    "RequireBearer": "mock_auth",
    "LocalServer": "serve",
    "MockRequest": "messages",
    "MockResponse": "messages",
    "placeholders": "templates",
    "render": "templates",
    "render_value": "templates",
    "Replay": "replay",
    "run_env_check": "check",
    "Store": "store",
    "hours": "timesheet",
    "shifts": "timesheet",
    "timeline": "timesheet",
    "FieldMapping": "mapping",
    "source_keys": "mapping",
    "users_schema": "mapping",
    "MappingEditor": "widgets.mapping",
    "SyncReport": "sync",
    "action_fetcher": "sync",
    "agent_sync": "sync",
    "http_fetcher": "sync",
    "match_users": "sync",
    "paginate": "sync",
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
