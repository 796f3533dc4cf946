"""Reading the lab's CSV files (agents, live-mode users) with errors that name file and line.

```python
rows = read_rows("team.csv", required=("name", "email"), optional=("active",))
for line, row in rows:          # line numbers as an editor shows them (the header is line 1)
    row["name"], row["email"], row.get("active", "")
```
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from .errors import ValidationError

__all__ = ["read_rows"]


def read_rows(
    path: str | Path, *, required: Sequence[str], optional: Sequence[str] = ()
) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV file as `(line, {column: text})`, columns named case-insensitively.

    A byte-order mark (as Excel writes) is ignored. A file that cannot be read, is not UTF-8,
    is not CSV or lacks a required column raises `ValidationError` naming the file (and line).
    """
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            columns = {(name or "").strip().lower(): name for name in header}
            missing = [name for name in required if name not in columns]
            if missing:
                raise ValidationError(
                    f"missing column(s) {', '.join(missing)}; the header is {','.join(header)!r}",
                    where=f"{path}, line 1",
                )
            wanted = [*required, *(name for name in optional if name in columns)]
            return [
                (reader.line_num, {name: (row.get(columns[name]) or "") for name in wanted})
                for row in reader
            ]
    except OSError as exc:
        raise ValidationError(f"cannot read the file: {exc.strerror}", where=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"not UTF-8 text (byte {exc.start}); save it as CSV UTF-8", where=str(path)
        ) from exc
    except csv.Error as exc:
        raise ValidationError(f"not a CSV file: {exc}", where=str(path)) from exc
