"""Postman's mock matching: which saved example answers a request (pure functions, no I/O).

Each example is compiled once into a `Target`; `select` then applies Postman's steps in order:
method, `x-mock-response-code`/`-id`/`-name`, path score (100 with eight comparisons), query
score, header and body matching (or the +5 body bonus), and the tie-break.

```python
target = compile_target(0, name="page 1", method="GET", code=200,
                        path="/users/formatted", query=[("page", "1")])
outcome = select(MockRequest.build("GET", "/users/formatted?page=1"), [target])
outcome.winner.total   # 100 + 10 (query) + 5 (empty bodies match)
```
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, unquote

from .messages import MockRequest

__all__ = [
    "Body",
    "Options",
    "Outcome",
    "Target",
    "Verdict",
    "body_matches",
    "compile_target",
    "is_id",
    "levenshtein",
    "path_segments",
    "score_path",
    "score_query",
    "select",
]

_WILDCARD = re.compile(r"^{{([^{}]+)}}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_TOKEN_ID = re.compile(r"^[A-Za-z0-9_-]{16,}$")
_UID = re.compile(r"^\d+-(.+)$")
_ID = "\x00id"  # placeholder that replaces an ID segment in place
_NOT_JSON: Any = object()  # a raw body that does not parse as JSON

SELECTOR_HEADERS = (
    "x-mock-response-code",
    "x-mock-response-id",
    "x-mock-response-name",
    "x-mock-match-request-headers",
    "x-mock-match-request-body",
)


def path_segments(path: str) -> tuple[str, ...]:
    """Percent-decoded segments after the leading `/` (`/a/b/` → `('a', 'b', '')`).

    The empty path is `/`; `//` is kept as an empty segment; a malformed escape stays as written
    (matching compares what it can; the transports already refused malformed targets).
    """
    if not path.startswith("/"):
        path = "/" + path
    return tuple(unquote(segment) for segment in path[1:].split("/"))


def _strip(segments: tuple[str, ...]) -> tuple[str, ...]:
    return segments[:-1] if len(segments) > 1 and segments[-1] == "" else segments


@lru_cache(maxsize=8192)  # collections repeat their segments ("users", "punch-clock") a lot
def is_id(segment: str) -> bool:
    """An "alphanumeric ID" segment (research §5 decision 2): all digits, a UUID, or a token of
    16+ `[A-Za-z0-9_-]` characters with at least one digit."""
    if segment.isdigit():
        return True
    if _UUID.match(segment):
        return True
    return bool(_TOKEN_ID.match(segment)) and any(c.isdigit() for c in segment)


def _ids(segments: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_ID if is_id(s) else s for s in segments)


def levenshtein(a: str, b: str) -> int:
    """Edit distance between two strings."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _similar(a: str, b: str, threshold: float = 0.75) -> bool:
    longest = max(len(a), len(b))
    if longest == 0:
        return True
    if abs(len(a) - len(b)) / longest > 1 - threshold:
        return False  # the length difference alone is too many edits; skip the O(n·m) work
    from rapidfuzz.distance import Levenshtein  # the same edit distance as `levenshtein`, in C

    return 1 - Levenshtein.distance(a, b) / longest >= threshold


# ---------------------------------------------------------------- compiled examples


@dataclass(frozen=True, slots=True)
class Path:
    """An example path, compiled: the forms each of the eight comparisons needs."""

    segments: tuple[str, ...]
    stripped: tuple[str, ...]
    lower: tuple[str, ...]
    lower_stripped: tuple[str, ...]
    ids: tuple[str, ...]
    ids_stripped: tuple[str, ...]
    wildcards: tuple[str | None, ...]  # variable name per segment, or None

    @classmethod
    def compile(cls, path: str) -> Path:
        segments = path_segments(path)
        stripped = _strip(segments)
        ids = _ids(segments)
        wildcards = tuple(
            (m.group(1).strip() if (m := _WILDCARD.match(s)) else None) for s in segments
        )
        return cls(
            segments=segments,
            stripped=stripped,
            lower=tuple(s.lower() for s in segments),
            lower_stripped=tuple(s.lower() for s in stripped),
            ids=ids,
            ids_stripped=_strip(ids),  # an empty last segment is never an id
            wildcards=wildcards,
        )


@dataclass(frozen=True, slots=True)
class Body:
    """An example's request body, compiled for comparison (§1.7)."""

    mode: str  # "none", "raw", "json", "pairs", "graphql", "file"
    text: str = ""
    value: Any = None
    pairs: tuple[tuple[str, str], ...] = ()

    @classmethod
    def compile(cls, body: Any, headers: Sequence[tuple[str, str]] = ()) -> Body:
        if not isinstance(body, Mapping) or body.get("disabled"):
            return cls("none")
        mode = body.get("mode")
        if mode == "raw":
            raw = str(body.get("raw") or "")
            language = ((body.get("options") or {}).get("raw") or {}).get("language")
            content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
            try:
                value = json.loads(raw) if raw.strip() else _NOT_JSON
            except ValueError:
                value = _NOT_JSON
            if value is not _NOT_JSON and (language == "json" or _is_json_type(content_type)):
                return cls("json", text=raw, value=value)
            # Kept parsed too: a request that says it sends JSON is compared as JSON.
            return cls("raw" if raw else "none", text=raw.replace("\r\n", "\n"), value=value)
        if mode in ("urlencoded", "formdata"):
            pairs = tuple(
                sorted(
                    (str(p.get("key") or ""), str(p.get("value") or ""))
                    for p in body.get(mode) or []
                    if isinstance(p, Mapping) and not p.get("disabled") and p.get("type") != "file"
                )
            )
            return cls("pairs", pairs=pairs) if pairs else cls("none")
        if mode == "graphql":
            query, variables = _graphql(body.get("graphql") or {})
            return cls("graphql", text=query, value=variables)
        if mode == "file":
            return cls("file")
        return cls("none")


def _graphql(graphql: Mapping[str, Any]) -> tuple[str, Any]:
    """A GraphQL body as (query with whitespace normalised, parsed variables)."""
    variables = graphql.get("variables")
    if isinstance(variables, str):
        try:
            variables = json.loads(variables) if variables.strip() else None
        except ValueError:
            pass
    return " ".join(str(graphql.get("query") or "").split()), variables


def _is_json_type(content_type: str) -> bool:
    # Media-type parameters (`; charset=utf-8`) never matter (Postman issue #8335).
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


@dataclass(frozen=True, slots=True)
class Target:
    """One example compiled for matching. `index` is its position in document order."""

    index: int
    name: str
    method: str
    code: int
    path: Path
    query: tuple[tuple[str, str], ...]
    query_values: Mapping[str, tuple[str, ...]]
    id: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Body = Body("none")


def compile_target(
    index: int,
    *,
    name: str,
    method: str,
    code: int,
    path: str,
    query: Sequence[tuple[str, str]] = (),
    id: str | None = None,
    headers: Sequence[tuple[str, str]] = (),
    body: Any = None,
) -> Target:
    """Compile an example (its `originalRequest` already resolved) for `select`."""
    # Requests arrive with decoded query pairs; saved examples may hold encoded ones.
    query = [(unquote(k), unquote(v)) for k, v in query]
    values: dict[str, list[str]] = {}
    for key, value in query:
        values.setdefault(key, []).append(value)
    return Target(
        index=index,
        name=name,
        method=(method or "GET").upper(),
        code=code,
        path=Path.compile(path),
        query=tuple(query),
        query_values={k: tuple(v) for k, v in values.items()},
        id=id,
        headers={k.lower(): v.strip() for k, v in headers},
        body=Body.compile(body, headers),
    )


# ---------------------------------------------------------------- scoring


def _wildcard_match(
    request: tuple[str, ...], path: Path, *, fold: bool, strip: bool
) -> dict[str, str] | None:
    names = path.wildcards
    segments = path.segments
    if strip:
        request = _strip(request)
        if len(segments) > 1 and segments[-1] == "":
            segments, names = segments[:-1], names[:-1]
    if len(request) != len(segments):
        return None
    captures: dict[str, str] = {}
    for got, want, name in zip(request, segments, names, strict=True):
        if name is not None:
            if got == "":
                return None
            captures.setdefault(name, got)
        elif got != want and not (fold and got.lower() == want.lower()):
            return None
    return captures


def score_path(
    request: tuple[str, ...], path: Path, *, wildcards: bool = True, fuzzy: bool = True
) -> tuple[str, int, dict[str, str]] | None:
    """The first of Postman's eight path comparisons that succeeds: `(step, change, captures)`.

    `None` means the example is dropped.
    """
    if request == path.segments:
        return "exact", 0, {}
    stripped = _strip(request)
    if stripped == path.stripped:
        return "trailing slash", -5, {}
    lower = tuple(s.lower() for s in request)
    if lower == path.lower:
        return "case", -10, {}
    if _strip(lower) == path.lower_stripped:
        return "trailing slash + case", -15, {}
    if wildcards and any(path.wildcards):
        # Other segments compare exactly first, then with slash and case normalised (§1.5.2).
        for fold, strip in ((False, False), (False, True), (True, False), (True, True)):
            captures = _wildcard_match(request, path, fold=fold, strip=strip)
            if captures is not None:
                return "wildcard", -20, captures
    ids = _ids(request)
    if ids == path.ids:
        return "ids", -21, {}
    if _strip(ids) == path.ids_stripped:
        return "trailing slash + ids", -25, {}
    # Document distance (decision 3): same segment count, each differing segment at least 75 %
    # similar by Levenshtein; only tried when steps 1-7 failed, and switchable.
    if fuzzy and len(request) == len(path.segments):
        captures = {}
        for got, want, name in zip(request, path.segments, path.wildcards, strict=True):
            if name is not None and wildcards:
                captures.setdefault(name, got)
            elif got != want and not _similar(got, want):
                return None
        return "document distance", -30, captures
    return None


def score_query(request: Sequence[tuple[str, str]], target: Target) -> tuple[float, dict[str, str]]:
    """Postman's query score (§1.6) and the captures of `{{var}}` example values.

    All match → +10; some match → +10 × matches / (matches + partials + missing);
    none match → −missing (at most −10). Neither side has parameters → +10 (research §5
    decision 1). Repeated keys compare as multisets.
    """
    wanted = target.query_values
    if not request and not wanted:
        return 10.0, {}
    got: dict[str, list[str]] = {}
    for key, value in request:
        got.setdefault(key, []).append(value)
    matches = partials = missing = 0
    captures: dict[str, str] = {}
    for key, values in wanted.items():
        have = got.get(key)
        if have is None:
            missing += 1
            continue
        pool = list(have)
        ok = True
        for value in values:
            wildcard = _WILDCARD.match(value)
            if wildcard and pool:
                captures.setdefault(wildcard.group(1).strip(), pool.pop(0))
            elif value in pool:
                pool.remove(value)
            else:
                ok = False
        if ok:
            matches += 1
        else:
            partials += 1
    missing += sum(1 for key in got if key not in wanted)
    if partials == 0 and missing == 0:
        return 10.0, captures
    if matches:
        return 10.0 * matches / (matches + partials + missing), captures
    return float(-min(missing, 10)), captures  # an int first: no -0.0 when none is missing


def headers_match(
    request: MockRequest, target: Target, keys: Sequence[str], *, fold_values: bool = False
) -> bool:
    """Each listed header equal on both sides (trimmed; absent on both counts as equal).

    Values compare exactly, or ignoring case with `fold_values` (decision 6).
    """
    for key in keys:
        key = key.strip().lower()
        if not key:
            continue
        got = request.header(key)
        want = target.headers.get(key)
        got = got.strip() if got is not None else None
        if fold_values and got is not None and want is not None:
            got, want = got.lower(), want.lower()
        if got != want:
            return False
    return True


def _multipart_pairs(body: bytes, content_type: str) -> list[tuple[str, str]]:
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    pairs = []
    for part in message.iter_parts() if message.is_multipart() else []:
        name = part.get_param("name", header="content-disposition")
        if name is not None and part.get_filename() is None:
            # a text field, whatever Content-Type the client gave it (bytes are read as text)
            data = part.get_payload(decode=True) or b""
            try:
                text = data.decode(part.get_content_charset() or "utf-8", "replace")
            except LookupError:  # an unknown charset
                text = data.decode("utf-8", "replace")
            pairs.append((str(name), text.rstrip("\r\n")))
    return pairs


def body_matches(request: MockRequest, target: Target) -> bool:
    """Whether the request body equals the example's, by the example's body mode (§1.7)."""
    body = target.body
    data = request.body
    if body.mode == "none":
        return not data
    if body.mode == "file":
        return False
    text = data.decode("utf-8", "replace")
    content_type = request.header("content-type") or ""
    if body.mode == "raw":
        if text.replace("\r\n", "\n") == body.text:
            return True
        if body.value is _NOT_JSON or not _is_json_type(content_type):
            return False
        try:
            return json.loads(text) == body.value
        except ValueError:
            return False
    if body.mode == "json":
        try:
            return json.loads(text) == body.value
        except ValueError:
            return False
    if body.mode == "pairs":
        if content_type.lower().startswith("multipart/"):
            pairs = _multipart_pairs(data, content_type)
        else:
            pairs = parse_qsl(text, keep_blank_values=True)
        return tuple(sorted(pairs)) == body.pairs
    if body.mode == "graphql":
        try:
            sent = json.loads(text)
        except ValueError:
            return False
        if not isinstance(sent, dict):
            return False
        query, variables = _graphql(sent)
        return query == body.text and (variables or None) == (body.value or None)
    return False


# ---------------------------------------------------------------- selection


@dataclass(frozen=True, slots=True)
class Options:
    """The mock configuration that matching reads (Postman's mock config, §1.10)."""

    match_query: bool = True
    match_wildcards: bool = True
    match_body: bool = False
    match_headers: tuple[str, ...] = ()
    fuzzy: bool = True
    sort_ties_by_id: bool = False
    fold_header_values: bool = False


@dataclass(slots=True)
class Verdict:
    """How one example fared. `dropped` says why it left the race (or `None`)."""

    target: Target
    step: str | None = None
    path: float = 0.0
    query: float = 0.0
    body: float = 0.0
    captures: dict[str, str] = field(default_factory=dict)
    dropped: str | None = None

    @property
    def total(self) -> float:
        return 100.0 + self.path + self.query + self.body


@dataclass(slots=True)
class Outcome:
    """The winner (or `None`), every verdict, and how the choice was made."""

    winner: Verdict | None
    verdicts: list[Verdict]
    how: str  # "score", "id", "name", "not found"


def _prefer_200(verdicts: list[Verdict], *, by_id: bool) -> Verdict:
    if by_id and all(v.target.id is not None for v in verdicts):
        verdicts = sorted(verdicts, key=lambda v: str(v.target.id))
    # Ties: code 200 first, then document order (research §5 decision 4).
    return next((v for v in verdicts if v.target.code == 200), verdicts[0])


def _bare_id(value: str) -> str:
    # Postman's example UID is `<owner digits>-<uuid>`; the bare id matches too.
    match = _UID.match(value.strip())
    return match.group(1) if match else value.strip()


def _truthy(value: str) -> bool:
    return value.strip().lower() in ("true", "1", "yes", "on")


def consulted_headers(request: MockRequest, options: Options) -> tuple[str, ...]:
    """The header keys that header matching compares for this request."""
    listed = request.header("x-mock-match-request-headers")
    if listed is not None:
        return tuple(k.strip().lower() for k in listed.split(",") if k.strip())
    return tuple(k.lower() for k in options.match_headers)


def body_matching_on(request: MockRequest, options: Options) -> bool:
    flag = request.header("x-mock-match-request-body")
    return _truthy(flag) if flag is not None else options.match_body


def select(
    request: MockRequest, targets: Sequence[Target], options: Options = Options()
) -> Outcome:
    """Choose the example that answers `request`, as Postman's cloud mock does (§1.11)."""
    method = request.method.upper()
    verdicts = [Verdict(t) for t in targets]
    live = []
    for verdict in verdicts:
        if verdict.target.method != method:
            verdict.dropped = f"method {verdict.target.method}"
        else:
            live.append(verdict)
    code = request.header("x-mock-response-code")
    if code is not None:
        kept = []
        for verdict in live:
            if str(verdict.target.code) != code.strip():
                verdict.dropped = f"x-mock-response-code {code.strip()}"
            else:
                kept.append(verdict)
        live = kept

    wanted_id = request.header("x-mock-response-id")
    if wanted_id is not None:
        bare = _bare_id(wanted_id)
        for verdict in live:
            if verdict.target.id is not None and _bare_id(verdict.target.id) == bare:
                verdict.step = "x-mock-response-id"
                _capture_by_position(request, verdict)
                _drop_others(live, verdict, "x-mock-response-id")
                return Outcome(verdict, verdicts, "id")
        # An unknown id or name ends matching: the usual 404 body (decision 10).
        _drop_others(live, None, f"x-mock-response-id {wanted_id!r} not found")
        return Outcome(None, verdicts, "not found")

    wanted_name = request.header("x-mock-response-name")
    if wanted_name is not None:
        named = [v for v in live if v.target.name == wanted_name]
        if not named:
            _drop_others(live, None, f"x-mock-response-name {wanted_name!r} not found")
            return Outcome(None, verdicts, "not found")
        chosen = _prefer_200(named, by_id=options.sort_ties_by_id)
        chosen.step = "x-mock-response-name"
        _capture_by_position(request, chosen)
        _drop_others(live, chosen, "x-mock-response-name")
        return Outcome(chosen, verdicts, "name")

    segments = path_segments(request.path)
    scored = []
    for verdict in live:
        found = score_path(
            segments, verdict.target.path, wildcards=options.match_wildcards, fuzzy=options.fuzzy
        )
        if found is None:
            verdict.dropped = "path"
            continue
        verdict.step, verdict.path, verdict.captures = found[0], float(found[1]), dict(found[2])
        if options.match_query:
            verdict.query, captures = score_query(request.query, verdict.target)
            for name, value in captures.items():
                verdict.captures.setdefault(name, value)
        scored.append(verdict)

    keys = consulted_headers(request, options)
    if keys:
        kept = []
        for verdict in scored:
            if headers_match(request, verdict.target, keys, fold_values=options.fold_header_values):
                kept.append(verdict)
            else:
                verdict.dropped = "headers"
        scored = kept
    strict_body = body_matching_on(request, options)
    kept = []
    for verdict in scored:
        same = body_matches(request, verdict.target)
        if strict_body and not same:
            verdict.dropped = "body"
            continue
        if same and not strict_body:
            verdict.body = 5.0
        kept.append(verdict)
    scored = kept
    if not scored:
        return Outcome(None, verdicts, "not found")
    best = max(v.total for v in scored)
    tied = [v for v in scored if v.total == best]
    winner = _prefer_200(tied, by_id=options.sort_ties_by_id)
    for verdict in scored:
        if verdict is not winner:
            verdict.dropped = "lower score" if verdict.total < best else "tie lost"
    return Outcome(winner, verdicts, "score")


def _drop_others(live: list[Verdict], chosen: Verdict | None, reason: str) -> None:
    for verdict in live:
        if verdict is not chosen:
            verdict.dropped = reason


def _capture_by_position(request: MockRequest, verdict: Verdict) -> None:
    # Chosen by name or id: fill wildcards by aligning segments when the counts agree (#11323).
    segments = path_segments(request.path)
    names = verdict.target.path.wildcards
    if len(segments) == len(names):
        for got, name in zip(segments, names, strict=True):
            if name is not None:
                verdict.captures.setdefault(name, got)
    _, captures = score_query(request.query, verdict.target)
    for name, value in captures.items():
        verdict.captures.setdefault(name, value)
