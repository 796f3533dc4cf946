"""A Postman Collection v2.1: load it, look inside, edit its examples, save it for Postman.

The parsed JSON stays the source of truth: views read from it, edits change only the keys they
touch, and `save` writes everything else back as it was (unknown keys and key order included).

```python
collection = load_collection(data_file(TUTORIAL_COLLECTION))
collection.users()[0]        # {'id': 1, 'name': 'Barbara Banh', 'email': 'user+1@talkdesk.com'}
collection.align_emails(by_external_id={1: "barbara@example.com"})
collection.save("edited.postman_collection.json")
```
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from ..errors import CollectionError
from ..templates import TOKEN, render

if TYPE_CHECKING:
    import pandas

__all__ = [
    "PREVIEW_TYPES",
    "SCHEMA_URL",
    "Collection",
    "Example",
    "Request",
    "load_collection",
    "url_path",
    "url_query",
]

SCHEMA_URL = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
SCHEMA_FILE = "postman-collection-v2.1.0.schema.json"

# `_postman_previewlanguage` → the Content-Type it stands for
PREVIEW_TYPES = {
    "json": "application/json",
    "xml": "application/xml",
    "html": "text/html",
    "text": "text/plain",
    "raw": "text/plain",
}
_REASONS = {status.phrase.lower(): status.value for status in HTTPStatus}


# ---------------------------------------------------------------- URLs


def _join_host(host: Any) -> str:
    if isinstance(host, list):
        return ".".join(str(part) for part in host)
    return str(host or "")


def _segment(part: Any) -> str:
    if isinstance(part, Mapping):
        return str(part.get("value") or "")
    return str(part)


def _path_variables(url: Mapping[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for entry in url.get("variable") or []:
        if isinstance(entry, Mapping) and entry.get("key") is not None:
            value = entry.get("value")
            found[str(entry["key"])] = "" if value is None else str(value)
    return found


def _fill_path_variables(path: str, values: Mapping[str, str], *, empty_as_wildcard: bool) -> str:
    # The SDK replaces a `:name` segment by the url.variable value, keeping the suffix after the
    # first "." (`:id.json`). An empty value is no documented wildcard; friendly mode treats it as
    # `{{name}}` (research §5 decision 5), strict mode leaves it literal.
    def fill(segment: str) -> str:
        if not segment.startswith(":") or len(segment) < 2:
            return segment
        name, dot, suffix = segment[1:].partition(".")
        value = values.get(name)
        if value:
            return value + dot + suffix
        if empty_as_wildcard and name in values:
            return "{{" + name + "}}" + dot + suffix
        return segment

    return "/".join(fill(segment) for segment in path.split("/"))


def _raw_path(raw: str) -> str:
    """The path of a raw URL whose variables are resolved (host, query and hash dropped)."""
    raw = raw.split("#", 1)[0].split("?", 1)[0]
    if "://" in raw:
        return urlsplit(raw).path or "/"
    if raw.startswith("{{"):  # an unresolved host variable: only the path matters
        end = raw.find("}}")
        raw = raw[end + 2 :]
        return raw if raw.startswith("/") else "/" + raw
    if raw.startswith("/"):
        return raw
    slash = raw.find("/")
    return raw[slash:] if slash >= 0 else "/"


def url_path(
    url: Any, variables: Mapping[str, Any] | None = None, *, empty_as_wildcard: bool = True
) -> str:
    """The path of a request's `url` (a string or an object) with variables resolved.

    An object URL is built from `host` and `path` (as Postman's SDK does), not from `raw`.
    Unresolved `{{var}}` tokens stay in the path: they are the mock's wildcards.
    """
    variables = variables or {}
    if isinstance(url, Mapping) and ("path" in url or "host" in url):
        path = url.get("path")
        text = "/".join(_segment(p) for p in path) if isinstance(path, list) else str(path or "")
        text = text.lstrip("/")
        text = _fill_path_variables(text, _path_variables(url), empty_as_wildcard=empty_as_wildcard)
        host = render(_join_host(url.get("host")), variables)
        prefix = ""
        if host and TOKEN.search(host) is None:
            prefix = urlsplit(host if "://" in host else "//" + host).path.rstrip("/")
        return prefix + "/" + render(text, variables)
    raw = url.get("raw", "") if isinstance(url, Mapping) else str(url or "")
    values = _path_variables(url) if isinstance(url, Mapping) else {}
    path = _raw_path(render(str(raw or ""), variables))
    path = _fill_path_variables(path, values, empty_as_wildcard=empty_as_wildcard)
    return render(path, variables)


def url_query(url: Any, variables: Mapping[str, Any] | None = None) -> list[tuple[str, str]]:
    """The enabled query pairs of a request's `url`, variables resolved (wildcards kept)."""
    variables = variables or {}
    if isinstance(url, Mapping) and isinstance(url.get("query"), list):
        pairs = [
            (str(q.get("key") or ""), "" if q.get("value") is None else str(q.get("value")))
            for q in url["query"]
            if isinstance(q, Mapping) and not q.get("disabled")
        ]
    elif isinstance(url, Mapping) and ("path" in url or "host" in url):
        pairs = []
    else:
        raw = url.get("raw", "") if isinstance(url, Mapping) else str(url or "")
        query = str(raw or "").split("#", 1)[0].partition("?")[2]
        pairs = parse_qsl(query, keep_blank_values=True)
    return [(render(k, variables), render(v, variables)) for k, v in pairs]


def _raw_from_parts(url: Mapping[str, Any]) -> str:
    """Postman's `raw` for a structured URL (kept in step after an edit)."""
    raw = ""
    if url.get("protocol"):
        raw += f"{url['protocol']}://"
    raw += _join_host(url.get("host"))
    if url.get("port"):
        raw += f":{url['port']}"
    path = url.get("path")
    if isinstance(path, list):
        path = "/".join(_segment(p) for p in path)
    if path:
        raw += "/" + str(path).lstrip("/")
    query = url.get("query") or []
    if query:
        raw += "?" + "&".join(
            str(q.get("key") or "") + ("" if q.get("value") is None else f"={q['value']}")
            for q in query
            if isinstance(q, Mapping) and not q.get("disabled")
        )
    if url.get("hash"):
        raw += f"#{url['hash']}"
    return raw


def headers_of(header: Any) -> list[tuple[str, str]]:
    """Enabled `(key, value)` pairs of a Postman `header` (list, raw string or null)."""
    if isinstance(header, str):
        pairs = []
        for line in header.splitlines():
            key, sep, value = line.partition(":")
            if sep and key.strip():
                pairs.append((key.strip(), value.strip()))
        return pairs
    if not isinstance(header, list):
        return []
    found = []
    for entry in header:
        if isinstance(entry, str):
            found.extend(headers_of(entry))
        elif isinstance(entry, Mapping) and not entry.get("disabled") and entry.get("key"):
            value = entry.get("value")
            found.append((str(entry["key"]), "" if value is None else str(value)))
    return found


# ---------------------------------------------------------------- views


def _request_object(request: Any) -> dict[str, Any]:
    # A request may be a bare URL string: it means GET that URL.
    if isinstance(request, str):
        return {"method": "GET", "url": request}
    return request if isinstance(request, dict) else {}


@dataclass(frozen=True, eq=False)
class Request:
    """A request item of the collection (a view over its JSON)."""

    collection: Collection
    data: dict[str, Any]
    where: str
    folder: tuple[str, ...]

    @property
    def name(self) -> str:
        return str(self.data.get("name") or "")

    @property
    def request(self) -> dict[str, Any]:
        return _request_object(self.data.get("request"))

    @property
    def method(self) -> str:
        return str(self.request.get("method") or "GET").upper()

    @property
    def path(self) -> str:
        return url_path(self.request.get("url"), self.collection.variables)

    @property
    def query(self) -> list[tuple[str, str]]:
        return url_query(self.request.get("url"), self.collection.variables)

    def examples(self) -> list[Example]:
        responses = self.data.get("response")
        if not isinstance(responses, list):
            return []
        return [
            Example(self, response, f"{self.where}.response[{i}]")
            for i, response in enumerate(responses)
            if isinstance(response, dict)
        ]

    def __repr__(self) -> str:
        return f"<Request {self.name!r} {self.method} {self.path}>"


@dataclass(frozen=True, eq=False)
class Example:
    """A saved example (an entry of an item's `response[]`), as the mock sees it.

    Matching uses the example's own `originalRequest`, falling back to the item's request.
    """

    item: Request
    data: dict[str, Any]
    where: str

    @property
    def item_name(self) -> str:
        return self.item.name

    @property
    def name(self) -> str:
        return str(self.data.get("name") or "")

    @property
    def id(self) -> str | None:
        value = self.data.get("id")
        return None if value is None else str(value)

    @property
    def folder(self) -> tuple[str, ...]:
        return self.item.folder

    @property
    def request(self) -> dict[str, Any]:
        original = self.data.get("originalRequest")
        return _request_object(original) if original is not None else self.item.request

    @property
    def method(self) -> str:
        return str(self.request.get("method") or "GET").upper()

    @property
    def url(self) -> Any:
        return self.request.get("url")

    @property
    def path(self) -> str:
        return url_path(self.url, self.item.collection.variables)

    @property
    def query(self) -> list[tuple[str, str]]:
        return url_query(self.url, self.item.collection.variables)

    @property
    def code(self) -> int:
        """`code`, else the standard code of the `status` text, else 200 (decision 8)."""
        code = self.data.get("code")
        if isinstance(code, int) and not isinstance(code, bool):
            return code
        status = str(self.data.get("status") or "").strip().lower()
        return _REASONS.get(status, 200)

    @property
    def headers(self) -> list[tuple[str, str]]:
        return headers_of(self.data.get("header"))

    @property
    def body(self) -> str | None:
        body = self.data.get("body")
        return None if body is None else str(body)

    @property
    def preview_language(self) -> str | None:
        return self.data.get("_postman_previewlanguage")

    def json(self) -> Any:
        """The body parsed as JSON, or `None` when it is empty or not JSON."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None

    def __repr__(self) -> str:
        return f"<Example {self.item_name!r} / {self.name!r} {self.code} {self.method} {self.path}>"


# ---------------------------------------------------------------- structure check


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else type(value).__name__
    )


class _Checker:
    """Friendly structural checks, run before the (vaguer) JSON-schema validation."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> None:
        raise CollectionError(message, source=self.source, where=where or None)

    def expect(self, value: Any, types: tuple[type, ...], where: str, what: str) -> None:
        ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
        if not ok:
            self.fail(where, f"{what}, found {_kind(value)}")

    def collection(self, data: Any) -> None:
        self.expect(data, (dict,), "", "a collection must be a JSON object")
        info = data.get("info")
        if info is None:
            self.fail("info", "missing: not a Postman collection (no `info`)")
        self.expect(info, (dict,), "info", "must be an object")
        schema = info.get("schema")
        if not isinstance(schema, str):
            self.fail("info.schema", "missing: not a Postman collection export")
        if "v2.1" not in schema:
            version = re.search(r"v\d+(\.\d+)*", schema)
            found = version.group(0) if version else repr(schema)
            self.fail(
                "info.schema",
                f"this is a {found} collection; export it from Postman as Collection v2.1",
            )
        if not isinstance(info.get("name"), str):
            self.fail("info.name", "a collection needs a name (a string)")
        if "item" not in data:
            self.fail("item", "missing: a collection needs an `item` list")
        self.items(data["item"], "item")
        self.variables(data.get("variable"), "variable")

    def variables(self, value: Any, where: str) -> None:
        if value is None:
            return
        self.expect(value, (list,), where, "must be a list of {key, value} objects")
        for i, entry in enumerate(value):
            self.expect(entry, (dict,), f"{where}[{i}]", "must be an object")
            if "key" not in entry and "id" not in entry:
                self.fail(f"{where}[{i}]", "a variable needs a `key`")

    def items(self, items: Any, where: str) -> None:
        self.expect(items, (list,), where, "must be a list of items and folders")
        for i, item in enumerate(items):
            here = f"{where}[{i}]"
            self.expect(item, (dict,), here, "must be an object (a request item or a folder)")
            self.variables(item.get("variable"), f"{here}.variable")
            if "item" in item:
                self.items(item["item"], f"{here}.item")
                continue
            if "request" not in item:
                self.fail(here, "a request item needs a `request` (or an `item` list if a folder)")
            self.request(item["request"], f"{here}.request")
            responses = item.get("response")
            if responses is None:
                continue
            self.expect(responses, (list,), f"{here}.response", "must be a list of examples")
            for j, response in enumerate(responses):
                self.response(response, f"{here}.response[{j}]")

    def request(self, request: Any, where: str) -> None:
        if isinstance(request, str):
            return
        self.expect(request, (dict,), where, "must be an object or a URL string")
        if "method" in request:
            self.expect(request["method"], (str,), f"{where}.method", "must be a string")
        self.headers(request.get("header"), f"{where}.header")
        if "url" in request:
            self.url(request["url"], f"{where}.url")
        body = request.get("body")
        if body is not None:
            self.expect(body, (dict,), f"{where}.body", "must be an object or null")

    def url(self, url: Any, where: str) -> None:
        if isinstance(url, str):
            return
        self.expect(url, (dict,), where, "must be a string or an object")
        if "host" in url:
            self.expect(url["host"], (str, list), f"{where}.host", "must be a string or a list")
        if "path" in url:
            self.expect(url["path"], (str, list), f"{where}.path", "must be a string or a list")
        if "query" in url:
            self.expect(url["query"], (list,), f"{where}.query", "must be a list")
            for i, q in enumerate(url["query"]):
                self.expect(q, (dict,), f"{where}.query[{i}]", "must be a {key, value} object")

    def headers(self, header: Any, where: str) -> None:
        if header is None or isinstance(header, str):
            return
        self.expect(header, (list,), where, "must be a list of {key, value} objects")
        for i, entry in enumerate(header):
            if isinstance(entry, str):
                continue
            self.expect(entry, (dict,), f"{where}[{i}]", "must be a {key, value} object")
            for key in ("key", "value"):
                if key not in entry:
                    self.fail(f"{where}[{i}]", f"a header needs a `{key}`")

    def response(self, response: Any, where: str) -> None:
        self.expect(response, (dict,), where, "an example must be an object")
        if "code" in response:
            self.expect(response["code"], (int,), f"{where}.code", "must be an integer")
        if response.get("body") is not None:
            self.expect(response["body"], (str,), f"{where}.body", "must be a string or null")
        if "name" in response:
            self.expect(response["name"], (str,), f"{where}.name", "must be a string")
        self.headers(response.get("header"), f"{where}.header")
        if response.get("originalRequest") is not None:
            self.request(response["originalRequest"], f"{where}.originalRequest")


def _json_path(parts: Any) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


_VALIDATOR: Any = None


def _validator() -> Any:
    global _VALIDATOR
    if _VALIDATOR is None:
        from jsonschema import Draft7Validator

        from ..home import data_file

        schema = json.loads(data_file(SCHEMA_FILE).read_text(encoding="utf-8"))
        _VALIDATOR = Draft7Validator(schema)
    return _VALIDATOR


def _quick_validator() -> Any:
    """A yes/no check of the v2.1 schema, compiled to Python code by fastjsonschema.

    It takes a 10,000-example collection in well under a second where Draft7Validator takes
    several; Draft7Validator still words every problem when it says no.
    """
    global _QUICK
    if _QUICK is None:
        import fastjsonschema

        from ..home import data_file

        schema = json.loads(data_file(SCHEMA_FILE).read_text(encoding="utf-8"))
        # no defaults written into the data, no format checks: as Draft7Validator does
        check = fastjsonschema.compile(schema, use_default=False, use_formats=False)

        def quick(data: Any) -> bool:
            try:
                check(data)
            except fastjsonschema.JsonSchemaException:
                return False
            return True

        _QUICK = quick
    return _QUICK


_QUICK: Any = None

# ---------------------------------------------------------------- files


def read_file(path: Path, error: type[CollectionError] = CollectionError) -> str:
    """A file's text (UTF-8, a BOM dropped); a missing or unreadable file is one `error`."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error("no such file", source=str(path)) from None
    except (OSError, ValueError) as exc:  # ValueError: not UTF-8, or a NUL in the path
        raise error(f"cannot read the file ({exc})", source=str(path)) from None


def parse_json(text: str, source: str, error: type[CollectionError] = CollectionError) -> Any:
    """Parsed JSON; text that is not JSON is one `error` saying where it breaks."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(
            f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}", source=source
        ) from None
    except RecursionError:
        raise error(_TOO_DEEP, source=source) from None


# ---------------------------------------------------------------- the collection


class Collection:
    """A Postman Collection v2.1 backed by its parsed JSON (`collection.data`).

    ```python
    collection = Collection.from_file("time_punching_integration.postman_collection.json")
    [e.name for e in collection.examples()]
    collection.requests_frame()
    ```
    """

    def __init__(self, data: Mapping[str, Any], *, source: str = "<dict>") -> None:
        self.source = source
        _Checker(source).collection(data)
        self.data: dict[str, Any] = data if isinstance(data, dict) else copy.deepcopy(dict(data))
        self._raw_at_load = {id(url): _raw_from_parts(url) for url in self._urls()}

    # -- loading

    @classmethod
    def from_file(cls, path: str | Path, *, validate: bool = True) -> Collection:
        """Load a collection file; any problem is one `CollectionError` naming the file."""
        path = Path(path)
        source = str(path)
        data = parse_json(read_file(path), source)
        if _deeper_than(data, MAX_NESTING):
            raise CollectionError(_TOO_DEEP, source=source)
        return cls._checked(data, source=source, validate=validate)  # freshly parsed: no copy

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, source: str = "<dict>", validate: bool = True
    ) -> Collection:
        """A collection from parsed JSON; it works on its own copy, so edits never reach `data`."""
        if _deeper_than(data, MAX_NESTING):
            raise CollectionError(_TOO_DEEP, source=source)
        return cls._checked(
            copy.deepcopy(data) if isinstance(data, dict) else data,
            source=source,
            validate=validate,
        )

    @classmethod
    def _checked(cls, data: Any, *, source: str, validate: bool) -> Collection:
        collection = cls(data, source=source)
        if validate:
            problems = collection.validate()
            if problems:
                where, message = problems[0]
                raise CollectionError(message, source=source, where=where or None)
        return collection

    # -- views

    @property
    def name(self) -> str:
        return str(self.data["info"].get("name") or "")

    @property
    def id(self) -> str | None:
        return self.data["info"].get("_postman_id")

    @property
    def variables(self) -> dict[str, Any]:
        """Collection variables (initial values), disabled ones skipped."""
        found: dict[str, Any] = {}
        for entry in self.data.get("variable") or []:
            if isinstance(entry, Mapping) and not entry.get("disabled"):
                key = entry.get("key", entry.get("id"))
                if key is not None:
                    found[str(key)] = entry.get("value")
        return found

    def _walk(self, items: list[Any], where: str, folder: tuple[str, ...]) -> Iterator[Request]:
        for i, item in enumerate(items):
            here = f"{where}[{i}]"
            if not isinstance(item, dict):
                continue
            if isinstance(item.get("item"), list):
                yield from self._walk(item["item"], f"{here}.item", (*folder, item.get("name", "")))
            else:
                yield Request(self, item, here, folder)

    def requests(self) -> list[Request]:
        """Every request item, folders flattened, in document order."""
        return list(self._walk(self.data["item"], "item", ()))

    def examples(self) -> list[Example]:
        """Every saved example, in document order."""
        return [example for request in self.requests() for example in request.examples()]

    def example(self, item: str, name: str) -> Example:
        """The example `name` of the request item `item` (its name or folder path `a/b/item`)."""
        for example in self.examples():
            full = "/".join((*example.folder, example.item_name))
            if item in (example.item_name, full) and example.name == name:
                return example
        raise CollectionError(f"no example {name!r} in item {item!r}", source=self.source)

    # -- inspect

    def requests_frame(self) -> pandas.DataFrame:
        """One row per example: item, example, method, path, query, status, body preview."""
        import pandas

        rows = [
            {
                "item": "/".join((*e.folder, e.item_name)),
                "example": e.name,
                "method": e.method,
                "path": e.path,
                "query": "&".join(f"{k}={v}" for k, v in e.query),
                "status": e.code,
                "body": (e.body or "").replace("\n", " ")[:60],
            }
            for e in self.examples()
        ]
        return pandas.DataFrame(
            rows, columns=["item", "example", "method", "path", "query", "status", "body"]
        )

    def users(self) -> list[dict[str, Any]]:
        """The users in the examples' bodies as `{id, name, email}`, de-duplicated by id.

        Both shapes count: formatted (`id`, `email`) and not formatted (`punch_clock_id`,
        `punch_clock_email`).
        """
        from .live import ID_RULE, parse_id

        users: dict[int, dict[str, Any]] = {}
        for example, entry, id_key, email_key in self._user_entries():
            user_id = parse_id(entry[id_key])
            if user_id is None:
                raise CollectionError(
                    f"user {id_key} {entry[id_key]!r} is not {ID_RULE}",
                    source=self.source,
                    where=f"{example.where}.body",
                )
            users.setdefault(
                user_id,
                {"id": user_id, "name": str(entry.get("name", "")), "email": entry[email_key]},
            )
        return list(users.values())

    def users_frame(self) -> pandas.DataFrame:
        import pandas

        return pandas.DataFrame(self.users(), columns=["id", "name", "email"])

    def _user_entries(self) -> Iterator[tuple[Example, dict[str, Any], str, str]]:
        for example in self.examples():
            body = example.json()
            users = body.get("users") if isinstance(body, dict) else None
            if not isinstance(users, list):
                continue
            for entry in users:
                if not isinstance(entry, dict):
                    continue
                for id_key, email_key in (("id", "email"), ("punch_clock_id", "punch_clock_email")):
                    user_id = entry.get(id_key)
                    is_int = isinstance(user_id, int) and not isinstance(user_id, bool)
                    is_int = is_int or (
                        isinstance(user_id, str) and user_id.isascii() and user_id.isdecimal()
                    )
                    if is_int and isinstance(entry.get(email_key), str):
                        yield example, entry, id_key, email_key
                        break

    # -- edit

    def align_emails(
        self,
        mapping: Mapping[str, str] | None = None,
        *,
        by_external_id: Mapping[int | str, str] | None = None,
    ) -> list[dict[str, Any]]:
        """Tutorial step 2.6: make the example emails those of the sandbox agents.

        Give either `{old_email: new_email}` or `by_external_id={external_id: new_email}`.
        Both users endpoints and both key shapes are edited; the body text keeps its layout.
        Returns one row per changed user entry (`item`, `example`, `id`, `old`, `new`).
        An unknown id or email raises `CollectionError` and changes nothing.
        """
        if (mapping is None) == (by_external_id is None):
            raise CollectionError(
                "give either an {old_email: new_email} mapping or by_external_id",
                source=self.source,
            )
        entries = list(self._user_entries())
        if by_external_id is not None:
            known_ids = {int(e[i]) for _, e, i, _ in entries}
            try:
                wanted = {int(k): str(v) for k, v in by_external_id.items()}
            except (TypeError, ValueError):
                raise CollectionError("external IDs must be integers", source=self.source) from None
            unknown = sorted(set(wanted) - known_ids)
            if unknown:
                raise CollectionError(
                    f"no user with external ID {', '.join(map(str, unknown))} in the examples "
                    f"(known: {', '.join(map(str, sorted(known_ids)))})",
                    source=self.source,
                )

            def new_email(entry: dict[str, Any], id_key: str, email_key: str) -> str | None:
                return wanted.get(int(entry[id_key]))
        else:
            assert mapping is not None
            known_emails = {e[m] for _, e, _, m in entries}
            unknown_emails = [old for old in mapping if old not in known_emails]
            if unknown_emails:
                raise CollectionError(
                    f"no user with email {', '.join(unknown_emails)} in the examples",
                    source=self.source,
                )

            def new_email(entry: dict[str, Any], id_key: str, email_key: str) -> str | None:
                return mapping.get(entry[email_key])

        changes: list[dict[str, Any]] = []
        texts: dict[int, tuple[Example, str]] = {}
        done: set[tuple[int, str, str]] = set()
        for example, entry, id_key, email_key in entries:
            new = new_email(entry, id_key, email_key)
            old = entry[email_key]
            if new is None or new == old:
                continue
            key = id(example.data)
            text = texts.get(key, (example, example.body or ""))[1]
            # Replace the JSON string in place so the saved body keeps its layout. It may be
            # written with \u escapes or, as Postman saves it, in plain UTF-8.
            escaped, plain = json.dumps(old), json.dumps(old, ensure_ascii=False)
            pattern = re.compile(
                r'("' + re.escape(email_key) + r'"\s*:\s*)'
                r"(" + "|".join(re.escape(form) for form in dict.fromkeys((plain, escaped))) + ")"
            )

            def replace(match: re.Match[str], new: str = new, escaped: str = escaped) -> str:
                return match.group(1) + json.dumps(new, ensure_ascii=match.group(2) == escaped)

            text, count = pattern.subn(replace, text)
            if not count and (key, email_key, old) not in done:  # nothing written yet
                raise CollectionError(
                    f"cannot find {email_key!r}: {old!r} in the body text to replace it",
                    source=self.source,
                    where=f"{example.where}.body",
                )
            done.add((key, email_key, old))
            texts[key] = (example, text)
            changes.append(
                {
                    "item": example.item_name,
                    "example": example.name,
                    "id": int(entry[id_key]),
                    "old": old,
                    "new": new,
                }
            )
        for example, text in texts.values():
            example.data["body"] = text
        return changes

    def set_example_body(self, item: str, example: str, body: Any) -> Example:
        """Replace an example's body: a string as is, anything else stored as JSON text.

        A JSON body sets `_postman_previewlanguage` to `json` and, when the example has no
        Content-Type, adds `Content-Type: application/json`.
        """
        target = self.example(item, example)
        if isinstance(body, str | bytes):
            text = body.decode() if isinstance(body, bytes) else body
        else:
            try:
                text = json.dumps(body, indent=4, ensure_ascii=False)
            except (TypeError, ValueError) as exc:
                raise CollectionError(
                    f"the body cannot be saved as JSON ({exc})",
                    source=self.source,
                    where=f"{target.where}.body",
                ) from None
        target.data["body"] = text
        is_json = True
        try:
            json.loads(text)
        except ValueError:
            is_json = False
        headers = target.data.get("header")
        has_type = any(k.lower() == "content-type" for k, _ in headers_of(headers))
        if is_json:
            target.data["_postman_previewlanguage"] = "json"
            if not has_type:
                entry = {"key": "Content-Type", "value": "application/json"}
                if isinstance(headers, list):
                    headers.append(entry)
                elif not headers:
                    target.data["header"] = [entry]
        elif has_type:
            media = next(v for k, v in headers_of(headers) if k.lower() == "content-type")
            language = next(
                (lang for lang, kind in PREVIEW_TYPES.items() if media.startswith(kind)), "text"
            )
            target.data["_postman_previewlanguage"] = language
        else:
            target.data["_postman_previewlanguage"] = "text"
        return target

    def _urls(self) -> Iterator[dict[str, Any]]:
        for request in self.requests():
            holders = [request.data.get("request")]
            holders += [
                r.get("originalRequest")
                for r in request.data.get("response") or []
                if isinstance(r, dict)
            ]
            for holder in holders:
                url = holder.get("url") if isinstance(holder, dict) else None
                if isinstance(url, dict) and ("path" in url or "host" in url):
                    yield url

    # -- save

    def validate(self) -> list[tuple[str, str]]:
        """Problems against the v2.1 JSON schema, as `(json_path, message)`; empty when valid."""
        if _quick_validator()(self.data):
            return []
        from jsonschema.exceptions import best_match

        validator = _validator()
        problems = []
        for error in validator.iter_errors(self.data):
            best = best_match([error]) if error.context else error
            problems.append((_json_path(best.absolute_path), best.message))
        return sorted(problems)

    def to_json(self) -> str:
        """The collection as Postman writes it (tab indent), checked against the schema."""
        # Postman reads the structured URL and ignores `raw`; keep `raw` in step with the parts,
        # but only for URLs whose parts were edited since loading (touch only what changed).
        for url in self._urls():
            now = _raw_from_parts(url)
            if self._raw_at_load.get(id(url), url.get("raw")) != now or "raw" not in url:
                url["raw"] = now
        problems = self.validate()
        if problems:
            where, message = problems[0]
            raise CollectionError(
                f"not a valid v2.1 collection: {message}", source=self.source, where=where or None
            )
        return json.dumps(self.data, indent="\t", ensure_ascii=False)

    def save(self, path: str | Path) -> Path:
        """Write the collection for Postman to import (validated first; nothing written if not)."""
        text = self.to_json()
        path = Path(path)
        path.write_text(text + "\n", encoding="utf-8")
        return path

    def copy(self) -> Collection:
        """An independent copy (edits to it leave this collection alone).

        Its errors name it as an edited copy of the collection (by name), not as the file the
        original came from: that file is not what the copy's edits change.

        ```python
        edited = collection.copy()
        edited.source                    # "edited copy of 'Time Punching Integration'"
        ```
        """
        return Collection(copy.deepcopy(self.data), source=f"edited copy of {self.name!r}")

    def __repr__(self) -> str:
        return f"<Collection {self.name!r}: {len(self.examples())} examples>"


MAX_NESTING = 200  # levels of JSON objects and arrays (a folder costs two)
_TOO_DEEP = f"nested more than {MAX_NESTING} levels deep (folders inside folders?)"


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether `data` nests more than `limit` levels of objects and arrays (no recursion)."""
    level: list[Any] = [data] if isinstance(data, Mapping | list) else []
    for _ in range(limit):
        # parsed JSON holds dicts and lists (a plain isinstance is much faster than Mapping's)
        level = [
            child
            for value in level
            for child in (value.values() if isinstance(value, Mapping) else value)
            if isinstance(child, dict | list)
        ]
        if not level:
            return False
    return bool(level)


def load_collection(source: str | Path | Mapping[str, Any], *, validate: bool = True) -> Collection:
    """Load a Postman Collection v2.1 from a file path or an already parsed mapping.

    ```python
    collection = load_collection(data_file(TUTORIAL_COLLECTION))
    ```
    """
    if isinstance(source, Collection):
        return source
    if isinstance(source, Mapping):
        return Collection.from_dict(source, validate=validate)
    return Collection.from_file(source, validate=validate)
