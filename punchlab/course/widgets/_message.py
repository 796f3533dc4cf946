"""What every form shows: a message line under its buttons (red for what went wrong, green for
done), and a snapshot: a still copy of the form that a cell's output keeps while the live form
moves on.
"""

from __future__ import annotations

import html

from IPython.display import HTML

__all__ = ["ERROR", "OK", "fields_html", "message_html", "snapshot"]

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
