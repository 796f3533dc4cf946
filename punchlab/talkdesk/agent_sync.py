"""Agent Sync: page through a users Action, map the users, match them to agents by email, report.

"Agent Sync utilizes user emails to identify matching users between Talkdesk and the external
system." Each matched agent gets the user's ID as its External ID for the Connection.

```python
users = punch.action("Get users (formatted)")      # a users Action of the Connection
report = agent_sync(users, account, dry_run=True)  # read every page, match, report only
report = agent_sync(users, account)                # ...and set the External IDs
account.agents_frame(connection=punch)             # the External IDs, looked up
```

The same function works on plain parts: any `fetch(cursor) -> body` (for example
`http_fetcher(url, client=http)`) instead of an Action, and an agents DataFrame with an
`apply({agent_id: external_id})` callable instead of an Account.

Nothing is applied unless every page was read and every user mapped (all or nothing), and a dry
run (`dry_run=True`) only reports.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urljoin

from ..emails import normalise_emails
from ..errors import MappingError, SyncError
from ..templates import MISSING, lookup
from .mapping import FieldMapping

if TYPE_CHECKING:
    import httpx
    import pandas as pd

    from .account import Account
    from .action import Action
    from .connection import Connection

__all__ = [
    "NextLink",
    "Page",
    "Pagination",
    "SyncReport",
    "action_fetcher",
    "agent_sync",
    "http_fetcher",
    "match_users",
    "paginate",
]

Style = Literal["page", "offset", "next"]
MatchMode = Literal["insensitive", "exact"]
Fetch = Callable[[Any], Mapping[str, Any]]

_NEXT_KEYS = ("next", "_links.next.href", "links.next")
_EXCERPT = 200
_LIMIT_WAITS = 5  # seconds a page waits for the account's executions limit before failing


@dataclass(frozen=True)
class Page:
    """One page of users: its position (1-based), what was asked for, and the parsed body."""

    number: int
    cursor: Any
    users: list[Any]
    body: Mapping[str, Any]


class _PageFailed(Exception):
    """Raised by a fetch whose page came back with an error status or an invalid body."""

    def __init__(self, message: str, *, status: int | None, body: str | None) -> None:
        super().__init__(message)
        self.message, self.status, self.body = message, status, body


class NextLink(str):
    """A cursor that is a `next` link (style `"next"`), not a page number or an offset."""


def _page_error(number: int, cursor: Any, message: str, *, status=None, body=None) -> SyncError:
    status_text = f" HTTP {status}" if status is not None else ""
    excerpt = ""
    if body:
        excerpt = body if len(body) <= _EXCERPT else body[:_EXCERPT] + "…"
        excerpt = f"; body: {excerpt!r}"
    error = SyncError(
        f"page {number} ({cursor!r}) failed:{status_text} {message}{excerpt}; nothing was applied"
    )
    error.page, error.cursor, error.status, error.body = number, cursor, status, body
    return error


class Pagination:
    """Pages of a users API, read lazily; after the loop, `stop_reason` says why it ended.

    Styles:
    - `"page"` (the tutorial's): ask for page 1, 2, …; stop when `total` users are read or a page
      is empty.
    - `"offset"`: start with `None`, then pass the body's `next_offset` until it is absent.
    - `"next"`: start with `None`, then pass the body's `next` link (or `_links.next.href`).

    Every style stops when a page repeats an earlier one (same users): the tutorial's replay
    mock answers a page past its last example with page 1 again. `max_pages` guards the loop.
    A page that fails raises `SyncError` with `page`, `cursor`, `status` and `body` attributes.

    ```python
    pages = paginate(fetch)
    users = [user for page in pages for user in page.users]
    pages.stop_reason   # 'read 7 of 7 users (total)'
    ```
    """

    def __init__(
        self,
        fetch: Fetch,
        *,
        style: Style = "page",
        start: Any = None,
        max_pages: int = 1000,
        progress: bool | None = None,
        users_key: str = "users",
        next_key: str | None = None,
    ) -> None:
        if style not in ("page", "offset", "next"):
            raise ValueError(f"style must be 'page', 'offset' or 'next', not {style!r}")
        self.fetch = fetch
        self.style = style
        self.start = (1 if style == "page" else None) if start is None else start
        self.max_pages = max_pages
        self.progress = progress
        self.users_key = users_key
        self.next_key = next_key
        self.pages_read = 0
        self.users_read = 0
        self.stop_reason: str | None = None

    def _fetch(self, number: int, cursor: Any) -> Page:
        try:
            body = self.fetch(cursor)
        except SyncError:
            raise
        except _PageFailed as exc:
            raise _page_error(
                number, cursor, exc.message, status=exc.status, body=exc.body
            ) from exc
        except Exception as exc:
            response = getattr(exc, "response", None)
            status = getattr(response, "status_code", None)
            text, message = None, f"{type(exc).__name__}: {exc}"
            if status is not None:
                if status >= 400:
                    message = getattr(response, "reason_phrase", "") or "error"
                try:
                    text = response.text
                except Exception:  # a streamed or closed response has no text to show
                    text = None
            raise _page_error(number, cursor, message, status=status, body=text) from exc
        if not isinstance(body, Mapping):
            raise _page_error(number, cursor, f"the body is {type(body).__name__}, not an object")
        users = body.get(self.users_key)
        if not isinstance(users, list):
            raise _page_error(number, cursor, f"the body has no {self.users_key!r} list")
        return Page(number, cursor, users, body)

    def _next_link(self, body: Mapping[str, Any]) -> Any:
        for key in (self.next_key,) if self.next_key else _NEXT_KEYS:
            value = lookup(body, key)
            if value is not MISSING and value not in (None, ""):
                return value
        return None

    def __iter__(self) -> Iterator[Page]:
        self.pages_read, self.users_read, self.stop_reason = 0, 0, None
        seen: dict[int, int] = {}  # fingerprint of a page's users -> page number
        cursor = self.start
        bar = None
        try:
            for number in range(1, self.max_pages + 1):
                page = self._fetch(number, cursor)
                users, body = page.users, page.body
                if not users:
                    self.stop_reason = f"page {number} was empty"
                    return
                fingerprint = hash(repr(users))
                if fingerprint in seen:
                    self.stop_reason = (
                        f"page {number} repeats page {seen[fingerprint]} (the same users): "
                        "the API answers past its last page with an earlier one"
                    )
                    return
                seen[fingerprint] = number
                self.pages_read = number
                self.users_read += len(users)
                total = body.get("total") if self.style == "page" else None
                total = total if isinstance(total, int) and not isinstance(total, bool) else None
                if bar is None:
                    bar = self._bar(total, len(users))
                if bar is not None:
                    bar.update(1)
                yield page
                if total is not None and self.users_read >= total:
                    self.stop_reason = f"read {self.users_read} of {total} users (total)"
                    return
                if self.style == "page":
                    cursor = cursor + 1
                elif self.style == "offset":
                    cursor = body.get("next_offset")
                    if cursor is None:
                        self.stop_reason = f"page {number} had no next_offset"
                        return
                else:
                    link = self._next_link(body)
                    if link is None:
                        self.stop_reason = f"page {number} had no next link"
                        return
                    cursor = NextLink(urljoin(cursor, link) if isinstance(cursor, str) else link)
            raise SyncError(
                f"stopped after max_pages={self.max_pages} pages ({self.users_read} users) without "
                "reaching the last page; raise max_pages if the API really has more; "
                "nothing was applied"
            )
        finally:
            if bar is not None:
                bar.close()

    def _bar(self, total: int | None, page_size: int) -> Any:
        expected = math.ceil(total / page_size) if total and page_size else None
        show = self.progress if self.progress is not None else (expected or 0) >= 20
        if not show:
            return None
        from tqdm.auto import tqdm

        return tqdm(total=expected, unit="page", desc="Agent Sync")

    def users(self) -> list[Any]:
        """Read every page and return all users in order."""
        return [user for page in self for user in page.users]


def paginate(fetch: Fetch, **options: Any) -> Pagination:
    """Pages of a users API (see `Pagination` for the styles and options)."""
    return Pagination(fetch, **options)


def http_fetcher(
    url: str,
    *,
    client: httpx.Client,
    param: str = "page",
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Fetch:
    """A `fetch(cursor)` that GETs `url?{param}={cursor}` (or the `next` link itself) as JSON.

    Raises `httpx.HTTPStatusError` on a 4xx/5xx, which `Pagination` turns into a `SyncError`
    with the page number, status and a body excerpt. Use one client for all pages:

    ```python
    with punchlab.inprocess.client() as http:
        users = paginate(http_fetcher(base + "/users/formatted", client=http)).users()
    ```
    """

    def fetch(cursor: Any) -> Mapping[str, Any]:
        query = dict(params or {})
        target = url
        if isinstance(cursor, NextLink):
            target = urljoin(url, cursor)
        elif cursor is not None:
            query[param] = cursor
        response = client.get(target, params=query or None, headers=headers)
        response.raise_for_status()
        try:
            return response.json()
        except ValueError as exc:
            error = ValueError(f"the body is not JSON ({exc})")
            error.response = response  # so the SyncError shows the status and the body
            raise error from exc

    return fetch


def action_fetcher(action: Action, *, param: str | None = None) -> Fetch:
    """A `fetch(cursor)` that gets one page by running a users Action with `{param: cursor}`.

    A published Action (Active or Deprecated) is run; a Draft is tested, as the Test button
    does. `param` defaults to the Action's only path parameter (`page` for the tutorial's). A
    result that is not `success` (an HTTP error, a timeout, an answer that breaks the output
    schema) becomes a `SyncError` with the page number, status and a body excerpt. A page the
    account's limit of 50 Action executions a second refuses (never sent, a 429 in the
    execution log) is asked again in the next second, up to `_LIMIT_WAITS` times.

    ```python
    pages = paginate(action_fetcher(punch.action("Get users (formatted)")))
    ```
    """
    from .action import ActionState

    if param is None:
        names = list(action.parameters)
        param = names[0] if len(names) == 1 else "page"
    if param not in action.parameters:
        raise ValueError(f"Action {action.name!r} has no parameter {param!r} for the page")

    def fetch(cursor: Any) -> Mapping[str, Any]:
        params = {param: cursor}
        execute = action.test if action.state is ActionState.DRAFT else action.run
        result = execute(params)
        for _ in range(_LIMIT_WAITS):
            if not result.rate_limited:
                break
            time.sleep(1.0 - time.time() % 1.0)  # the limit counts whole seconds
            result = execute(params)
        if not result.ok:
            message = result.message
            if result.status is not None and message.startswith(str(result.status)):
                message = message[len(str(result.status)) :].strip()  # "500 Internal …"
            raise _PageFailed(
                f"Action {action.name!r} gave {result.outcome}: {message}",
                status=result.status,
                body=result.body or None,
            )
        return result.data

    return fetch


# --- matching -------------------------------------------------------------------------------


def _email_key(emails: pd.Series, match: MatchMode) -> pd.Series:
    keys = emails.astype(object).where(emails.notna(), None)
    if match == "insensitive":
        keys = normalise_emails(keys)
    return keys.where(keys.notna() & (keys != ""), None)


def _text_or_none(values: pd.Series) -> Any:
    """IDs as text, `None` (not NaN) where there is none: an object column, since pandas would
    otherwise infer a string column that shows a missing ID as NaN."""
    import numpy as np
    import pandas as pd

    # whole-number float ids (`2.0` is an integer to the schema) are the External IDs "2", not "2.0"
    if values.dtype.kind == "f" and (values.dropna() % 1 == 0).all():
        values = values.astype("Int64")
    return pd.Series(np.where(values.notna(), values.astype(str), None), dtype=object)


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


@dataclass
class SyncReport:
    """What an Agent Sync found and did, as DataFrames.

    - `matched`: one row per agent matched to an external user; `change` is `new` (no External ID
      yet), `changed` (a different one) or `unchanged`.
    - `unmatched_users`: external users with no agent of that email (never creates agents).
    - `unmatched_agents`: agents no external user matched (their External ID is left alone).
    - `conflicts`: the same email twice on either side, one external ID on two users, or a
      user whose ID is still the External ID of an agent it does not match (that agent keeps
      it); these rows are never matched (never guessed).
    """

    matched: pd.DataFrame
    unmatched_users: pd.DataFrame
    unmatched_agents: pd.DataFrame
    conflicts: pd.DataFrame
    match: MatchMode = "insensitive"
    pages: int = 0
    stop_reason: str | None = None
    dry_run: bool = False
    applied: bool = False
    mapping: FieldMapping | None = field(default=None, repr=False)

    @property
    def updates(self) -> dict[int, str]:
        """`{agent_id: external_id}` for the new and changed matches."""
        rows = self.matched[self.matched["change"] != "unchanged"]
        return dict(zip(rows["agent_id"].tolist(), rows["external_id"].tolist(), strict=True))

    @property
    def counts(self) -> dict[str, int]:
        changes = self.matched["change"].value_counts()
        return {
            "users": len(self.matched) + len(self.unmatched_users) + self._conflict_users(),
            "matched": len(self.matched),
            **{kind: int(changes.get(kind, 0)) for kind in ("new", "changed", "unchanged")},
            "unmatched_users": len(self.unmatched_users),
            "unmatched_agents": len(self.unmatched_agents),
            "conflicts": len(self.conflicts),
        }

    def _conflict_users(self) -> int:
        return int((self.conflicts["side"] == "external user").sum())

    @property
    def summary(self) -> str:
        """One line: what matched, what did not, and what was (or would be) applied."""
        c = self.counts
        updates = c["new"] + c["changed"]
        if self.dry_run:
            outcome = f"dry run: would set {_n(updates, 'External ID')}"
        elif self.applied:
            outcome = f"set {_n(updates, 'External ID')}"
        else:
            outcome = "nothing to change"
        pages = f" from {_n(self.pages, 'page')}" if self.pages else ""
        return (
            f"{_n(c['users'], 'user')}{pages}: {c['matched']:,} matched ({c['new']:,} new, "
            f"{c['changed']:,} changed, {c['unchanged']:,} unchanged), "
            f"{_n(c['unmatched_users'], 'user')} with no agent, "
            f"{_n(c['unmatched_agents'], 'agent')} with no user, "
            f"{_n(c['conflicts'], 'conflicting row')}; {outcome}"
        )

    def __repr__(self) -> str:
        return f"<SyncReport {self.summary}>"

    def _repr_html_(self) -> str:
        from html import escape

        parts = [f"<p><b>Agent Sync</b> ({self.match} email match): {escape(self.summary)}</p>"]
        if self.stop_reason:
            parts.append(f"<p>Stopped paging: {escape(self.stop_reason)}</p>")
        for title, frame in (
            ("Matched", self.matched),
            ("External users with no agent", self.unmatched_users),
            ("Agents with no external user", self.unmatched_agents),
            ("Conflicts (not matched)", self.conflicts),
        ):
            if len(frame):
                more = f" (first 10 of {len(frame)})" if len(frame) > 10 else ""
                parts.append(f"<h4>{title}{more}</h4>{frame.head(10).to_html(index=False)}")
        return "\n".join(parts)


def _drop_held_ids(matched: pd.DataFrame, agents: pd.DataFrame) -> tuple[pd.DataFrame, Any]:
    """Take out the matches whose user ID stays the External ID of another agent.

    An agent that no user matched keeps its External ID, and one ID cannot be on two agents of
    a Connection: such a match is a conflict (user and agent rows), never a guess. Dropping a
    match can make its agent keep an ID another match wanted, hence the loop.
    """
    import pandas as pd

    dropped = []
    while len(matched):
        keeps = agents[
            ~agents["agent_id"].isin(matched["agent_id"]) & agents["previous_external_id"].notna()
        ].drop_duplicates("previous_external_id")
        owner = pd.Series(keeps["agent_id"].to_numpy(), index=keeps["previous_external_id"])
        holder = matched["external_id"].map(owner)
        taken = holder.notna().to_numpy()
        if not taken.any():
            break
        dropped.append(matched[taken].assign(holder=holder[taken].astype("int64").astype(str)))
        matched = matched[~taken]
    if not dropped:
        return matched, []
    rows = pd.concat(dropped)
    held_by = " is the External ID of agent " + rows["holder"] + ", which keeps it"
    users = pd.DataFrame(
        {
            "side": "external user",
            "email": rows["user_email"],
            "id": rows["external_id"],
            "name": rows["user_name"],
            "reason": "its ID" + held_by,
            "key": rows["key"],
        }
    )
    owners = pd.DataFrame(
        {
            "side": "agent",
            "email": rows["agent_email"],
            "id": rows["agent_id"].astype(object),
            "name": rows["agent_name"],
            "reason": "its user's ID" + held_by,
            "key": rows["key"],
        }
    )
    return matched, pd.concat([owners, users], ignore_index=True)


def match_users(
    users: pd.DataFrame, agents: pd.DataFrame, *, match: MatchMode = "insensitive"
) -> SyncReport:
    """Match external users (`id`, `name`, `email`) to agents (`id`, `name`, `email`, `active`,
    `external_id`) by email, vectorised.

    `match="insensitive"` (the default) trims and case-folds both sides; `"exact"` compares the
    emails as they are, so `User+1@talkdesk.com` does not find `user+1@talkdesk.com`.

    ```python
    report = match_users(users_frame, account.agents_frame(connection="punch"))
    report.updates   # {agent_id: external_id}
    ```
    """
    import numpy as np
    import pandas as pd

    if match not in ("insensitive", "exact"):
        raise ValueError(f"match must be 'insensitive' or 'exact', not {match!r}")
    for name, frame, needed in (
        ("users", users, ("id", "name", "email")),
        ("agents", agents, ("id", "name", "email", "external_id")),
    ):
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise ValueError(f"{name} needs the columns {', '.join(missing)}")

    ids = users["id"]
    u = pd.DataFrame(
        {
            "external_id": _text_or_none(ids),
            "user_name": users["name"].to_numpy(),
            "user_email": users["email"].to_numpy(),
            "key": _email_key(users["email"], match).to_numpy(),
        }
    )
    previous = agents["external_id"]
    active = agents["active"].to_numpy() if "active" in agents.columns else True
    a = pd.DataFrame(
        {
            "agent_id": agents["id"].to_numpy(),
            "agent_name": agents["name"].to_numpy(),
            "agent_email": agents["email"].to_numpy(),
            "active": active,
            "previous_external_id": _text_or_none(previous),
            "key": _email_key(agents["email"], match).to_numpy(),
        }
    )

    u_has, a_has = u["key"].notna(), a["key"].notna()
    u_dup_email = u_has & u["key"].duplicated(keep=False)
    u_dup_id = u["external_id"].notna() & u["external_id"].duplicated(keep=False)
    a_dup_email = a_has & a["key"].duplicated(keep=False)
    conflict_keys = pd.concat(
        [u.loc[u_dup_email | (u_dup_id & u_has), "key"], a.loc[a_dup_email, "key"]]
    ).unique()
    u_conflict = u["key"].isin(conflict_keys) | u_dup_id
    a_conflict = a["key"].isin(conflict_keys)

    conflicts = pd.concat(
        [
            pd.DataFrame(
                {
                    "side": "external user",
                    "email": u.loc[u_conflict, "user_email"],
                    "id": u.loc[u_conflict, "external_id"],
                    "name": u.loc[u_conflict, "user_name"],
                    "reason": np.select(
                        [u_dup_id[u_conflict], u_dup_email[u_conflict]],
                        ["its ID is on several external users", "its email is on several users"],
                        "several agents have its email",
                    ),
                    "key": u.loc[u_conflict, "key"],
                }
            ),
            pd.DataFrame(
                {
                    "side": "agent",
                    "email": a.loc[a_conflict, "agent_email"],
                    "id": a.loc[a_conflict, "agent_id"].astype(object),
                    "name": a.loc[a_conflict, "agent_name"],
                    "reason": np.where(
                        a_dup_email[a_conflict],
                        "its email is on several agents",
                        "its email matches a conflicting external user",
                    ),
                    "key": a.loc[a_conflict, "key"],
                }
            ),
        ],
        ignore_index=True,
    )

    u_ok = u[~u_conflict & u_has]
    a_ok = a[~a_conflict & a_has]
    matched = a_ok.merge(u_ok, on="key", how="inner", validate="one_to_one")
    matched, held = _drop_held_ids(matched, a)
    if len(held):
        conflicts = pd.concat([conflicts, held], ignore_index=True)
    conflicts = conflicts.sort_values(["key", "side"], kind="stable").drop(columns="key")
    prev = matched["previous_external_id"]
    matched["change"] = np.select(
        [prev.isna(), prev == matched["external_id"]], ["new", "unchanged"], "changed"
    )
    matched = matched[
        [
            "agent_id",
            "agent_name",
            "agent_email",
            "active",
            "external_id",
            "previous_external_id",
            "change",
            "user_name",
            "user_email",
        ]
    ]
    unmatched_users = u[~u_conflict & ~u["key"].isin(a_ok["key"])].drop(columns="key")
    unmatched_agents = a[~a_conflict & ~a["key"].isin(u_ok["key"])].drop(columns="key")
    return SyncReport(
        matched=matched.reset_index(drop=True),
        unmatched_users=unmatched_users.reset_index(drop=True),
        unmatched_agents=unmatched_agents.reset_index(drop=True),
        conflicts=conflicts.reset_index(drop=True),
        match=match,
    )


# --- the whole sync -------------------------------------------------------------------------


def agent_sync(
    source: Fetch | Action,
    agents: pd.DataFrame | Callable[[], pd.DataFrame] | Account,
    apply: Callable[[dict[int, str]], None] | None = None,
    *,
    connection: Connection | int | None = None,
    mapping: FieldMapping | Mapping[str, Any] | None = None,
    match: MatchMode = "insensitive",
    dry_run: bool = False,
    style: Style = "page",
    start: Any = None,
    max_pages: int = 1000,
    progress: bool | None = None,
) -> SyncReport:
    """Run Agent Sync: read every page, map and validate each, match by email, then apply once.

    **Parameters:**

    * `source`: a users `Action` (run page by page with `action_fetcher`), or any
      `fetch(cursor) -> body` callable.
    * `agents`: an `Account` (its agents and External IDs for `connection`, which defaults to
      the Action's Connection; the External IDs are set with `account.set_external_ids`, in one
      transaction), or an agents DataFrame (`id`, `name`, `email`, `active`, `external_id`) or a
      callable returning one, with `apply({agent_id: external_id})` to store the result.
    * `mapping`: a `FieldMapping` (or its dict) from the users' keys to `id`, `name`, `email`;
      without one the users must already have the formatted shape.
    * `match`: `"insensitive"` (trimmed, case-folded emails) or `"exact"`.
    * `dry_run`: report only. `style`, `start`, `max_pages`, `progress`: see `Pagination`
      (an Action pages with `"page"` or `"offset"`; an offset starts at 0).

    The External IDs are stored once, after every page was read and mapped and only when
    something changes; a failure before that (`SyncError`, `MappingError`) applies nothing.
    Re-running after an apply finds everything `unchanged`.

    ```python
    report = agent_sync(punch.action("Get users (not formatted)"), account,
                        mapping={"id": "punch_clock_id", "name": "name",
                                 "email": "punch_clock_email"})
    report.summary
    ```
    """
    import pandas as pd

    from .account import Account
    from .action import Action

    if isinstance(agents, Account):
        account = agents
        if connection is None and isinstance(source, Action):
            connection = source.connection
        if connection is None:
            raise ValueError("pass connection= (whose External IDs the sync sets)")
        if apply is not None:
            raise ValueError("an Account stores the External IDs itself: leave out apply=")
        if isinstance(source, Action) and source.connection.store is not account.store:
            raise ValueError(f"Action {source.name!r} belongs to another account's Connection")
        target = connection

        def agents_frame() -> pd.DataFrame:
            return account.agents_frame(connection=target)

        def store(updates: dict[int, str]) -> None:
            account.set_external_ids(target, updates)

        agents, apply = agents_frame, store
    if apply is None and not dry_run:
        raise ValueError("pass apply= (how to store the External IDs) or dry_run=True")
    fetch: Fetch = source  # type: ignore[assignment]
    if isinstance(source, Action):
        if style == "next":
            raise ValueError("an Action takes a page or offset parameter, not a next link")
        if style == "offset" and start is None:
            start = 0  # an Action parameter needs a value, where a bare fetch takes None
        # Action results are projected onto the output schema: a `next_offset` it leaves out
        # would vanish, and the sync would stop after page 1 as if that were all
        declared = (source.output_schema or {}).get("properties") or {}
        if style == "offset" and source.output_schema and "next_offset" not in declared:
            raise ValueError(
                f"Action {source.name!r}: its output schema has no 'next_offset' property, "
                "which offset paging reads; add it (a result keeps only what the schema declares)"
            )
        fetch = action_fetcher(source)
    if mapping is None:
        mapping = FieldMapping.identity()
    elif not isinstance(mapping, FieldMapping):
        mapping = FieldMapping(mapping)

    pages = paginate(fetch, style=style, start=start, max_pages=max_pages, progress=progress)
    frames = []
    for page in pages:
        try:
            frames.append(mapping.frame(page.users))
        except MappingError as exc:
            raise MappingError(
                f"{exc} (mapping {mapping.to_dict()}); nothing was applied",
                where=f"page {page.number}",
            ) from exc
    users = (
        pd.concat(frames, ignore_index=True) if frames else mapping.frame([])  # no users at all
    )
    agents_frame = agents() if callable(agents) else agents
    report = match_users(users, agents_frame, match=match)
    report.pages, report.stop_reason = pages.pages_read, pages.stop_reason
    report.dry_run, report.mapping = dry_run, mapping
    updates = report.updates
    if not dry_run and updates:
        assert apply is not None
        apply(updates)
        report.applied = True
    return report
