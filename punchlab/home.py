"""Where punchlab keeps things: its shipped data files and the lab home.

```python
>>> data_file("time_punching_integration.postman_collection.json").name
'time_punching_integration.postman_collection.json'
```
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["TUTORIAL_ACTIONS", "TUTORIAL_COLLECTION", "data_dir", "data_file", "lab_home"]

TUTORIAL_COLLECTION = "time_punching_integration.postman_collection.json"
# The tutorial's three Actions (steps 3.4-3.6): paths, parameters and output schemas.
TUTORIAL_ACTIONS = "tutorial_actions.json"

_PACKAGE = Path(__file__).resolve().parent


def data_dir() -> Path:
    """The folder of shipped data: inside the wheel (`punchlab/_data`) or the checkout's `data/`."""
    for candidate in (_PACKAGE / "_data", _PACKAGE.parent / "data"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"punchlab's data folder is missing (looked in {_PACKAGE / '_data'})")


def data_file(name: str) -> Path:
    """A shipped data file by name, e.g. the tutorial's Postman collection."""
    path = data_dir() / name
    if not path.is_file():
        raise FileNotFoundError(f"no data file {name!r} in {data_dir()}")
    return path


def lab_home(*, create: bool = True) -> Path:
    """The lab home: `$PUNCHLAB_HOME`, or `~/.punchlab`. It holds the lab's state.

    A new lab home is readable by its owner only (its database holds credentials). A path that
    cannot be a folder raises `StoreError` naming it.
    """
    home = Path(os.environ.get("PUNCHLAB_HOME") or Path.home() / ".punchlab").expanduser()
    if create:
        try:
            home.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            from .errors import StoreError

            raise StoreError(
                f"cannot be the lab home ({exc.strerror}); set PUNCHLAB_HOME to a folder",
                path=home,
            ) from exc
    return home
