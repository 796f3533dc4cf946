"""Small Postman collections built as dicts, for the collection, matching and replay tests."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def url(raw: str) -> dict[str, Any]:
    """A structured URL as Postman writes it (`{{url}}/a/b?x=1`)."""
    base, _, query = raw.partition("?")
    host, _, path = base.partition("/") if not base.startswith("http") else ("", "", "")
    if base.startswith("http"):
        parts = urlsplit(base)
        host, path = parts.netloc, parts.path.lstrip("/")
    found: dict[str, Any] = {"raw": raw, "host": [host], "path": path.split("/") if path else []}
    if query:
        found["query"] = [
            {"key": k, "value": v} for k, _, v in (pair.partition("=") for pair in query.split("&"))
        ]
    return found


def example(
    name: str,
    target: str,
    *,
    method: str = "GET",
    code: int | None = 200,
    body: str | None = "",
    header: Any = None,
    request_header: list[dict[str, Any]] | None = None,
    request_body: dict[str, Any] | None = None,
    id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    original: dict[str, Any] = {
        "method": method,
        "header": request_header or [],
        "url": url(target),
    }
    if request_body is not None:
        original["body"] = request_body
    found: dict[str, Any] = {"name": name, "originalRequest": original}
    if id is not None:
        found["id"] = id
    if code is not None:
        found["code"] = code
    found["header"] = header if header is not None else []
    found["body"] = body
    found.update(extra)
    return found


def collection(*examples: dict[str, Any], variables: dict[str, str] | None = None) -> dict:
    """One request item per example (named after it), in order."""
    items = [
        {
            "name": f"item {i}",
            "request": e["originalRequest"],
            "response": [e],
        }
        for i, e in enumerate(examples)
    ]
    data: dict[str, Any] = {"info": {"name": "test", "schema": SCHEMA}, "item": items}
    if variables is not None:
        data["variable"] = [{"key": k, "value": v} for k, v in variables.items()]
    return data
