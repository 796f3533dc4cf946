"""The message line every form shows under its buttons: red for what went wrong, green for done."""

from __future__ import annotations

import html

__all__ = ["ERROR", "OK", "message_html"]

ERROR, OK = "#cf222e", "#1a7f37"


def message_html(text: str, *, ok: bool) -> str:
    """`text`, escaped, in the form's error or success colour."""
    return f'<span style="color:{OK if ok else ERROR}">{html.escape(text)}</span>'
