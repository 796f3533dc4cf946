"""Replay mode: answer requests from a collection's saved examples, as Postman's cloud mock does.

Everything that can be is compiled when the `Replay` is built (example paths, query multisets,
response headers and static body bytes), and match decisions are memoised, so `respond` is cheap.

```python
mock = Replay(data_file(TUTORIAL_COLLECTION))
response = mock.respond(MockRequest.build("GET", "/users/formatted?page=1"))
response.status, response.example      # (200, 'page 1')
mock.explain(MockRequest.build("GET", "/users/formatted?page=4"))   # every candidate's score
```
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import string
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..errors import CollectionError
from ..names import FIRST_NAMES, LAST_NAMES
from ..templates import MISSING, TOKEN, render
from .collection import (
    PREVIEW_TYPES,
    Collection,
    Example,
    headers_of,
    load_collection,
    url_path,
    url_query,
)
from .index import ExampleIndex
from .matching import (
    SELECTOR_HEADERS,
    Options,
    Outcome,
    Target,
    compile_target,
    path_segments,
    select,
)
from .messages import MockRequest, MockResponse

if TYPE_CHECKING:
    import pandas

__all__ = ["DYNAMIC_VARIABLES", "NOT_FOUND_BODY", "Replay"]

NOT_FOUND_BODY = (
    b'{"error":{"name":"mockRequestNotFoundError","message":"Double check your method and the '
    b'request path and try again.","header":"No matching requests"}}'
)
_HOP_HEADERS = {
    "content-length",
    "content-encoding",
    "transfer-encoding",
    "connection",
    "keep-alive",
}
_CACHE_SIZE = 4096

# ---------------------------------------------------------------- dynamic variables

_CITIES = [
    "Lisbon",
    "Porto",
    "San Francisco",
    "Boston",
    "Madrid",
    "Berlin",
    "Tokyo",
    "Toronto",
    "Dublin",
    "Austin",
    "Seattle",
    "Amsterdam",
]
_COUNTRIES = [
    "Portugal",
    "United States",
    "Spain",
    "Germany",
    "Japan",
    "Canada",
    "Ireland",
    "Netherlands",
    "Brazil",
    "India",
]
_WORDS = [
    "agent",
    "clock",
    "punch",
    "queue",
    "call",
    "ring",
    "shift",
    "break",
    "report",
    "sync",
    "route",
    "skill",
    "voice",
    "chat",
    "ticket",
    "status",
]
_COLORS = ["red", "green", "blue", "orange", "purple", "teal", "black", "white", "yellow"]
_DOMAINS = ["example.com", "example.org", "example.net", "test.dev"]
_ALNUM = string.ascii_lowercase + string.digits


def _full_name() -> str:
    return f"{random.choice(FIRST_NAMES)} {random.choice(LAST_NAMES)}"


def _email() -> str:
    user = (
        f"{random.choice(FIRST_NAMES)}.{random.choice(LAST_NAMES)}{random.randint(1, 99)}".lower()
    )
    return f"{user}@{random.choice(_DOMAINS)}"


def _iso(moment: datetime) -> str:
    # JavaScript's toISOString(), as Postman's date variables print it (the live API's punch
    # times are a different format on purpose: the tutorial API's, to the second)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _sentence() -> str:
    words = random.sample(_WORDS, random.randint(5, 9))
    return " ".join(words).capitalize() + "."


# Postman's dynamic variables (the common ones); every occurrence is generated afresh.
DYNAMIC_VARIABLES: dict[str, Callable[[], Any]] = {
    "$guid": lambda: str(uuid.uuid4()),
    "$randomUUID": lambda: str(uuid.uuid4()),
    "$timestamp": lambda: int(round(time.time())),
    "$isoTimestamp": lambda: _iso(datetime.now(UTC)),
    "$randomInt": lambda: random.randint(0, 1000),
    "$randomBoolean": lambda: random.choice((True, False)),
    "$randomAlphaNumeric": lambda: random.choice(_ALNUM),
    "$randomFirstName": lambda: random.choice(FIRST_NAMES),
    "$randomLastName": lambda: random.choice(LAST_NAMES),
    "$randomFullName": _full_name,
    "$randomUserName": lambda: f"{random.choice(FIRST_NAMES)}.{random.choice(LAST_NAMES)}".lower(),
    "$randomEmail": _email,
    "$randomExampleEmail": _email,
    "$randomCity": lambda: random.choice(_CITIES),
    "$randomCountry": lambda: random.choice(_COUNTRIES),
    "$randomPrice": lambda: f"{random.uniform(1, 1000):.2f}",
    "$randomColor": lambda: random.choice(_COLORS),
    "$randomWord": lambda: random.choice(_WORDS),
    "$randomWords": lambda: " ".join(random.sample(_WORDS, 3)),
    "$randomLoremWord": lambda: random.choice(_WORDS),
    "$randomLoremSentence": _sentence,
    "$randomPhoneNumber": lambda: (
        f"{random.randint(200, 999)}-{random.randint(200, 999)}-{random.randint(1000, 9999)}"
    ),
    "$randomIP": lambda: ".".join(str(random.randint(1, 254)) for _ in range(4)),
    "$randomDomainName": lambda: random.choice(_DOMAINS),
    "$randomUrl": lambda: f"https://{random.choice(_DOMAINS)}",
    "$randomCompanyName": lambda: (
        f"{random.choice(LAST_NAMES)} {random.choice(('Inc', 'LLC', 'Group'))}"
    ),
    "$randomJobTitle": lambda: random.choice(("Agent", "Supervisor", "Team Lead", "Analyst")),
    "$randomStreetAddress": lambda: f"{random.randint(1, 999)} {random.choice(LAST_NAMES)} Street",
    "$randomDatePast": lambda: _iso(datetime.now(UTC) - timedelta(days=random.uniform(1, 365))),
    "$randomDateFuture": lambda: _iso(datetime.now(UTC) + timedelta(days=random.uniform(1, 365))),
    "$randomDateRecent": lambda: _iso(datetime.now(UTC) - timedelta(days=random.uniform(0, 1))),
}

_HELPER = re.compile(
    r"^\$(body|queryParams|headers|pathSegments)"
    r"(?:\s+(['\"])(?P<arg>.*?)\2(?:\s+(['\"])(?P<default>.*?)\4)?)?$",
    re.DOTALL,
)


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _object_path(value: Any, path: str) -> Any:
    for part in (p.replace("\\.", ".") for p in re.split(r"(?<!\\)\.", path)):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif (
            isinstance(value, list)
            and part.lstrip("-").isdigit()
            and -len(value) <= int(part) < len(value)
        ):
            value = value[int(part)]
        else:
            return MISSING
    return value


def _helper(request: MockRequest, kind: str, arg: str | None) -> Any:
    """A template helper's value (`$body`, `$queryParams`, `$headers`, `$pathSegments`)."""
    if kind == "body":
        text = request.body.decode("utf-8", "replace")
        if arg is None:
            return text
        try:
            return _object_path(json.loads(text), arg)
        except ValueError:
            return MISSING
    if kind == "queryParams":
        if arg is None:
            return dict(request.query)
        return next((v for k, v in request.query if k == arg), MISSING)
    if kind == "headers":
        if arg is None:
            return dict(request.headers)
        found = request.header(arg)
        return MISSING if found is None else found
    segments = [s for s in path_segments(request.path)]
    if arg is None:
        return segments
    try:
        return segments[int(arg)]
    except (ValueError, IndexError):
        return MISSING


# ---------------------------------------------------------------- compiled responses

# what a header value can be on both transports (httpx encodes ASCII; HTTP/1.1 forbids controls)
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e]*")


def _header_safe(value: str) -> str:
    """`value` with every character outside printable ASCII percent-encoded (as UTF-8)."""
    if _HEADER_VALUE.fullmatch(value):
        return value
    return "".join(c if _HEADER_VALUE.fullmatch(c) else quote(c, safe="") for c in value)


def _header_where(example: Example, key: str, value: str) -> str:
    """`item[..].response[..].header[i]`: where an example's header is in the file."""
    raw = example.data.get("header")
    if isinstance(raw, list):
        for index, entry in enumerate(raw):
            if isinstance(entry, Mapping) and (entry.get("key"), entry.get("value")) == (
                key,
                value,
            ):
                return f"{example.where}.header[{index}]"
    return f"{example.where}.header"


@dataclass(frozen=True, slots=True)
class _Plan:
    """A pre-built response: static bytes, or templates to render per request."""

    name: str
    item: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    template: str | None  # the body when it still holds `{{ }}` tokens
    dynamic_headers: bool


def _content_type(example_language: Any, body: str, *, strict: bool) -> str:
    if strict:
        return "text/html; charset=utf-8"  # what the cloud sends (issues #11593, #10661)
    media = PREVIEW_TYPES.get(str(example_language or "").lower())
    if media:
        return media
    try:
        json.loads(body)
        return "application/json"
    except ValueError:
        return "text/plain; charset=utf-8"


@dataclass(slots=True)
class _Decision:
    plan: int | None  # index of the chosen example; None: not found
    score: float | None
    captures: dict[str, str]


class Replay:
    """The replay mock: `respond(request)` answers from the saved example Postman would choose.

    Options mirror Postman's mock configuration (`match_query`, `match_wildcards`,
    `match_body`, `match_headers`). `fuzzy` enables the document-distance step; `strict`
    flips the friendly choices to the cloud's literal behaviour (no Content-Type inference,
    no automatic CORS preflight, `:var` without a value is not a wildcard); `cors` adds
    `Access-Control-Allow-Origin: *`.

    ```python
    mock = Replay("time_punching_integration.postman_collection.json")
    mock.respond(MockRequest.build("POST", "/user/3/punch-clock")).body
    ```
    """

    def __init__(
        self,
        collection: Collection | str | Path | Mapping[str, Any],
        *,
        environment: Mapping[str, str] | None = None,
        match_query: bool = True,
        match_wildcards: bool = True,
        match_body: bool = False,
        match_headers: Sequence[str] = (),
        fuzzy: bool = True,
        strict: bool = False,
        cors: bool = True,
    ) -> None:
        self.collection = load_collection(collection)
        self.strict = strict
        self.cors = cors
        self.options = Options(
            match_query=match_query,
            match_wildcards=match_wildcards,
            match_body=match_body,
            match_headers=tuple(h.lower() for h in match_headers),
            fuzzy=fuzzy,
        )
        # Collection variables, then the environment (it wins); initial values, no globals.
        self.variables: dict[str, Any] = {**self.collection.variables, **(environment or {})}
        self.targets: list[Target] = []
        self._plans: list[_Plan] = []
        self._examples = self.collection.examples()
        for index, example in enumerate(self._examples):
            request = example.request
            headers = [(k, render(v, self.variables)) for k, v in headers_of(request.get("header"))]
            body = request.get("body")
            if isinstance(body, Mapping) and isinstance(body.get("raw"), str):
                body = {**body, "raw": render(body["raw"], self.variables)}
            self.targets.append(
                compile_target(
                    index,
                    name=example.name,
                    id=example.id,
                    method=example.method,
                    code=example.code,
                    path=url_path(example.url, self.variables, empty_as_wildcard=not strict),
                    query=url_query(example.url, self.variables),
                    headers=headers,
                    body=body,
                )
            )
            self._plans.append(self._plan(example))
        self._index = ExampleIndex(self.targets)  # scores a few candidates, not every example
        self._methods_with_body = {t.method for t in self.targets if t.body.mode != "none"}
        self._consulted = frozenset(SELECTOR_HEADERS) | set(self.options.match_headers)
        self._cache: dict[tuple[Any, ...], _Decision] = {}
        extra = [("Access-Control-Allow-Origin", "*")] if cors else []
        self._not_found_headers = [("Content-Type", "application/json"), *extra]

    def _plan(self, example: Example) -> _Plan:
        status = example.code if 100 <= example.code <= 599 else 200  # no valid HTTP status
        headers = []
        has_type = has_origin = False
        for key, value in example.headers:
            lower = key.lower()
            if lower in _HOP_HEADERS:
                continue  # they would lie about the bytes actually sent
            has_type = has_type or lower == "content-type"
            has_origin = has_origin or lower == "access-control-allow-origin"
            text = render(value, self.variables)  # headers too (decision 12)
            if "{{" not in text and not _HEADER_VALUE.fullmatch(text):
                raise CollectionError(
                    f"the value of header {key!r} has characters HTTP cannot send ({text!r}): "
                    "use printable ASCII (percent-encode the rest)",
                    source=self.collection.source,
                    where=_header_where(example, key, value),
                )
            headers.append((key, text))
        body = "" if status in (204, 304) else render(example.body or "", self.variables)
        if not has_type and status not in (204, 304):
            language = example.preview_language
            headers.append(("Content-Type", _content_type(language, body, strict=self.strict)))
        if self.cors and not has_origin:
            headers.append(("Access-Control-Allow-Origin", "*"))
        dynamic_headers = any("{{" in v for _, v in headers)
        template = body if TOKEN.search(body) else None
        return _Plan(
            name=example.name,
            item=example.item_name,
            status=status,
            headers=headers,
            body=body.encode("utf-8"),
            template=template,
            dynamic_headers=dynamic_headers,
        )

    # -- matching

    def _key(self, request: MockRequest) -> tuple[Any, ...]:
        """Everything `select` reads from `request`: equal keys, equal decisions."""
        consulted = tuple(kv for kv in request.headers if kv[0] in self._consulted)
        by_body = self.options.match_body or request.method in self._methods_with_body
        if consulted:
            listed = next((v for k, v in consulted if k == "x-mock-match-request-headers"), None)
            if listed is not None:
                names = {n.strip().lower() for n in listed.split(",")}
                consulted += tuple(kv for kv in request.headers if kv[0] in names)
            by_body = by_body or any(k == "x-mock-match-request-body" for k, _ in consulted)
        body_key: Any = not request.body
        if by_body:  # a digest, so the cache never holds request bodies (up to 1 MB each)
            digest = hashlib.blake2b(request.body, digest_size=16).digest()
            body_key = (digest, request.header("content-type"))
        return (request.method, request.path, request.query, consulted, body_key)

    def _decide(self, request: MockRequest) -> _Decision:
        outcome = self._index.select(request, self.options)
        winner = outcome.winner
        if winner is not None:
            return _Decision(winner.target.index, winner.total, winner.captures)
        return _Decision(None, None, {})

    def _is_preflight(self, request: MockRequest) -> bool:
        """A CORS preflight no example answers (read per request: it is not in the cache key)."""
        return (
            request.method == "OPTIONS"
            and self.cors
            and not self.strict
            and request.header("access-control-request-method") is not None
        )

    def respond(self, request: MockRequest) -> MockResponse:
        """The response Postman's mock would send for `request`. Never raises.

        The headers never carry Content-Length: the transport sets it from the body, and sleeps
        `delay` seconds before sending.
        """
        try:
            key = self._key(request)
            decision = self._cache.get(key)
            if decision is None:
                decision = self._decide(request)
                if len(self._cache) >= _CACHE_SIZE:
                    try:  # drop the oldest decision; a concurrent writer may beat us to it
                        del self._cache[next(iter(self._cache))]
                    except (StopIteration, KeyError, RuntimeError):
                        pass
                self._cache[key] = decision
            delay = request.requested_delay() or 0.0
            if decision.plan is None:
                if self._is_preflight(request):
                    return self._preflight(request, delay)
                return MockResponse(404, list(self._not_found_headers), NOT_FOUND_BODY, delay)
            plan = self._plans[decision.plan]
            if plan.template is None and not plan.dynamic_headers:
                return MockResponse(
                    plan.status, list(plan.headers), plan.body, delay, plan.name, decision.score
                )
            return self._render(request, plan, decision, delay)
        except Exception as exc:  # a mock must answer; say what went wrong
            return MockResponse.error(500, "mockServerError", f"{type(exc).__name__}: {exc}")

    def _preflight(self, request: MockRequest, delay: float) -> MockResponse:
        headers = [
            ("Access-Control-Allow-Origin", "*"),
            (
                "Access-Control-Allow-Methods",
                request.header("access-control-request-method")
                or "GET, POST, PUT, PATCH, DELETE, OPTIONS",
            ),
        ]
        asked = request.header("access-control-request-headers")
        if asked:
            headers.append(("Access-Control-Allow-Headers", asked))
        headers.append(("Access-Control-Max-Age", "86400"))
        return MockResponse(204, headers, b"", delay, None, None)

    def _render(
        self, request: MockRequest, plan: _Plan, decision: _Decision, delay: float
    ) -> MockResponse:
        captures = decision.captures

        # Collection and environment variables were substituted when compiling; what is left,
        # in order: wildcard captures, template helpers, dynamic variables. Unknown stay literal.
        def resolve(name: str) -> Any:
            if name in captures:
                return captures[name]
            if name.startswith("$"):
                helper = _HELPER.match(name)
                if helper:
                    value = _helper(request, helper.group(1), helper.group("arg"))
                    if value is MISSING:
                        default = helper.group("default")
                        # no value and no default: an empty string (research §2.3)
                        return "" if default is None else default
                    return _as_text(value)
                generate = DYNAMIC_VARIABLES.get(name)
                if generate is not None:
                    return _as_text(generate())
            return MISSING

        def once(text: str) -> str:
            return text  # one pass: request data inserted by a helper is never rendered again

        body = plan.body
        if plan.template is not None:
            body = render(plan.template, resolve, encode=once).encode("utf-8")
        headers = plan.headers
        if plan.dynamic_headers:  # request data may hold anything: keep the values sendable
            headers = [(k, _header_safe(render(v, resolve, encode=once))) for k, v in headers]
        return MockResponse(plan.status, list(headers), body, delay, plan.name, decision.score)

    # -- inspection

    def match(self, request: MockRequest) -> Outcome:
        """The full matching outcome for `request` (not cached)."""
        return select(request, self.targets, self.options)

    def explain(self, request: MockRequest) -> pandas.DataFrame:
        """Every example as a candidate: its score parts, the one chosen, why others lost."""
        import pandas

        outcome = self.match(request)
        rows = []
        for verdict in outcome.verdicts:
            target = verdict.target
            example = self._examples[target.index]
            considered = verdict.step is not None
            rows.append(
                {
                    "item": "/".join((*example.folder, example.item_name)),
                    "example": target.name,
                    "method": target.method,
                    "code": target.code,
                    "step": verdict.step,
                    "path": verdict.path if considered else None,
                    "query": verdict.query if considered else None,
                    "body": verdict.body if considered else None,
                    "total": verdict.total if considered else None,
                    "chosen": verdict is outcome.winner,
                    "dropped": verdict.dropped,
                }
            )
        return pandas.DataFrame(rows)

    def __repr__(self) -> str:
        return f"<Replay {self.collection.name!r}: {len(self.targets)} examples>"
