"""An OpenAPI document as `load_openapi` reads it: parsed (JSON or YAML), checked by the
OpenAPI schema, its local `$ref`s resolved on demand, a `$ref` cycle refused.

```python
doc, name = read_document("vendor.openapi.yaml")
external = check_document(doc, name, doc["openapi"])   # [(where, ref)] of refs not followed
Resolver(doc, name).deep(doc["components"]["schemas"], ("components", "schemas"))
```

Every problem is one `OpenAPIError` naming the file and the JSON path (`json_path`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ..errors import OpenAPIError
from .collection import parse_json, read_file

__all__ = ["Resolver", "Where", "check_document", "json_path", "read_document"]

Where = tuple[str | int, ...]


def json_path(parts: Where) -> str:
    """`paths['/employees'].get.responses['200']`: where a part of the document is."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            text += f".{part}" if text else part
        else:
            text += f"[{part!r}]"
    return text


def _yaml_loader() -> type:
    import yaml

    class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when it is there
        """YAML as JSON sees it: `2026-03-02` stays a string, as OpenAPI means it."""

    Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return Loader


def _string_keys(value: Any) -> Any:
    # YAML reads `200:` as an int; OpenAPI (and JSON) keys are strings
    if isinstance(value, dict):
        return {str(k): _string_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_string_keys(v) for v in value]
    return value


def read_document(source: str | Path | Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """The parsed document (its own copy, keys as strings) and its name for messages."""
    if isinstance(source, Mapping):
        return _string_keys(copy.deepcopy(dict(source))), "<dict>"
    path = Path(source)
    name = str(path)
    text = read_file(path, OpenAPIError)
    if path.suffix.lower() == ".json":
        data = parse_json(text, name, OpenAPIError)
    else:
        import yaml

        try:
            data = yaml.load(text, Loader=_yaml_loader())  # noqa: S506 (a SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise OpenAPIError(f"not YAML or JSON: {problem}{at}", source=name) from None
    if not isinstance(data, dict):
        raise OpenAPIError(
            f"an OpenAPI document is an object, not {type(data).__name__}", source=name
        )
    return _string_keys(data), name


# Keywords whose value is data, not more of the document (a "$ref" key in them is data too),
# and the objects whose keys are names (a property called "example" is a schema, not data).
_LITERAL = frozenset({"example", "value", "default", "const", "enum"})
_NAME_MAPS = frozenset(
    {
        "paths", "webhooks", "schemas", "responses", "parameters", "examples",
        "requestBodies", "headers", "securitySchemes", "links", "callbacks", "pathItems",
        "content", "encoding", "variables", "properties", "patternProperties", "$defs",
        "definitions", "dependentSchemas", "mapping",
    }
)  # fmt: skip


def _parts(node: dict[str, Any], names: bool) -> Iterator[tuple[str, Any, bool | None]]:
    """`(key, value, names)` for the children of `node` that are document (not data);
    `names` says whether the child's keys are names. `node` is a map of names when `names`."""
    for key, value in node.items():
        if names:
            yield key, value, False
        elif key in _LITERAL or (key == "examples" and isinstance(value, list)):
            continue
        else:
            yield key, value, key in _NAME_MAPS and isinstance(value, dict)


def _walk_refs(node: Any, where: Where = (), names: bool = False) -> Iterator[tuple[Where, str]]:
    """Every `$ref` in the document (example data skipped)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if not names and isinstance(ref, str):
            yield where, ref
        for key, value, child_names in _parts(node, names):
            yield from _walk_refs(value, (*where, key), bool(child_names))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk_refs(value, (*where, i))


def _local(ref: str) -> bool:
    """A JSON pointer into this document (`#/components/...`); anything else (another file, a
    URL, a 3.1 `#anchor`) is not followed."""
    return ref == "#" or ref.startswith("#/")


def _pointer(doc: Any, ref: str, source: str, where: Where) -> Any:
    node = doc
    for raw in ref[1:].split("/")[1:] if ref != "#" else []:
        part = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise OpenAPIError(
                f"$ref {ref!r} points to nothing in the document",
                source=source,
                where=json_path(where),
            )
    return node


def check_document(doc: dict[str, Any], source: str, version: str) -> list[tuple[Where, str]]:
    """Every local `$ref` must resolve, then the OpenAPI schema must accept the document
    (external `$ref`s stubbed out: nothing is ever fetched). Returns the external refs."""
    from jsonschema.exceptions import best_match
    from jsonschema_path import SchemaPath
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    external: list[tuple[Where, str]] = []
    checked = copy.deepcopy(doc)
    for where, ref in list(_walk_refs(doc)):
        if _local(ref):
            _pointer(doc, ref, source, where)
            continue
        external.append((where, ref))
        holder: Any = checked
        for part in where[:-1]:
            holder = holder[part]
        if where:
            holder[where[-1]] = {}
        else:
            raise OpenAPIError("the whole document is an external $ref", source=source)
    validator = OpenAPIV31SpecValidator if version.startswith("3.1") else OpenAPIV30SpecValidator
    # no handlers: the validator must never fetch anything (external refs were stubbed out)
    spec = SchemaPath.from_dict(checked, handlers={})
    for error in validator(spec).iter_errors():
        best = best_match([error]) if getattr(error, "context", None) else error
        path = tuple(best.absolute_path) if hasattr(best, "absolute_path") else ()
        path = tuple(error.absolute_path) if not path and hasattr(error, "absolute_path") else path
        if any(path[: len(stub)] == stub for stub, _ in external):
            continue  # the stub that stands for an external ref, not the author's mistake
        raise OpenAPIError(
            f"not a valid OpenAPI {version} document: {best.message}",
            source=source,
            where=json_path(path) or None,
        )
    return external


# ---------------------------------------------------------------- $ref resolution


class Resolver:
    """Resolves local `$ref`s on demand; a cycle is an `OpenAPIError` naming its refs.

    ```python
    refs = Resolver(doc, "vendor.yaml")
    schema = refs.deep(doc["paths"]["/employees"], ("paths", "/employees"))
    ```
    """

    def __init__(self, doc: dict[str, Any], source: str) -> None:
        self.doc, self.source = doc, source
        self._done: dict[str, Any] = {}

    def shallow(self, node: Any, where: Where) -> tuple[Any, Where]:
        """Follow `$ref`s at the top of `node` only; returns the node and where it lives."""
        seen: list[str] = []
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if not _local(ref):
                return {k: v for k, v in node.items() if k != "$ref"}, where
            if ref in seen:
                self._cycle([*seen, ref], where)
            seen.append(ref)
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            node = _pointer(self.doc, ref, self.source, where)
            if siblings and isinstance(node, dict):
                node = {**node, **siblings}
            where = tuple(_ref_parts(ref))
        return node, where

    def deep(
        self, node: Any, where: Where, stack: tuple[str, ...] = (), names: bool = False
    ) -> Any:
        """`node` with every local `$ref` inside it resolved (`names`: its keys are names)."""
        if isinstance(node, list):
            return [self.deep(v, (*where, i), stack) for i, v in enumerate(node)]
        if not isinstance(node, dict):
            return node
        ref = None if names else node.get("$ref")
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        if isinstance(ref, str):
            if not _local(ref):
                return self.deep(siblings, where, stack)  # listed by check_document
            if ref in stack:
                self._cycle([*stack[stack.index(ref) :], ref], where)
            if ref not in self._done:
                target = _pointer(self.doc, ref, self.source, where)
                self._done[ref] = self.deep(target, tuple(_ref_parts(ref)), (*stack, ref))
            resolved = self._done[ref]
            if siblings and isinstance(resolved, dict):
                return {**resolved, **self.deep(siblings, where, stack)}
            return resolved
        out = dict(node)  # data keywords (example, default, ...) stay as they are
        for key, value, child_names in _parts(node, names):
            out[key] = self.deep(value, (*where, key), stack, bool(child_names))
        return out

    def _cycle(self, chain: list[str], where: Where) -> None:
        raise OpenAPIError(
            "$ref cycle " + " -> ".join(chain) + ": a schema that contains itself has no finite "
            "example, so it cannot be imported",
            source=self.source,
            where=json_path(where),
        )


def _ref_parts(ref: str) -> list[str]:
    return [unquote(p).replace("~1", "/").replace("~0", "~") for p in ref[1:].split("/")[1:]]
