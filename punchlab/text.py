"""The one rule for text punchlab stores and sends: no control characters, no lone surrogates.

A lone surrogate cannot be written as UTF-8 (SQLite, HTTP and JSON files all need it), and a
control character (NUL, a newline in a header, ...) changes meaning on the way out.

```python
>>> storable("Ana Lúcia 🙂"), storable("a\\x00b"), storable("\\ud800")
(True, False, False)
```
"""

from __future__ import annotations

import re
from typing import Any

from .errors import ValidationError

__all__ = ["check_text", "storable"]

_UNSTORABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def storable(text: str) -> bool:
    """Whether `text` has no control character and no lone surrogate."""
    return _UNSTORABLE.search(text) is None


def check_text(value: Any, *, where: str) -> str:
    """`value` if it is a string punchlab can store and send, else `ValidationError` at `where`."""
    if not isinstance(value, str):
        raise ValidationError(f"expected text, not {type(value).__name__}", where=where)
    bad = _UNSTORABLE.search(value)
    if bad is not None:
        raise ValidationError(
            f"holds {bad.group()!r} at position {bad.start()}: control characters and lone "
            "surrogates cannot be stored or sent",
            where=where,
        )
    return value
