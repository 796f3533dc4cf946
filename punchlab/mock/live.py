"""Live mode: a small, real time-punch API built from the tutorial's data.

Where replay mode answers with the collection's saved examples, live mode computes its answers:

| route | answer |
|---|---|
| `GET /users/formatted?page=N` | `{"count", "total", "users": [{"name", "id", "email"}]}` |
| `GET /users/not-formatted?page=N` | users `{"name", "punch_clock_id", "punch_clock_email"}` |
| `POST /user/{id}/punch-clock` | a check-in, then a check-out, alternating, at the real UTC time |
| `GET /punches[?user_id=N]` | the punch ledger, oldest first (up to 1000 punches) |
| `GET /punches?page=N[&user_id=N]` | a page of it: `{"count", "total", "punches": [...]}` |

Pages hold `page_size` users or punches (5, as in the tutorial; a request may ask for another
size with `page_size=` or `per_page=`, up to 1000). A page past the end is empty (`count` 0).
`/punches` without `page` answers the whole ledger as a list, as long as it holds at most 1000
punches (past that, a 400 asks for a page).

Errors: page problems answer **400 in plain text**, exactly like the tutorial's
`No page was specified.` example; everything else (unknown user, unknown route, wrong method)
answers a JSON error `{"error": {"name", "message"}}` in the shape of Postman's mock errors.

Path parameters are percent-decoded one segment at a time, after the path is split on `/`, so an
encoded slash never escapes its segment: `/user/..%2F1/punch-clock` names the user `../1` (404).
`%31` decodes to `1` and so names user 1, as any HTTP server would.

```python
api = LiveApi(generate_users(100_000, seed=1))
answer = api.respond(MockRequest.build("GET", "/users/formatted?page=3"))
assert json.loads(answer.body)["count"] == 5
punch = api.respond(MockRequest.build("POST", "/user/7/punch-clock"))
assert json.loads(punch.body)["type"] == "in"
```
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ..csvfile import read_rows
from ..emails import is_email
from ..errors import ValidationError
from ..names import FIRST_NAMES, LAST_NAMES
from ..store import Store
from ..times import utc_iso
from .messages import MockRequest, MockResponse

__all__ = [
    "LiveApi",
    "MAX_ID",
    "MAX_PAGE_SIZE",
    "MAX_USERS",
    "PunchLedger",
    "generate_users",
    "load_users_csv",
    "parse_id",
    "split_path",
]

MAX_PAGE_SIZE = 1000
# One rule for every id (user ids, pages, page sizes): a whole number 1..MAX_ID, 18 digits at
# most, so it always fits SQLite's 64-bit INTEGER.
MAX_ID = 10**18 - 1
MAX_USERS = 1_000_000  # generated users (each costs about half a kilobyte)
JSON = [("content-type", "application/json")]
TEXT = [("content-type", "text/plain; charset=utf-8")]


def _email(user_id: int) -> str:
    return f"user+{user_id}@talkdesk.com"


def generate_users(n: int, *, seed: int = 0) -> list[dict[str, Any]]:
    """`n` users with ids 1..n, realistic names and `user+<id>@talkdesk.com` emails.

    The same `seed` always gives the same names.

    ```python
    users = generate_users(3, seed=0)
    assert [u["id"] for u in users] == [1, 2, 3]
    assert users[0]["email"] == "user+1@talkdesk.com"
    ```
    """
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_USERS:
        raise ValidationError(f"can generate 0 to {MAX_USERS:,} users, not {n!r}", where="users")
    rng = random.Random(seed)
    first, last = rng.choices(FIRST_NAMES, k=n), rng.choices(LAST_NAMES, k=n)
    return [
        {"id": i, "name": f"{first[i - 1]} {last[i - 1]}", "email": _email(i)}
        for i in range(1, n + 1)
    ]


def load_users_csv(path: str | Path) -> list[dict[str, Any]]:
    """Users from a CSV file with the header `id,name,email` (ids positive and unique).

    A bad row raises `ValidationError` naming the file and the line.
    """
    users: list[dict[str, Any]] = []
    seen: set[int] = set()
    for line, row in read_rows(path, required=("id", "name", "email")):
        where = f"{path}, line {line}"
        raw_id = row["id"].strip()
        user_id = parse_id(raw_id)
        if user_id is None:
            raise ValidationError(f"id {raw_id!r} is not {ID_RULE}", where=where)
        if user_id in seen:
            raise ValidationError(f"id {user_id} appears twice", where=where)
        name, email = row["name"].strip(), row["email"].strip()
        if not name:
            raise ValidationError("the name is empty", where=where)
        if not is_email(email):
            raise ValidationError(f"email {email!r} is not a valid email", where=where)
        seen.add(user_id)
        users.append({"id": user_id, "name": name, "email": email})
    return users


def split_path(raw_path: str) -> list[str] | None:
    """The path's segments, each percent-decoded on its own; `None` if an escape is malformed.

    ```python
    assert split_path("/user/..%2F1/punch-clock") == ["user", "../1", "punch-clock"]
    ```
    """
    segments = raw_path.strip("/").split("/") if raw_path.strip("/") else []
    decoded = []
    for segment in segments:
        if "%" in segment:
            parts = segment.split("%")
            for part in parts[1:]:
                if len(part) < 2 or any(c not in "0123456789abcdefABCDEF" for c in part[:2]):
                    return None
            try:
                segment = unquote(segment, errors="strict")
            except UnicodeDecodeError:
                return None
        decoded.append(segment)
    return decoded


def _utc_now() -> datetime:
    return datetime.now(UTC)


_LEDGER_DDL = """
CREATE TABLE IF NOT EXISTS live_punches (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL,
    name          TEXT    NOT NULL,
    type          TEXT    NOT NULL CHECK (type IN ('in', 'out')),
    time          TEXT    NOT NULL,
    check_in_time TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS live_punches_user ON live_punches (user_id, id);
"""
_COLUMNS = ("id", "user_id", "name", "type", "time", "check_in_time")


class PunchLedger:
    """Every punch the live API recorded, in memory (default) or in the lab's `Store`.

    A punch is a plain record (a dict): `id`, `user_id`, `name`, `type` (`"in"` / `"out"`),
    `time` (ISO 8601 UTC) and `check_in_time` (for a check-out, the time of the check-in it
    closes). With a `Store` the ledger survives a kernel restart. Safe to share between threads.

    ```python
    ledger = PunchLedger(Store(memory=True))
    ledger.punch(1, "Barbara Banh")["type"]        # 'in'
    ledger.punch(1, "Barbara Banh")["type"]        # 'out'
    [p["type"] for p in ledger.records(user_id=1)] # ['in', 'out']
    ```
    """

    def __init__(
        self, store: Store | None = None, *, now: Callable[[], datetime] = _utc_now
    ) -> None:
        self.store = store
        self.now = now
        self._lock = threading.Lock()
        self._memory: list[dict[str, Any]] = []
        self._open: dict[int, str] = {}  # user id -> check-in time of an open shift (memory)
        if store is not None:
            store.ensure("live_punches", _LEDGER_DDL)

    def __repr__(self) -> str:
        where = repr(self.store) if self.store is not None else "memory"
        return f"PunchLedger({where}, {len(self)} punches)"

    def __len__(self) -> int:
        if self.store is None:
            return len(self._memory)
        return int(self.store.query("SELECT COUNT(*) AS n FROM live_punches")[0]["n"])

    def punch(self, user_id: int, name: str) -> dict[str, Any]:
        """Record the user's next punch (in if they are out, out if they are in) and return it."""
        with self._lock:
            time = utc_iso(self.now())
            if self.store is None:
                check_in = self._open.pop(user_id, None)
                if check_in is None:
                    self._open[user_id] = time
                record = {
                    "id": len(self._memory) + 1,
                    "user_id": user_id,
                    "name": name,
                    "type": "in" if check_in is None else "out",
                    "time": time,
                    "check_in_time": check_in or time,
                }
                self._memory.append(record)
                return dict(record)
            with self.store.transaction() as db:
                last = db.execute(
                    "SELECT type, check_in_time FROM live_punches WHERE user_id = ? "
                    "ORDER BY id DESC LIMIT 1",
                    (user_id,),
                ).fetchone()
                kind = "out" if last is not None and last["type"] == "in" else "in"
                check_in = last["check_in_time"] if kind == "out" else time
                cursor = db.execute(
                    "INSERT INTO live_punches (user_id, name, type, time, check_in_time) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (user_id, name, kind, time, check_in),
                )
            return dict(
                zip(_COLUMNS, (cursor.lastrowid, user_id, name, kind, time, check_in), strict=True)
            )

    def records(
        self, *, user_id: int | None = None, offset: int = 0, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """The punches as plain dicts, oldest first (optionally one user's, or a slice)."""
        end = None if limit is None else offset + limit
        if self.store is None:
            with self._lock:
                chosen = [r for r in self._memory if user_id is None or r["user_id"] == user_id]
                return [dict(r) for r in chosen[offset:end]]
        sql = f"SELECT {', '.join(_COLUMNS)} FROM live_punches"
        params: tuple[int, ...] = ()
        if user_id is not None:
            sql, params = sql + " WHERE user_id = ?", (user_id,)
        sql += " ORDER BY id LIMIT ? OFFSET ?"
        params += (-1 if limit is None else limit, offset)
        return [dict(row) for row in self.store.query(sql, params)]

    def count(self, *, user_id: int | None = None) -> int:
        """How many punches (optionally one user's)."""
        if user_id is None:
            return len(self)
        if self.store is None:
            with self._lock:
                return sum(1 for r in self._memory if r["user_id"] == user_id)
        sql = "SELECT COUNT(*) AS n FROM live_punches WHERE user_id = ?"
        return int(self.store.query(sql, (user_id,))[0]["n"])

    def clear(self) -> None:
        """Forget every punch."""
        with self._lock:
            self._memory.clear()
            self._open.clear()
            if self.store is not None:
                self.store.execute("DELETE FROM live_punches")


class LiveApi:
    """The live time-punch API: real pagination over `users` and a punch clock.

    **Parameters:**

    * `users`: dicts with `id`, `name`, `email` (see `generate_users`, `load_users_csv`).
    * `page_size`: users per page when the request does not say (the tutorial's 5).
    * `ledger`: where punches go (default: a new in-memory `PunchLedger`).
    * `now`: the clock for a new ledger (tests and simulated days inject their own).

    ```python
    api = LiveApi([{"id": 1, "name": "Barbara Banh", "email": "user+1@talkdesk.com"}])
    api.respond(MockRequest.build("GET", "/users/formatted")).status    # 400
    ```
    """

    ROUTES = (
        ("GET", "/users/formatted?page={page}", "users, formatted"),
        ("GET", "/users/not-formatted?page={page}", "users, not formatted"),
        ("POST", "/user/{user_id}/punch-clock", "punch the clock (in, then out)"),
        ("GET", "/punches?page={page}&user_id={user_id}", "the punch ledger (both optional)"),
    )

    def __init__(
        self,
        users: Iterable[Mapping[str, Any]],
        *,
        page_size: int = 5,
        ledger: PunchLedger | None = None,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValidationError(f"must be 1..{MAX_PAGE_SIZE}, not {page_size}", where="page_size")
        self.page_size = page_size
        self.ledger = ledger if ledger is not None else PunchLedger(now=now)
        self.users: list[dict[str, Any]] = []
        self._by_id: dict[int, dict[str, Any]] = {}
        formatted, raw = [], []
        for i, user in enumerate(users):
            try:
                record = {"id": user["id"], "name": str(user["name"])}
                record["email"] = str(user["email"])
            except (KeyError, TypeError, ValueError) as exc:
                raise ValidationError(
                    f"needs id, name and email ({exc})", where=f"user {i}"
                ) from exc
            record["id"] = parse_id(record["id"])
            if record["id"] is None:
                raise ValidationError(f"id {user['id']!r} is not {ID_RULE}", where=f"user {i}")
            if record["id"] in self._by_id:
                raise ValidationError(f"id {record['id']} appears twice", where=f"user {i}")
            self.users.append(record)
            self._by_id[record["id"]] = record
            name, uid, email = record["name"], record["id"], record["email"]
            # pre-serialised once, so a page costs a slice and a join
            formatted.append(json.dumps({"name": name, "id": uid, "email": email}).encode())
            raw.append(
                json.dumps(
                    {"name": name, "punch_clock_id": uid, "punch_clock_email": email}
                ).encode()
            )
        self._pages = {"formatted": formatted, "not-formatted": raw}

    def __repr__(self) -> str:
        return f"LiveApi({len(self.users)} users, page_size={self.page_size})"

    def route(self, request: MockRequest) -> str | None:
        """The name of the route `request` goes to (for logs), or `None`."""
        segments = split_path(request.path)
        if segments is None:
            return None
        if len(segments) == 2 and segments[0] == "users" and segments[1] in self._pages:
            return f"users/{segments[1]}"
        if len(segments) == 3 and segments[0] == "user" and segments[2] == "punch-clock":
            return "user/{id}/punch-clock"
        if segments == ["punches"]:
            return "punches"
        return None

    def respond(self, request: MockRequest) -> MockResponse:
        """Answer one request (never raises)."""
        segments = split_path(request.path)
        if segments is None:
            return MockResponse.error(
                400, "badRequest", f"malformed percent-escape in {request.path!r}"
            )
        route = self.route(request)
        if route is None:
            return MockResponse.error(
                404, "notFound", f"no live route for {request.method} {request.path}"
            )
        method = "POST" if route.startswith("user/") else "GET"
        if request.method != method:
            response = MockResponse.error(405, "methodNotAllowed", f"{route} accepts {method} only")
            response.headers.append(("allow", method))
        elif route == "punches":
            response = self._punches(request)
        elif method == "POST":
            response = self._punch(segments[1])
        else:
            response = self._page(segments[1], request)
        response.example = route
        return response

    def _page_and_size(self, query: dict[str, str]) -> tuple[int, int] | MockResponse:
        """`(page, size)` from the query (`page` required), or the plain-text 400 to send."""
        if "page" not in query:
            return MockResponse(400, list(TEXT), b"No page was specified.")
        page = parse_id(query["page"])
        if page is None:
            return MockResponse(
                400, list(TEXT), f"page must be {ID_RULE}, not {query['page']!r}.".encode()
            )
        size = self.page_size
        for key in ("page_size", "per_page"):
            if key in query:
                size = parse_id(query[key])
                if size is None or size > MAX_PAGE_SIZE:
                    return MockResponse(
                        400,
                        list(TEXT),
                        f"{key} must be an integer from 1 to {MAX_PAGE_SIZE}, "
                        f"not {query[key]!r}.".encode(),
                    )
        return page, size

    def _page(self, kind: str, request: MockRequest) -> MockResponse:
        paging = self._page_and_size(dict(request.query))
        if isinstance(paging, MockResponse):
            return paging
        page, size = paging
        users = self._pages[kind][(page - 1) * size : page * size]
        body = b'{"count":%d,"total":%d,"users":[%s]}' % (
            len(users),
            len(self.users),
            b",".join(users),
        )
        return MockResponse(200, list(JSON), body)

    def _punch(self, segment: str) -> MockResponse:
        user_id = parse_id(segment)
        user = self._by_id.get(user_id) if user_id is not None else None
        if user is None:
            return MockResponse.error(404, "userNotFound", f"no user with id {segment!r}")
        record = self.ledger.punch(user["id"], user["name"])
        answer = {"name": user["name"], "check_in_time": record["check_in_time"]}
        if record["type"] == "out":
            answer["check_out_time"] = record["time"]
        answer.update(type=record["type"], id=record["id"], user_id=user["id"])
        return MockResponse(200, list(JSON), json.dumps(answer).encode())

    def _punches(self, request: MockRequest) -> MockResponse:
        query = dict(request.query)
        user_id = None
        if "user_id" in query:
            user_id = parse_id(query["user_id"])
            if user_id is None:
                return MockResponse.error(
                    400, "badRequest", f"user_id must be {ID_RULE}, not {query['user_id']!r}"
                )
        if "page" not in query:
            # today's answer, the whole ledger as a list, while it stays small
            total = self.ledger.count(user_id=user_id)
            if total > MAX_PAGE_SIZE:
                return MockResponse.error(
                    400,
                    "badRequest",
                    f"the ledger holds {total} punches, more than {MAX_PAGE_SIZE} in one answer: "
                    "ask for a page (page=1, page_size up to 1000)",
                )
            body = json.dumps(self.ledger.records(user_id=user_id)).encode()
            return MockResponse(200, list(JSON), body)
        paging = self._page_and_size(query)
        if isinstance(paging, MockResponse):
            return paging
        page, size = paging
        punches = self.ledger.records(user_id=user_id, offset=(page - 1) * size, limit=size)
        answer = {
            "count": len(punches),
            "total": self.ledger.count(user_id=user_id),
            "punches": punches,
        }
        return MockResponse(200, list(JSON), json.dumps(answer).encode())


ID_RULE = f"a positive integer up to {MAX_ID} (ASCII digits)"


def parse_id(value: object) -> int | None:
    """`value` as an id by the lab's one rule (an int, or ASCII digits, 1..MAX_ID), else `None`.

    ```python
    assert parse_id(" 42 ") == 42 and parse_id("²") is None and parse_id(10**30) is None
    ```
    """
    if isinstance(value, str):
        text = value.strip()
        if not text.isascii() or not text.isdecimal() or len(text) > len(str(MAX_ID)):
            return None
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 1 <= value <= MAX_ID else None
