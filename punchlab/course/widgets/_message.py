"""What every form shows: a message line under its buttons (red for what went wrong, green for
done), and a snapshot: a still copy of the form that a cell's output keeps while the live form
moves on.
"""

from __future__ import annotations

import html

from IPython.display import HTML

__all__ = ["ERROR", "OK", "fields_html", "message_html", "snapshot", "table_html"]

ERROR, OK = "#cf222e", "#1a7f37"


def message_html(text: str, *, ok: bool) -> str:
    """`text`, escaped, in the form's error or success colour."""
    return f'<span style="color:{OK if ok else ERROR}">{html.escape(text)}</span>'


def snapshot(title: str, body: str) -> HTML:
    """`body` (HTML) under a grey caption naming what it is a picture of; never changes later."""
    return HTML(
        '<div class="punchlab-snapshot" style="border-left:3px solid #d0d7de;padding:2px 10px">'
        f'<div style="color:#57606a;font-size:85%">{html.escape(title)}</div>{body}</div>'
    )


def fields_html(fields: dict[str, str]) -> str:
    """Label: value lines, the values as code (an empty field shows as empty)."""
    lines = [f"{html.escape(k)}: <code>{html.escape(v)}</code>" for k, v in fields.items()]
    return "<br>".join(lines)


# One line a row, small type: a table stays next to the buttons that changed it.
_TABLE = 'style="font-size:12px;line-height:1.25;border-collapse:collapse"'
_CELL = 'style="padding:1px 8px;text-align:left;white-space:nowrap"'
_LAST = 'style="padding:1px 8px;text-align:left"'  # the message wraps in the room left


def table_html(headers: list[str], rows: list[list[str]], *, css_class: str) -> str:
    """A compact HTML table; `rows` hold HTML already escaped; only the last column wraps."""
    styles = [_CELL] * (len(headers) - 1) + [_LAST]
    head = "".join(f"<th {s}>{html.escape(h)}</th>" for s, h in zip(styles, headers, strict=True))
    body = "".join(
        "<tr>" + "".join(f"<td {s}>{c}</td>" for s, c in zip(styles, row, strict=True)) + "</tr>"
        for row in rows
    )
    return (
        f'<table class="{css_class}" {_TABLE}><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )
