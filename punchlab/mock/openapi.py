"""OpenAPI import: an OpenAPI 3.0 or 3.1 document (JSON or YAML) as a Postman `Collection`.

It follows Postman's importer: a folder per tag, a request per operation (named by its
`summary`, else its `operationId`), path parameters as `:name` segments, query parameters and
JSON bodies filled from the document's examples, and a saved example per documented response
(its `examples`, its `example`, else one generated from the schema, the same every time).
The result is an ordinary `Collection`: `MockServer(collection)` replays it, `explain()` shows
its matching, `save()` writes it for Postman.

```python
collection = load_openapi(data_file("workforce_vendor.openapi.yaml"))
collection.requests()            # [<Request 'List employees' GET /v1/employees>, ...]
collection.import_report         # what was generated, and what could not be imported
with MockServer(collection).serve() as running:
    httpx.get(f"{running.url}/v1/employees", params={"offset": 5, "limit": 5}).json()
```

What the import writes, for the code that reads it back:

* A path parameter `{employee_id}` becomes the segment `:employee_id` whose Postman path
  variable has the value `{{employee_id}}` (no collection variable of that name, so the mock
  treats it as a wildcard and answers for any ID) and a `type`: `"string"`, `"number"` (for
  OpenAPI `integer` and `number`), `"boolean"` or `"any"`, the types a Postman variable has.
  The exact OpenAPI types are in `collection.import_report.parameters`.
* Query and header parameters carry their example value (a named response example uses the
  parameter examples of the same name, so each page of a paged list has its own query).
* `{{baseUrl}}` is a collection variable: the document's first server URL.
* `collection.import_report` (an `ImportReport`) lists every part of the document that was not
  imported (callbacks, links, webhooks, external `$ref`s, other media types, ...), the examples
  it generated, and sample values for the variables (`report.variables`).

A document that cannot be imported raises one `OpenAPIError` naming the file and the JSON path
(a `$ref` cycle, a `$ref` to nothing, a document the OpenAPI schema refuses, not YAML/JSON).
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import OpenAPIError
from .collection import SCHEMA_URL, Collection
from .openapi_document import Resolver, Where, check_document, json_path, read_document
from .schema_sample import sample, schema_type

if TYPE_CHECKING:
    import pandas

__all__ = ["ImportReport", "Parameter", "load_openapi"]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_LANGUAGES = {"json": "json", "xml": "xml", "html": "html"}


# ---------------------------------------------------------------- the report


@dataclass(frozen=True)
class Parameter:
    """A parameter of an imported request, with its OpenAPI type (`"integer"`, `"string"`...)."""

    name: str
    location: str
    type: str | None
    required: bool
    example: Any
    description: str = ""


@dataclass
class ImportReport:
    """What `load_openapi` made of a document (attached as `collection.import_report`).

    * `unsupported`: `(where, what)` for every part that was not imported (never dropped
      silently): callbacks, links, webhooks, external `$ref`s, other media types, ...
    * `generated`: the saved examples whose body was generated from a schema.
    * `parameters`: each request's parameters (key `"folder/request name"`), OpenAPI types.
    * `variables`: sample values for the `{{...}}` variables the requests use (a Postman
      environment to run them with, e.g. under newman).
    """

    source: str
    openapi: str
    requests: int = 0
    examples: int = 0
    generated: list[str] = field(default_factory=list)
    unsupported: list[tuple[str, str]] = field(default_factory=list)
    parameters: dict[str, list[Parameter]] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)

    def skip(self, where: Where, what: str) -> None:
        entry = (json_path(where), what)
        if entry not in self.unsupported:
            self.unsupported.append(entry)

    def frame(self) -> pandas.DataFrame:
        """The parts not imported, one row each (`where`, `what`)."""
        import pandas

        return pandas.DataFrame(self.unsupported, columns=["where", "what"])

    def __str__(self) -> str:
        lines = [
            f"{self.source} (OpenAPI {self.openapi}): {self.requests} requests, "
            f"{self.examples} examples ({len(self.generated)} generated from schemas)"
        ]
        if self.unsupported:
            lines.append(f"not imported ({len(self.unsupported)}):")
            lines += [f"  {where}: {what}" for where, what in self.unsupported]
        return "\n".join(lines)


def _postman_type(schema: Any) -> str:
    kind = schema_type(schema)
    return {"string": "string", "integer": "number", "number": "number", "boolean": "boolean"}.get(
        kind or "", "any"
    )


# ---------------------------------------------------------------- the collection


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _media(content: Mapping[str, Any]) -> str | None:
    """The media type to import: JSON first, then forms, then the first listed."""
    types = list(content)
    for test in (
        lambda t: t.split(";")[0].strip().lower() == "application/json",
        lambda t: t.split(";")[0].strip().lower().endswith("+json"),
        lambda t: "json" in t.lower(),
        lambda t: t.lower().startswith("application/x-www-form-urlencoded"),
        lambda t: t.lower().startswith("multipart/form-data"),
    ):
        found = next((t for t in types if test(t)), None)
        if found:
            return found
    return types[0] if types else None


def _language(media: str) -> str:
    lowered = media.lower()
    for needle, language in _LANGUAGES.items():
        if needle in lowered:
            return language
    return "text"


def _status(key: str) -> int | None:
    if key.isdigit():
        return int(key)
    if re.fullmatch(r"[1-5]XX", key, re.IGNORECASE):
        return int(key[0]) * 100
    return None


class _Builder:
    def __init__(
        self,
        doc: dict[str, Any],
        source: str,
        report: ImportReport,
        *,
        base_url: str | None,
        name: str | None,
    ) -> None:
        self.doc, self.source, self.report = doc, source, report
        self.refs = Resolver(doc, source)
        self.base_url = base_url
        self.name = name
        self.names: set[str] = set()  # example names, unique across the collection

    # -- the whole document

    def collection(self) -> dict[str, Any]:
        doc = self.doc
        info = doc.get("info") or {}
        title = self.name or str(info.get("title") or "Imported API")
        for key in ("webhooks", "x-webhooks"):
            for hook in doc.get(key) or {}:
                self.report.skip((key, hook), "webhook (an incoming request): not imported")
        for key in ("callbacks", "links"):
            for entry in (doc.get("components") or {}).get(key) or {}:
                self.report.skip(("components", key, entry), f"reusable {key[:-1]}: not imported")
        folders: dict[str, dict[str, Any]] = {}
        for tag in doc.get("tags") or []:
            if isinstance(tag, dict) and tag.get("name"):
                folder = {"name": str(tag["name"]), "item": []}
                if tag.get("description"):
                    folder["description"] = str(tag["description"])
                folders[str(tag["name"])] = folder
        top: list[dict[str, Any]] = []
        for path, raw_item in (doc.get("paths") or {}).items():
            path_item, item_where = self.refs.shallow(raw_item, ("paths", path))
            if not isinstance(path_item, dict):
                continue
            if path_item.get("servers"):
                self.report.skip((*item_where, "servers"), "servers of one path: baseUrl is used")
            for method in _METHODS:
                operation = path_item.get(method)
                if not isinstance(operation, dict):
                    continue
                tags = operation.get("tags") or []
                folder = str(tags[0]) if tags else None  # the first tag, as Postman's importer
                if len(tags) > 1:
                    self.report.skip(
                        (*item_where, method, "tags"),
                        f"tags after the first ({', '.join(map(str, tags[1:]))}): "
                        f"the request is only in folder {folder!r}",
                    )
                if folder is not None and folder not in folders:
                    folders[folder] = {"name": folder, "item": []}
                item = self.operation(path, method, path_item, operation, item_where, folder)
                (folders[folder]["item"] if folder is not None else top).append(item)
        items = [f for f in folders.values() if f["item"]] + top
        base_url = self.server_url()
        collection: dict[str, Any] = {
            "info": {
                "_postman_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"punchlab-openapi:{title}")),
                "name": title,
                "schema": SCHEMA_URL,
            },
            "item": items,
            "variable": [{"key": "baseUrl", "value": base_url, "type": "string"}],
        }
        if info.get("description"):
            collection["info"]["description"] = str(info["description"])
        auth = self.auth(doc.get("security"), ("security",))
        if auth is not None:
            collection["auth"] = auth
        self.report.variables = {"baseUrl": base_url, **self.report.variables}
        return collection

    def server_url(self) -> str:
        if self.base_url is not None:
            return self.base_url.rstrip("/")
        servers = self.doc.get("servers") or [{"url": "/"}]
        if len(servers) > 1:
            self.report.skip(("servers",), "servers after the first: baseUrl is servers[0]")
        server = servers[0] if isinstance(servers[0], dict) else {"url": "/"}
        url = str(server.get("url") or "/")
        for name, variable in (server.get("variables") or {}).items():
            url = url.replace("{" + name + "}", _text((variable or {}).get("default")))
        return url.rstrip("/")

    # -- auth

    def auth(self, requirements: Any, where: Where) -> dict[str, Any] | None:
        if requirements is None:
            return None
        if requirements == []:
            return {"type": "noauth"}
        schemes = (self.doc.get("components") or {}).get("securitySchemes") or {}
        for requirement in requirements:
            if not requirement:
                return {"type": "noauth"}  # `{}` in the list: anonymous access is allowed
            for name in requirement:
                raw = schemes.get(name)
                scheme, _ = self.refs.shallow(raw, ("components", "securitySchemes", name))
                converted = _postman_auth(scheme or {})
                if converted is not None:
                    return converted
        names = ", ".join(sorted({n for r in requirements for n in r}))
        self.report.skip(where, f"security ({names}): no Postman auth of that kind")
        return None

    # -- one operation

    def operation(
        self,
        path: str,
        method: str,
        path_item: dict[str, Any],
        operation: dict[str, Any],
        item_where: Where,
        folder: str | None,
    ) -> dict[str, Any]:
        where = (*item_where, method)
        name = str(
            operation.get("summary") or operation.get("operationId") or f"{method.upper()} {path}"
        ).strip()
        key = f"{folder}/{name}" if folder else name
        for callback in operation.get("callbacks") or {}:
            self.report.skip((*where, "callbacks", callback), "callback: not imported")
        if operation.get("servers"):
            self.report.skip((*where, "servers"), "servers of one operation: baseUrl is used")
        parameters = self.parameters(path_item, operation, item_where, where)
        self.report.parameters[key] = [p for p, _ in parameters]
        body = self.request_body(operation.get("requestBody"), (*where, "requestBody"))
        request = self.request(path, method, parameters, body, None)
        description = str(operation.get("description") or "")
        if operation.get("deprecated"):
            description = ("Deprecated. " + description).strip()
        if description:
            request["description"] = description
        auth = self.auth(operation.get("security"), (*where, "security"))
        if auth is not None:
            request["auth"] = auth
        responses = []
        for code_key, raw in (operation.get("responses") or {}).items():
            responses += self.responses(
                str(code_key),
                raw,
                (*where, "responses", code_key),
                path,
                method,
                parameters,
                body,
                name,
            )
        self.report.requests += 1
        self.report.examples += len(responses)
        return {"name": name, "request": request, "response": responses}

    def parameters(
        self, path_item: dict[str, Any], operation: dict[str, Any], item_where: Where, where: Where
    ) -> list[tuple[Parameter, dict[str, Any]]]:
        found: dict[tuple[str, str], tuple[Parameter, dict[str, Any]]] = {}
        sources = [
            (path_item.get("parameters") or [], (*item_where, "parameters")),
            (operation.get("parameters") or [], (*where, "parameters")),
        ]
        for entries, base in sources:
            for i, raw in enumerate(entries):
                spec = self.refs.deep(raw, (*base, i))
                if not isinstance(spec, dict) or "name" not in spec:
                    continue
                location = str(spec.get("in"))
                if location == "cookie":
                    self.report.skip((*base, i), f"cookie parameter {spec['name']!r}: not imported")
                    continue
                schema = _parameter_schema(spec)
                self._external_examples(spec.get("examples"), (*base, i, "examples"))
                parameter = Parameter(
                    name=str(spec["name"]),
                    location=location,
                    type=schema_type(schema),
                    required=bool(spec.get("required")) or location == "path",
                    example=_parameter_example(spec, None),
                    description=str(spec.get("description") or ""),
                )
                found[(parameter.name, location)] = (parameter, spec)
                if location == "path":
                    self.report.variables.setdefault(parameter.name, _text(parameter.example))
        return list(found.values())

    def request_body(self, raw: Any, where: Where) -> dict[str, Any] | None:
        if raw is None:
            return None
        spec = self.refs.deep(raw, where)
        content = spec.get("content") or {}
        media = _media(content)
        if media is None:
            return None
        for other in content:
            if other != media:
                self.report.skip(
                    (*where, "content", other),
                    f"request body as {other}: the request sends {media}",
                )
        self._external_examples(content[media].get("examples"), (*where, "content", media))
        if content[media].get("encoding"):
            self.report.skip(
                (*where, "content", media, "encoding"), "encoding of form fields: not imported"
            )
        return {"media": media, **content[media]}

    def _external_examples(self, examples: Any, where: Where) -> None:
        for key, example in (examples or {}).items() if isinstance(examples, dict) else []:
            if isinstance(example, dict) and "externalValue" in example and "value" not in example:
                self.report.skip((*where, key), "example with externalValue: not imported")

    # -- the Postman request (the item's, or an example's originalRequest)

    def request(
        self,
        path: str,
        method: str,
        parameters: list[tuple[Parameter, dict[str, Any]]],
        body: dict[str, Any] | None,
        example_key: str | None,
    ) -> dict[str, Any]:
        segments, variables = [], []
        for segment in path.strip("/").split("/") if path.strip("/") else []:
            whole = re.fullmatch(r"\{([^{}]+)\}(\..*)?", segment)
            if whole:
                segments.append(":" + whole.group(1) + (whole.group(2) or ""))
            else:
                segments.append(re.sub(r"\{([^{}]+)\}", r"{{\1}}", segment))
        headers, query = [], []
        for parameter, spec in parameters:
            value = _parameter_example(spec, example_key)
            if parameter.location == "path":
                entry = {
                    "key": parameter.name,
                    "value": "{{" + parameter.name + "}}",
                    "type": _postman_type(_parameter_schema(spec)),
                }
                if parameter.description:
                    entry["description"] = parameter.description
                variables.append(entry)
            elif parameter.location == "query":
                for key, text in _query_pairs(parameter.name, value, spec):
                    entry = {"key": key, "value": text}
                    if parameter.description:
                        entry["description"] = parameter.description
                    query.append(entry)
            elif parameter.location == "header" and parameter.name.lower() not in (
                "accept",
                "content-type",
                "authorization",
            ):
                headers.append({"key": parameter.name, "value": _text(value)})
        request: dict[str, Any] = {"method": method.upper(), "header": headers}
        if body is not None:
            media = body["media"]
            headers.append({"key": "Content-Type", "value": media})
            request["body"] = _postman_body(
                media, _named_example(body, example_key, body.get("schema"))
            )
        url: dict[str, Any] = {"host": ["{{baseUrl}}"], "path": segments}
        if query:
            url["query"] = query
        if variables:
            url["variable"] = variables
        raw = "{{baseUrl}}/" + "/".join(segments)
        if query:
            raw += "?" + "&".join(f"{q['key']}={q['value']}" for q in query)
        request["url"] = {"raw": raw, **url}
        return request

    # -- responses and their saved examples

    def responses(
        self,
        code_key: str,
        raw: Any,
        where: Where,
        path: str,
        method: str,
        parameters: list[tuple[Parameter, dict[str, Any]]],
        body: dict[str, Any] | None,
        item_name: str,
    ) -> list[dict[str, Any]]:
        shallow, _ = self.refs.shallow(raw, where)
        if isinstance(shallow, dict) and shallow.get("links"):
            for link in shallow["links"]:
                self.report.skip((*where, "links", link), "link: not imported")
            shallow = {k: v for k, v in shallow.items() if k != "links"}
        spec = self.refs.deep(shallow, where)
        code = _status(code_key)
        if code is None:  # `default`: Postman's importer saves it as a 500
            self.report.skip(where, f"response {code_key!r} has no status code: saved as 500")
            code = 500
        description = str(spec.get("description") or "").strip().splitlines()
        title = description[0][:80].strip() if description and description[0] else None
        headers = []
        for name, header in (spec.get("headers") or {}).items():
            if name.lower() == "content-type" or not isinstance(header, dict):
                continue
            value = header.get("example")
            if value is None and isinstance(header.get("examples"), dict) and header["examples"]:
                value = next(iter(header["examples"].values())).get("value")
            if value is None:
                value = sample(header.get("schema"))
            headers.append({"key": name, "value": _text(value)})
        content = spec.get("content") or {}
        media = _media(content)
        if media is None:
            entries = [(title or _phrase(code), None, None, False)]
        else:
            for other in content:
                if other != media:
                    self.report.skip(
                        (*where, "content", other), f"response as {other}: saved as {media}"
                    )
            entries = list(self._bodies(content[media], (*where, "content", media), title, code))
            headers.insert(0, {"key": "Content-Type", "value": media})
        saved = []
        for name, key, value, generated in entries:
            unique = self._unique(name, item_name)
            if generated:
                self.report.generated.append(f"{item_name} / {unique}")
            example: dict[str, Any] = {
                "name": unique,
                "originalRequest": self.request(path, method, parameters, body, key),
                "status": _phrase(code),
                "code": code,
                "header": copy.deepcopy(headers),
                "cookie": [],
                "body": "" if media is None else _body_text(media, value),
            }
            if media is not None:
                example["_postman_previewlanguage"] = _language(media)
            saved.append(example)
        return saved

    def _bodies(
        self, media_spec: dict[str, Any], where: Where, title: str | None, code: int
    ) -> Iterator[tuple[str, str | None, Any, bool]]:
        examples = media_spec.get("examples")
        if isinstance(examples, dict) and examples:
            self._external_examples(examples, (*where, "examples"))
            for key, example in examples.items():
                if isinstance(example, dict) and "value" in example:
                    yield str(key), str(key), example["value"], False
            return
        if "example" in media_spec:
            yield title or _phrase(code), None, media_spec["example"], False
            return
        yield title or _phrase(code), None, sample(media_spec.get("schema")), True

    def _unique(self, name: str, item_name: str) -> str:
        # Postman's mock picks an example by name across the whole collection: keep names unique
        candidate = name
        if candidate in self.names:
            candidate = f"{name} ({item_name})"
        number = 2
        while candidate in self.names:
            candidate = f"{name} ({item_name}) {number}"
            number += 1
        self.names.add(candidate)
        return candidate


# ---------------------------------------------------------------- small helpers


def _phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return str(code)


def _named_example(spec: Mapping[str, Any], key: str | None, schema: Any) -> Any:
    """The value for the response example `key` of a parameter or a request body: its example
    of that name, else its own `example`, else its first named example, else one from `schema`."""
    examples = spec.get("examples")
    named = examples if isinstance(examples, dict) else {}
    if key is not None and isinstance(named.get(key), dict) and "value" in named[key]:
        return named[key]["value"]
    if "example" in spec:
        return spec["example"]
    for example in named.values():
        if isinstance(example, dict) and "value" in example:
            return example["value"]
    return sample(schema, skip="readOnly")


def _parameter_schema(spec: Mapping[str, Any]) -> Any:
    """A parameter's schema: its own, or the one of its (single) `content` media type."""
    schema = spec.get("schema")
    if schema is None and isinstance(spec.get("content"), dict) and spec["content"]:
        schema = (next(iter(spec["content"].values())) or {}).get("schema")
    return schema


def _parameter_example(spec: Mapping[str, Any], key: str | None) -> Any:
    return _named_example(spec, key, _parameter_schema(spec))


def _query_pairs(name: str, value: Any, spec: Mapping[str, Any]) -> list[tuple[str, str]]:
    style = spec.get("style", "form")
    explode = spec.get("explode", style == "form")
    if isinstance(value, list):
        if explode:
            return [(name, _text(v)) for v in value]
        separator = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(style, ",")
        return [(name, separator.join(_text(v) for v in value))]
    if isinstance(value, dict):
        if style == "deepObject":
            return [(f"{name}[{k}]", _text(v)) for k, v in value.items()]
        if explode:
            return [(str(k), _text(v)) for k, v in value.items()]
        return [(name, ",".join(f"{k},{_text(v)}" for k, v in value.items()))]
    return [(name, _text(value))]


def _body_text(media: str, value: Any) -> str:
    if isinstance(value, str) and "json" not in media.lower():
        return value
    return json.dumps(value, indent=2, ensure_ascii=False)


def _postman_body(media: str, value: Any) -> dict[str, Any]:
    lowered = media.lower()
    if lowered.startswith("application/x-www-form-urlencoded") and isinstance(value, dict):
        return {
            "mode": "urlencoded",
            "urlencoded": [{"key": k, "value": _text(v)} for k, v in value.items()],
        }
    if lowered.startswith("multipart/form-data") and isinstance(value, dict):
        return {
            "mode": "formdata",
            "formdata": [{"key": k, "value": _text(v), "type": "text"} for k, v in value.items()],
        }
    body: dict[str, Any] = {"mode": "raw", "raw": _body_text(media, value)}
    language = _language(media)
    if language != "text" or "json" in lowered:
        body["options"] = {"raw": {"language": language}}
    return body


def _postman_auth(scheme: Mapping[str, Any]) -> dict[str, Any] | None:
    kind = str(scheme.get("type") or "")
    if kind == "apiKey" and scheme.get("in") in ("header", "query"):
        return {
            "type": "apikey",
            "apikey": [
                {"key": "key", "value": str(scheme.get("name") or ""), "type": "string"},
                {"key": "value", "value": "{{apiKey}}", "type": "string"},
                {"key": "in", "value": str(scheme["in"]), "type": "string"},
            ],
        }
    if kind == "http" and str(scheme.get("scheme") or "").lower() == "basic":
        return {
            "type": "basic",
            "basic": [
                {"key": "username", "value": "{{username}}", "type": "string"},
                {"key": "password", "value": "{{password}}", "type": "string"},
            ],
        }
    if kind == "http" and str(scheme.get("scheme") or "").lower() == "bearer":
        return {"type": "bearer", "bearer": [{"key": "token", "value": "{{bearerToken}}"}]}
    if kind == "oauth2":
        return {
            "type": "oauth2",
            "oauth2": [
                {"key": "accessToken", "value": "{{accessToken}}", "type": "string"},
                {"key": "addTokenTo", "value": "header", "type": "string"},
            ],
        }
    return None


# ---------------------------------------------------------------- entry point


def load_openapi(
    source: str | Path | Mapping[str, Any],
    *,
    base_url: str | None = None,
    name: str | None = None,
) -> Collection:
    """Import an OpenAPI 3.0 or 3.1 document (a path to JSON or YAML, or a parsed dict).

    **Options:** `base_url` replaces the document's first server URL as `{{baseUrl}}`;
    `name` replaces `info.title` as the collection's name.

    Returns a `Collection` with `import_report` (an `ImportReport`) attached. Raises
    `OpenAPIError` (naming the file and JSON path) for a document it cannot import.

    ```python
    collection = load_openapi("vendor.openapi.yaml")
    print(collection.import_report)
    collection.save("vendor.postman_collection.json")
    ```
    """
    doc, source_name = read_document(source)
    if "swagger" in doc:
        raise OpenAPIError(
            f"Swagger {doc['swagger']} is not OpenAPI 3: convert it to 3.0 or 3.1 first",
            source=source_name,
            where="swagger",
        )
    version = doc.get("openapi")
    if not isinstance(version, str) or not re.fullmatch(r"3\.[01]\.\d+(-.+)?", version):
        raise OpenAPIError(
            f"expected an OpenAPI version 3.0.x or 3.1.x, not {version!r}",
            source=source_name,
            where="openapi",
        )
    report = ImportReport(source=source_name, openapi=version)
    for where, ref in check_document(doc, source_name, version):
        report.skip(
            where, f"$ref {ref!r}: only JSON pointers inside the document (#/...) are followed"
        )
    builder = _Builder(doc, source_name, report, base_url=base_url, name=name)
    data = builder.collection()
    collection = Collection.from_dict(data, source=source_name)
    collection.import_report = report  # type: ignore[attr-defined]
    return collection
