"""punchlab: Talkdesk's "Clock Punch Mock Connection" tutorial as an offline, hands-on lab.

```python
import punchlab
punchlab.run_env_check()
```
"""

from __future__ import annotations

from .check import run_env_check
from .errors import (
    CollectionError,
    MappingError,
    PunchlabError,
    SyncError,
    TemplateError,
    ValidationError,
)
from .home import data_dir, data_file, lab_home
from .templates import placeholders, render, render_value

__version__ = "0.1.0"

__all__ = [
    "CollectionError",
    "MappingError",
    "PunchlabError",
    "SyncError",
    "TemplateError",
    "ValidationError",
    "__version__",
    "data_dir",
    "data_file",
    "lab_home",
    "placeholders",
    "render",
    "render_value",
    "run_env_check",
]
