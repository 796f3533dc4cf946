"""Reading the lab's CSV files (agents, live-mode users) with errors that name file and line.

```python
rows = read_rows("team.csv", required=("name", "email"), optional=("active",))
for line, row in rows:          # line numbers as an editor shows them (the header is line 1)
    row["name"], row["email"], row.get("active", "")
```
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from .errors import ValidationError

__all__ = ["read_rows", "rows_from_text"]

Rows = list[tuple[int, dict[str, str]]]


def read_rows(path: str | Path, *, required: Sequence[str], optional: Sequence[str] = ()) -> Rows:
    """The rows of a CSV file as `(line, {column: text})`, columns named case-insensitively.

    A byte-order mark (as Excel writes) is ignored. A file that cannot be read, is not UTF-8,
    is not CSV or lacks a required column raises `ValidationError` naming the file (and line).
    """
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return _rows(handle, required, optional, where=str(path))
    except OSError as exc:
        raise ValidationError(f"cannot read the file: {exc.strerror}", where=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"not UTF-8 text (byte {exc.start}); save it as CSV UTF-8", where=str(path)
        ) from exc


def rows_from_text(
    text: str, *, required: Sequence[str], optional: Sequence[str] = (), where: str = "CSV text"
) -> Rows:
    """`read_rows` for CSV held in a string (a notebook cell's text)."""
    return _rows(io.StringIO(text.removeprefix("\ufeff")), required, optional, where=where)


def _rows(lines: Iterable[str], required: Sequence[str], optional: Sequence[str], *, where: str):
    try:
        reader = csv.DictReader(lines)
        header = reader.fieldnames or []
        columns = {(name or "").strip().lower(): name for name in header}
        missing = [name for name in required if name not in columns]
        if missing:
            raise ValidationError(
                f"missing column(s) {', '.join(missing)}; the header is {','.join(header)!r}",
                where=f"{where}, line 1",
            )
        wanted = [*required, *(name for name in optional if name in columns)]
        return [
            (reader.line_num, {name: (row.get(columns[name]) or "") for name in wanted})
            for row in reader
        ]
    except csv.Error as exc:
        raise ValidationError(f"not a CSV file: {exc}", where=where) from exc
