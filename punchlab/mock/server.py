"""`MockServer`: the mock time-punch API, the one object the notebooks use.

It answers in one of two modes, then applies faults and an auth requirement:

* `mode="replay"` answers with the Postman collection's saved examples, matched the way
  Postman's cloud mock does (`punchlab.mock.replay`);
* `mode="live"` runs a small, real time-punch API over the collection's users
  (`punchlab.mock.live`).

The same object answers in-process (`transport()`, `mount()`, `client()`: no socket) and on a
real localhost port (`serve()`), so curl, Postman or newman can call it too.

```python
server = MockServer(mode="live", users=100)              # 100 generated users
with server.client() as http:                            # in-process
    http.get("/users/formatted", params={"page": 2}).json()["count"]      # 5
with server.serve() as running:                          # http://127.0.0.1:<free port>
    httpx.post(f"{running.url}/user/7/punch-clock").json()["type"]        # 'in'
```
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ValidationError
from ..store import Store
from .auth import AuthRequirement
from .faults import Faults
from .live import LiveApi, PunchLedger, generate_users, load_users_csv
from .messages import MAX_BODY_BYTES, MockRequest, MockResponse, body_too_large

if TYPE_CHECKING:
    import httpx
    import pandas

    from .collection import Example
    from .localserver import LocalServer

__all__ = ["DEFAULT_BASE_URL", "MockServer", "UsersSource"]

DEFAULT_BASE_URL = "http://mock.punchlab"
# query keys whose values the request log masks (substrings, any case): "pass" covers passwd
_SECRET_WORDS = ("key", "token", "secret", "pass", "pwd", "auth", "sig", "credential", "jwt")

UsersSource = int | str | Path | Iterable[Mapping[str, Any]] | None


def invalid_json(request: MockRequest) -> MockResponse | None:
    """A 400 for a body that says it is JSON (`application/json`, `*+json`) and is not.

    Says where the JSON breaks, so a learner can fix the request; `None` when the body is fine.
    """
    media = (request.header("content-type") or "").split(";", 1)[0].strip().lower()
    if not request.body.strip() or not (media == "application/json" or media.endswith("+json")):
        return None
    try:
        json.loads(request.body)
    except UnicodeDecodeError:
        message = "The request body is not UTF-8 text, so it is not JSON."
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        message = f"The request body is not valid JSON: {exc.msg} ({where})."
    else:
        return None
    return MockResponse.error(400, "invalidJsonBody", message)


def _tutorial_collection() -> Path:
    from ..home import TUTORIAL_COLLECTION, data_file

    return data_file(TUTORIAL_COLLECTION)


class MockServer:
    """The mock API, in replay or live mode, with optional faults and auth.

    **Parameters:**

    * `collection`: a Postman collection (path, dict or loaded `Collection`); `None` means the
      tutorial's.
    * `mode`: `"replay"` (saved examples) or `"live"` (a real time-punch API).
    * `users` (live): `None` for the collection's users, an `int` N for N generated users, a
      CSV path (`id,name,email`), or a list of `{"id", "name", "email"}` dicts.
    * `page_size` (live): users per page (the tutorial's 5).
    * `store` (live): keep punches in this `Store` (default: in memory).
    * `now` (live): the clock for punches (deterministic tests, simulated days).
    * `faults`: a `Faults` (latency, error rate, rate limit).
    * `auth`: a `RequireApiKey`, `RequireBasic` or `RequireBearer`.
    * `log`: `True` to print one line per request to stderr, or a callable taking the line.
    * `replay_options`: keyword options for `Replay` (`match_body=`, `strict=`, ...).
    """

    def __init__(
        self,
        collection: Any = None,
        *,
        mode: str = "replay",
        users: UsersSource = None,
        page_size: int = 5,
        store: Store | None = None,
        now: Callable[[], datetime] | None = None,
        faults: Faults | None = None,
        auth: AuthRequirement | None = None,
        environment: Any = None,
        log: bool | Callable[[str], None] = False,
        replay_options: Mapping[str, Any] | None = None,
    ) -> None:
        if mode not in ("replay", "live"):
            raise ValidationError(f"must be 'replay' or 'live', not {mode!r}", where="mode")
        self.mode = mode
        self.faults = faults
        self.auth = auth
        self.log = log
        self._collection_source = collection
        self._collection: Any = None
        self._mounted: tuple[str, httpx.BaseTransport] | None = None
        self._asgi: Any = None
        if mode == "replay":
            from .replay import Replay

            self.engine: Any = Replay(
                self.collection, environment=environment, **dict(replay_options or {})
            )
        else:
            ledger = PunchLedger(store, **({"now": now} if now is not None else {}))
            self.engine = LiveApi(self._users(users), page_size=page_size, ledger=ledger)

    def __repr__(self) -> str:
        parts = [f"mode={self.mode!r}", repr(self.engine)]
        if self.faults is not None and self.faults.active:
            parts.append(repr(self.faults))
        if self.auth is not None:
            parts.append(repr(self.auth))
        return f"MockServer({', '.join(parts)})"

    @property
    def collection(self) -> Any:
        """The loaded collection (loaded on first use)."""
        if self._collection is None:
            source = self._collection_source
            if source is None or isinstance(source, str | Path | dict):
                from .collection import load_collection

                source = load_collection(source if source is not None else _tutorial_collection())
            self._collection = source
        return self._collection

    def _users(self, users: UsersSource) -> list[dict[str, Any]]:
        if users is None:
            return list(self.collection.users())
        if isinstance(users, bool):
            raise ValidationError("expected a number, a CSV path or a list of users", where="users")
        if isinstance(users, int):
            return generate_users(users)
        if isinstance(users, str | Path):
            return load_users_csv(users)
        return [dict(user) for user in users]

    @property
    def ledger(self) -> PunchLedger:
        """The punch ledger (live mode)."""
        if self.mode != "live":
            raise ValidationError("only live mode records punches", where="mode")
        return self.engine.ledger

    # -- answering ---------------------------------------------------------------------------

    def respond(self, request: MockRequest) -> MockResponse:
        """Answer one request: body cap, JSON body check, faults, auth, then the engine.

        Never raises: a failure inside the engine becomes a 500 JSON error.
        """
        started = time.perf_counter()
        response = self._respond(request)
        if self.log:
            elapsed = (time.perf_counter() - started + response.delay) * 1000
            self._log_line(request, response, elapsed)
        return response

    def _respond(self, request: MockRequest) -> MockResponse:
        if len(request.body) > MAX_BODY_BYTES:
            return body_too_large()
        bad_body = invalid_json(request)
        if bad_body is not None:
            return bad_body
        faults = self.faults
        response = faults.before(request) if faults is not None else None
        if response is None and self.auth is not None:
            response = self.auth.handle(request) or self.auth.check(request)
        if response is None:
            try:
                response = self.engine.respond(request)
            except Exception as exc:  # the server must keep answering
                response = MockResponse.error(500, "internalError", f"{type(exc).__name__}: {exc}")
        requested = request.requested_delay()
        if requested is not None:  # x-mock-response-delay overrides any configured delay
            response.delay = requested
        elif faults is not None:
            faults.after(response)
        return response

    def _log_line(self, request: MockRequest, response: MockResponse, ms: float) -> None:
        query = "&".join(
            f"{k}=***" if any(w in k.lower() for w in _SECRET_WORDS) else f"{k}={v}"
            for k, v in request.query
        )
        target = request.path + (f"?{query}" if query else "")
        if self.mode == "replay":
            score = "" if response.score is None else f" score={response.score:g}"
            chosen = f"example={response.example!r}{score}"
        else:
            chosen = f"route={response.example or '-'}"
        line = f"{request.method} {target} {chosen} -> {response.status} {ms:.1f} ms"
        if callable(self.log):
            self.log(line)
        else:
            print(line, file=sys.stderr, flush=True)

    def explain(self, request: MockRequest) -> pandas.DataFrame:
        """Why replay mode chose its example: every candidate with its score (replay only)."""
        if self.mode != "replay":
            raise ValidationError("explain() needs replay mode", where="mode")
        return self.engine.explain(request)

    def routes(self) -> list[tuple[str, str, str]]:
        """`(method, path, what)` for each route: the live routes or the collection's examples."""
        if self.mode == "live":
            return list(LiveApi.ROUTES)
        return [_describe_example(example) for example in self.collection.examples()]

    # -- transports ------------------------------------------------------------------------

    def transport(self) -> httpx.BaseTransport:
        """An httpx transport that answers in-process (no socket), honouring delays."""
        from .transport import MockTransport

        return MockTransport(self)

    def async_transport(self) -> httpx.AsyncBaseTransport:
        """The asyncio flavour of `transport()`."""
        from .transport import AsyncMockTransport

        return AsyncMockTransport(self)

    def mount(self, base_url: str = DEFAULT_BASE_URL) -> str:
        """Answer `base_url` in-process for every `punchlab.inprocess.client()`; returns it."""
        from ..inprocess import mount

        self.unmount()  # mounting again moves this mock, it does not leave a second mount behind
        transport = self.transport()
        key = mount(base_url, transport)
        self._mounted = (key, transport)
        return key

    def unmount(self) -> None:
        """Stop answering the base URL this mock mounted (unless another mock took it since)."""
        from ..inprocess import unmount

        if self._mounted is not None:
            unmount(*self._mounted)
            self._mounted = None

    def client(self, base_url: str = DEFAULT_BASE_URL, **options: Any) -> httpx.Client:
        """An httpx client whose relative URLs reach this mock in-process."""
        from ..inprocess import _key, client

        mounts = {_key(base_url): self.transport()}
        return client(base_url=base_url, mounts=mounts, **options)

    @property
    def asgi(self) -> Callable[..., Any]:
        """A raw ASGI application serving this mock (for uvicorn or any ASGI server)."""
        if self._asgi is None:
            from .transport import asgi_app

            # A live mock whose punches go to a Store may wait on SQLite's busy timeout.
            blocking = self.mode == "live" and self.ledger.store is not None
            self._asgi = asgi_app(self, blocking=blocking)
        return self._asgi

    def serve(
        self, *, host: str = "127.0.0.1", port: int = 0, log: bool | None = None
    ) -> LocalServer:
        """A localhost HTTP server for this mock: a context manager (or `start()`/`stop()`).

        Port 0 picks a free port; `.url` and `.port` say which once it listens.
        """
        from .localserver import LocalServer

        if log is not None:
            self.log = log
        return LocalServer(self, host=host, port=port)


def _describe_example(example: Example) -> tuple[str, str, str]:
    """A route-table row from a replay example: method, path with query, code and name."""
    path = example.path or "/"
    if example.query:
        path += "?" + "&".join(f"{key}={value}" for key, value in example.query)
    label = " / ".join(part for part in (example.item_name, example.name) if part)
    return example.method, path, f"{example.code} {label}".strip()
