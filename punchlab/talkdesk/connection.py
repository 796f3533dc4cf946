"""The Connection: a base path and an authentication type, shared by its Actions.

Tutorial step 3.3: Builder > Integrations > Add integration > Custom Integration, then Name,
Description, Base path and Authentication type. The base path must be http(s) and carry no
query string; an Action's relative path is appended to it.

```python
account = Account(Store(memory=True))
punch = account.add_connection(
    name="Punch Clock",
    description="The time-punch mock",
    base_path="http://mock.punchlab",            # in-process mock, or any http(s) URL
    auth=ApiKeyAuth("s3cr3t"),                    # NoAuth() when left out
)
punch                                             # the key shows as '***'
```

The auth types are `httpx.Auth` flows, as Talkdesk offers them: `NoAuth`, `BasicAuth`,
`ApiKeyAuth` (the header name is configurable) and `OAuth2ClientCredentials` (the token is
fetched from the token URL, cached until it expires, and fetched again once on a 401).
Secrets never appear in a repr, an export or a run record: they show as `'***'`.

Every HTTP call goes through `punchlab.inprocess.client()`: a base path mounted in-process is
answered without a socket, any other URL goes over the network.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from .. import inprocess
from ..errors import AuthError, ValidationError
from ..home import TUTORIAL_ACTIONS, data_file
from ..store import Store
from ..text import check_text, storable
from .action import Action
from .action import ensure_tables as ensure_action_tables

if TYPE_CHECKING:
    import pandas as pd

    from ..mock.collection import Collection

__all__ = [
    "MASK",
    "TUTORIAL_ACTIONS",
    "ApiKeyAuth",
    "Auth",
    "BasicAuth",
    "Connection",
    "NoAuth",
    "OAuth2ClientCredentials",
]

MASK = "***"

_DDL = """
CREATE TABLE IF NOT EXISTS connections (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    base_path TEXT NOT NULL,
    auth TEXT NOT NULL,
    secrets TEXT NOT NULL
);
"""


# -- authentication types ---------------------------------------------------------------------


class Auth(httpx.Auth):
    """An authentication type of a Connection (an `httpx.Auth` flow that masks its secrets)."""

    kind: ClassVar[str]
    label: ClassVar[str]  # the name in Talkdesk's Authentication type dropdown
    _secret_fields: ClassVar[tuple[str, ...]] = ()

    def settings(self) -> dict[str, Any]:
        """Every field, secrets included (kept in the Store, never shown)."""
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        """The fields as shown to people: secrets replaced by `'***'`."""
        return {
            k: (_masked(v) if k in self._secret_fields else v) for k, v in self.settings().items()
        }

    @property
    def secret_headers(self) -> tuple[str, ...]:
        """Request headers that carry a secret (masked in a run record)."""
        return ("authorization",)

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self.describe().items())
        return f"{type(self).__name__}({fields})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.settings() == self.settings()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]

    @staticmethod
    def from_settings(kind: str, settings: Mapping[str, Any]) -> Auth:
        """The auth type `kind` with its stored `settings`."""
        for cls in (NoAuth, BasicAuth, ApiKeyAuth, OAuth2ClientCredentials):
            if cls.kind == kind:
                return cls(**settings)
        raise ValidationError(f"unknown authentication type {kind!r}", where="Authentication")


class NoAuth(Auth):
    """No authentication: requests go out as they are."""

    kind = "none"
    label = "No Authentication"

    def settings(self) -> dict[str, Any]:
        return {}

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        yield request


class BasicAuth(Auth):
    """HTTP Basic authentication (RFC 7617): `Authorization: Basic base64(username:password)`."""

    kind = "basic"
    label = "Basic Authentication"
    _secret_fields = ("password",)

    def __init__(self, username: str, password: str) -> None:
        _require(username, where="Basic Authentication, username")
        self.username = username
        self.password = password

    def settings(self) -> dict[str, Any]:
        return {"username": self.username, "password": self.password}

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = _basic(self.username, self.password)
        yield request


class ApiKeyAuth(Auth):
    """An API key in a header, `X-API-Key` unless `header` names another."""

    kind = "api_key"
    label = "X-API-Key"
    _secret_fields = ("key",)

    def __init__(self, key: str, *, header: str = "X-API-Key") -> None:
        if not header.strip():
            raise ValidationError("the header name cannot be empty", where="X-API-Key header")
        _require(key, where="X-API-Key, key")
        self.key = key
        self.header = header.strip()

    def settings(self) -> dict[str, Any]:
        return {"key": self.key, "header": self.header}

    @property
    def secret_headers(self) -> tuple[str, ...]:
        return ("authorization", self.header.lower())

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self.header] = self.key
        yield request


# Tokens outlive Connection objects (a Connection is re-read from the Store for each run),
# so they are cached per process, keyed by a digest of everything that identifies the client.
_tokens: dict[str, tuple[str, float]] = {}
_tokens_lock = threading.Lock()
_EXPIRY_MARGIN_S = 5.0


class OAuth2ClientCredentials(Auth):
    """OAuth2 client credentials (RFC 6749 §4.4) with a Bearer token.

    The token is requested from `token_url` (client authenticated with HTTP Basic, `scope` and
    the `extra` parameters in the form body), cached until `expires_in` runs out, and requested
    again once if the API answers 401.
    """

    kind = "oauth2_client_credentials"
    label = "OAuth2 Client Credentials"
    _secret_fields = ("client_secret", "extra")  # extra token parameters may be credentials
    requires_response_body = True

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        scope: str | None = None,
        extra: Mapping[str, str] | None = None,
    ) -> None:
        url = _url(token_url, where="OAuth2 token URL")
        if url.scheme not in ("http", "https") or not url.host:
            raise ValidationError(f"{token_url!r} is not an http(s) URL", where="OAuth2 token URL")
        _refuse_userinfo(
            url, where="OAuth2 token URL", instead="give them as client_id and client_secret"
        )
        _require(client_id, where="OAuth2 client id")
        _require(client_secret, where="OAuth2 client secret")
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.scope = scope
        self.extra = dict(extra or {})

    def settings(self) -> dict[str, Any]:
        return {
            "token_url": self.token_url,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "scope": self.scope,
            "extra": self.extra,
        }

    @property
    def _cache_key(self) -> str:
        return hashlib.sha256(json.dumps(self.settings(), sort_keys=True).encode()).hexdigest()

    def forget_token(self) -> None:
        """Drop the cached token, so the next request fetches a new one."""
        with _tokens_lock:
            _tokens.pop(self._cache_key, None)

    def _cached_token(self) -> str | None:
        with _tokens_lock:
            token, expires = _tokens.get(self._cache_key, ("", 0.0))
        return token if token and time.monotonic() < expires else None

    def _fetch_token(self) -> Generator[httpx.Request, httpx.Response, str]:
        form = {"grant_type": "client_credentials", **self.extra}
        if self.scope:
            form["scope"] = self.scope
        response = yield httpx.Request(
            "POST",
            self.token_url,
            data=form,
            headers={"Authorization": _basic(self.client_id, self.client_secret)},
        )
        where = f"token request to {self.token_url}"
        if not response.is_success:
            raise AuthError(f"{where} was refused: {response.status_code} {response.text[:200]}")
        try:
            payload = response.json()
            token = str(payload["access_token"])
        except (ValueError, KeyError, TypeError) as exc:
            raise AuthError(f"{where} answered without an access_token") from exc
        lifetime = payload.get("expires_in")
        expires = (
            time.monotonic() + max(float(lifetime) - _EXPIRY_MARGIN_S, 0.0)
            if isinstance(lifetime, int | float) and not isinstance(lifetime, bool)
            else float("inf")  # no expiry given: use it until the API answers 401
        )
        with _tokens_lock:
            _tokens[self._cache_key] = (token, expires)
        return token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._cached_token()
        if token is None:
            token = yield from self._fetch_token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:  # expired or revoked early: one fresh token, one retry
            self.forget_token()
            token = yield from self._fetch_token()
            request.headers["Authorization"] = f"Bearer {token}"
            yield request


def _masked(value: Any) -> Any:
    """A secret field as shown: `'***'`, or a mapping's keys with `'***'` values."""
    return dict.fromkeys(value, MASK) if isinstance(value, Mapping) else MASK


def _require(value: Any, *, where: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("this field is mandatory", where=where)
    check_text(value, where=where)  # it goes into HTTP headers and the database


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")


# -- the Connection -----------------------------------------------------------------------------


def _url(text: str, *, where: str) -> httpx.URL:
    try:
        return httpx.URL(text)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:  # ValueError: not UTF-8 text
        raise ValidationError(f"not a URL: {exc}", where=where) from exc


def _refuse_userinfo(url: httpx.URL, *, where: str, instead: str) -> None:
    """Credentials in a URL would show in reprs, exports and the database: refuse them."""
    if url.userinfo:
        redacted = str(url.copy_with(userinfo=b""))
        raise ValidationError(
            f"a URL must not hold a username or password ({redacted!r} without them): {instead}",
            where=where,
        )


def check_base_path(base_path: str) -> str:
    """`base_path` checked as Talkdesk does (http(s), no query string), without a final `/`."""
    text = base_path.strip() if isinstance(base_path, str) else ""
    if not text:
        raise ValidationError("Base path is mandatory", where="Base path")
    if any(c.isspace() for c in text) or not storable(text):
        raise ValidationError(
            f"{text!r} holds a space or a control character (percent-encode it)", where="Base path"
        )
    try:
        url = httpx.URL(text)
    except httpx.InvalidURL as exc:
        raise ValidationError(f"{text!r} is not a URL: {exc}", where="Base path") from exc
    if url.scheme not in ("http", "https"):
        raise ValidationError(f"{text!r} must start with http:// or https://", where="Base path")
    if not url.host:
        raise ValidationError(f"{text!r} has no host", where="Base path")
    if url.query or "?" in text:
        raise ValidationError(
            f"{text!r} must not include query parameters (put them in an Action's path)",
            where="Base path",
        )
    _refuse_userinfo(
        url,
        where="Base path",
        instead="choose Basic authentication, auth=BasicAuth(username, password)",
    )
    if url.fragment or "#" in text:
        raise ValidationError(f"{text!r} must not include a '#' fragment", where="Base path")
    return text.rstrip("/")


@dataclass(frozen=True, eq=False)
class Connection:
    """A Connection of the sandbox account (create one with `Account.add_connection`).

    `id` is the `<connection_id>` in `{{agent.connection_<connection_id>.external_id}}`.

    ```python
    punch = account.connection("Punch Clock")
    punch.add_tutorial_actions()               # the three Actions of steps 3.4-3.6, as Drafts
    print(punch.export_json())                 # secrets read '***'
    ```
    """

    id: int
    name: str
    description: str
    base_path: str
    auth: Auth = field(default_factory=NoAuth)
    store: Store = field(default=None, repr=False, compare=False)  # type: ignore[assignment]

    @staticmethod
    def ensure_tables(store: Store) -> None:
        """Create the tables of Connections and their Actions."""
        store.ensure("connections", _DDL)
        ensure_action_tables(store)

    @classmethod
    def save(
        cls,
        store: Store,
        *,
        name: str,
        description: str,
        base_path: str,
        auth: Auth | None = None,
    ) -> Connection:
        """Create the Connection `name` or update its fields (the upsert behind
        `Account.add_connection`)."""
        name = name.strip() if isinstance(name, str) else ""
        description = description.strip() if isinstance(description, str) else ""
        if not name:
            raise ValidationError("Name is mandatory", where="Connection")
        if not description:
            raise ValidationError("Description is mandatory", where=f"Connection {name!r}")
        base = check_base_path(base_path)
        auth = auth if auth is not None else NoAuth()
        if not isinstance(auth, Auth):
            raise ValidationError(
                "auth must be NoAuth(), BasicAuth(...), ApiKeyAuth(...) or "
                "OAuth2ClientCredentials(...)",
                where=f"Connection {name!r}",
            )
        settings = auth.settings()
        public = {k: v for k, v in settings.items() if k not in auth._secret_fields}
        secrets = {k: v for k, v in settings.items() if k in auth._secret_fields}
        cls.ensure_tables(store)
        with store.transaction() as db:
            db.execute(
                "INSERT INTO connections (name, description, base_path, auth, secrets) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                "description = excluded.description, base_path = excluded.base_path, "
                "auth = excluded.auth, secrets = excluded.secrets",
                (
                    name,
                    description,
                    base,
                    json.dumps({"type": auth.kind, **public}),
                    json.dumps(secrets),
                ),
            )
        return cls.load(store, name)

    @classmethod
    def load(cls, store: Store, name_or_id: str | int) -> Connection:
        """The stored Connection with this name or id."""
        cls.ensure_tables(store)
        column = "name" if isinstance(name_or_id, str) else "id"
        rows = store.query(f"SELECT * FROM connections WHERE {column} = ?", (name_or_id,))
        if not rows:
            raise ValidationError(f"no connection {name_or_id!r}", where="Connection")
        row = rows[0]
        public = json.loads(row["auth"])
        kind = public.pop("type")
        auth = Auth.from_settings(kind, {**public, **json.loads(row["secrets"])})
        return cls(row["id"], row["name"], row["description"], row["base_path"], auth, store)

    @property
    def external_id_variable(self) -> str:
        """The Automation variable of an agent's External ID for this Connection."""
        return f"{{{{agent.connection_{self.id}.external_id}}}}"

    def client(self, *, timeout: float) -> httpx.Client:
        """An HTTP client for this Connection: its auth, in-process routing, `timeout` seconds."""
        return inprocess.client(auth=self.auth, timeout=timeout)

    # -- Actions ---------------------------------------------------------------------------------

    def add_action(
        self,
        *,
        name: str,
        description: str,
        path: str,
        method: str = "GET",
        parameters: Mapping[str, str | Mapping[str, str]] | None = None,
        input_schema: Mapping[str, Any] | None = None,
        output_schema: Mapping[str, Any] | None = None,
        timeout: float = 10.0,
    ) -> Action:
        """Create a Draft Action, or update the Draft of the same name (see `Action.save`)."""
        return Action.save(
            self,
            name=name,
            description=description,
            path=path,
            method=method,
            parameters=parameters,
            input_schema=input_schema,
            output_schema=output_schema,
            timeout=timeout,
        )

    def action(self, name_or_id: str | int) -> Action:
        """One of this Connection's Actions, by name or id."""
        return Action.load(self, name_or_id)

    def actions(self) -> list[Action]:
        """This Connection's Actions, in the order they were created."""
        rows = self.store.query(
            "SELECT id FROM actions WHERE connection_id = ? ORDER BY id", (self.id,)
        )
        return [Action.load(self, row["id"]) for row in rows]

    def add_actions_from(
        self,
        collection: Collection,
        requests: Sequence[str] | Mapping[str, str] | None = None,
    ) -> pd.DataFrame:
        """One Draft Action per request of `collection` (a Postman collection, or an OpenAPI
        document loaded as one): path, typed parameters and schemas read from its requests and
        examples. Returns a table of what was created and what a person should check; see
        `punchlab.talkdesk.actions_from_requests`.

        ```python
        punch.add_actions_from(collection, {"users/punch-clock": "Punch clock"})
        ```
        """
        from .actions_from_requests import add_actions_from

        return add_actions_from(self, collection, requests)

    def add_tutorial_actions(self) -> list[Action]:
        """The tutorial's three Actions (steps 3.4-3.6), from `data/tutorial_actions.json`.

        Idempotent: Actions already there (Draft or published) are left as they are.
        """
        spec = json.loads(data_file(TUTORIAL_ACTIONS).read_text(encoding="utf-8"))
        existing = {action.name: action for action in self.actions()}
        return [existing.get(item["name"]) or self.add_action(**item) for item in spec["actions"]]

    # -- export ----------------------------------------------------------------------------------

    def export(self) -> dict[str, Any]:
        """The Connection and its Actions as Talkdesk's forms ask for them, without secrets.

        Secret fields read `'***'`: type them into Talkdesk yourself.
        """
        return {
            "connection": {
                "name": self.name,
                "description": self.description,
                "base_path": self.base_path,
                "authentication_type": self.auth.label,
                "authentication": self.auth.describe(),
            },
            "actions": [action.export() for action in self.actions()],
        }

    def export_json(self) -> str:
        """`export()` as indented JSON, ready to copy."""
        return json.dumps(self.export(), indent=2, ensure_ascii=False)
