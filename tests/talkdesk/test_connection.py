from __future__ import annotations

import json
import logging
from urllib.parse import parse_qsl

import pytest

from punchlab.errors import ValidationError
from punchlab.mock.auth import RequireApiKey, RequireBasic, RequireBearer
from punchlab.store import Store
from punchlab.talkdesk.account import Account
from punchlab.talkdesk.connection import ApiKeyAuth, BasicAuth, NoAuth, OAuth2ClientCredentials

SECRETS = ("s3cr3t-key", "pa55word", "client-s3cr3t", "aud-s3cr3t")


def token_requests(api) -> list[dict[str, str]]:
    """The form of each token request the mock received."""
    return [dict(parse_qsl(r.body.decode())) for r in api.requests if r.path == "/oauth/token"]


def issued_tokens(api) -> list[str]:
    """The access tokens the mock's token endpoint handed out."""
    return [
        json.loads(response.body)["access_token"]
        for request, response in zip(api.requests, api.responses, strict=True)
        if request.path == "/oauth/token" and response.status == 200
    ]


def users_action(account: Account, base: str, auth):
    connection = account.add_connection(
        name="Punch Clock", description="The mock", base_path=base, auth=auth
    )
    return connection, connection.add_tutorial_actions()[0]


@pytest.mark.parametrize(
    ("base_path", "message"),
    [
        ("", "Base path is mandatory"),
        ("ftp://mock.test", "must start with http"),
        ("https://mock.test/api?page=1", "must not include query parameters"),
        ("http://", "no host|not a URL"),
        ("https://mock.test/#top", "fragment"),
    ],
)
def test_base_path_is_checked(account: Account, base_path: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        account.add_connection(name="C", description="d", base_path=base_path)
    assert account.connections() == []


def test_description_is_mandatory_and_names_are_unique(account: Account) -> None:
    with pytest.raises(ValidationError, match="Description is mandatory"):
        account.add_connection(name="C", description=" ", base_path="https://mock.test")
    first = account.add_connection(name="C", description="d", base_path="https://mock.test/")
    second = account.add_connection(name="C", description="d2", base_path="https://other.test")
    assert first.id == second.id and first.base_path == "https://mock.test"
    assert account.connection("C").base_path == "https://other.test"
    assert len(account.connections()) == 1
    assert first.external_id_variable == f"{{{{agent.connection_{first.id}.external_id}}}}"


def test_secrets_never_show(account: Account) -> None:
    auths = [
        ApiKeyAuth("s3cr3t-key", header="X-Token"),
        BasicAuth("ana", "pa55word"),
        OAuth2ClientCredentials(
            "https://id.test/oauth/token",
            "client",
            "client-s3cr3t",
            scope="punch",
            extra={"audience": "aud-s3cr3t"},
        ),
    ]
    for auth in auths:
        connection = account.add_connection(
            name=type(auth).__name__, description="d", base_path="https://mock.test", auth=auth
        )
        reloaded = account.connection(connection.name)
        assert reloaded.auth == auth  # the secret is kept...
        shown = repr(reloaded) + str(reloaded.auth) + connection.export_json()
        assert "***" in shown
        assert not any(secret in shown for secret in SECRETS), shown  # ...and never shown
    assert "'ana'" in repr(account.connection("BasicAuth").auth)


def test_no_auth_and_api_key_in_process(account: Account, mounted_api) -> None:
    api, base = mounted_api
    api.auth = RequireApiKey("s3cr3t-key")
    connection, users = users_action(account, base, NoAuth())
    denied = users.test(page=1)
    assert (denied.outcome, denied.status) == ("error", 401)
    # fix the connection: the same Action object uses the fixed auth
    account.add_connection(
        name="Punch Clock", description="The mock", base_path=base, auth=ApiKeyAuth("s3cr3t-key")
    )
    result = users.test(page=1)
    assert (result.outcome, result.status) == ("success", 200)
    assert api.requests[-1].header("x-api-key") == "s3cr3t-key"
    assert result.request["headers"]["x-api-key"] == "***"
    runs = json.dumps(account.store.query("SELECT request FROM action_runs")[-1]["request"])
    assert "s3cr3t-key" not in runs


def test_custom_api_key_header_over_http(account: Account, mock_api) -> None:
    api, _ = mock_api(auth=RequireApiKey("s3cr3t-key", header="X-Punch-Key"))
    with api.serve() as running:
        base = running.url
        _, users = users_action(account, base, ApiKeyAuth("s3cr3t-key", header="X-Punch-Key"))
        result = users.test(page=2)
        wrong = account.add_connection(
            name="Punch Clock", description="d", base_path=base, auth=ApiKeyAuth("s3cr3t-key")
        )
        refused = wrong.action(users.name).test(page=2)
    assert result.ok and [u["id"] for u in result.data["users"]] == [6, 7]
    assert refused.status == 401


def test_basic_auth_over_http(account: Account, mock_api) -> None:
    api, _ = mock_api(auth=RequireBasic("ana", "pa55word"))
    with api.serve() as running:
        base = running.url
        _, users = users_action(account, base, BasicAuth("ana", "pa55word"))
        result = users.test(page=1)
        account.add_connection(
            name="Punch Clock", description="d", base_path=base, auth=BasicAuth("ana", "wrong")
        )
        refused = users.test(page=1)
    assert result.ok and result.data["count"] == 5
    assert result.request["headers"]["authorization"] == "***"
    assert refused.status == 401 and refused.outcome == "error"


@pytest.mark.parametrize("over_http", [False, True], ids=["in-process", "http"])
def test_oauth2_token_is_cached_and_refreshed_once_on_401(
    account: Account, mock_api, over_http: bool
) -> None:
    server_time = [1_000.0]
    api, base = mock_api(
        auth=RequireBearer("client", "client-s3cr3t", expires_in=3600, clock=lambda: server_time[0])
    )

    def run(base: str) -> list:
        auth = OAuth2ClientCredentials(
            f"{base}/oauth/token",
            "client",
            "client-s3cr3t",
            scope="punch:write",
            extra={"audience": "aud-s3cr3t"},
        )
        auth.forget_token()
        _, users = users_action(account, base, auth)
        first, second = users.test(page=1), users.test(page=2)
        assert len(token_requests(api)) == 1  # cached between runs
        # The server's clock runs past the token's life while the client still trusts it:
        # 401, a new token, one retry.
        server_time[0] += 3601
        third = users.test(page=1)
        assert len(token_requests(api)) == 2
        assert token_requests(api)[0] == {
            "grant_type": "client_credentials",
            "scope": "punch:write",
            "audience": "aud-s3cr3t",
        }
        return [first, second, third]

    if over_http:
        with api.serve() as running:
            results = run(running.url)
    else:
        results = run(base)
    assert [r.status for r in results] == [200, 200, 200]
    calls = [
        response.status
        for request, response in zip(api.requests, api.responses, strict=True)
        if request.path != "/oauth/token"
    ]
    assert calls == [200, 200, 401, 200]  # three runs, one of them retried after its 401
    shown = json.dumps([r.request for r in results])
    tokens = issued_tokens(api)
    assert len(tokens) == 2 and len(set(tokens)) == 2
    assert not any(token in shown for token in tokens) and "client-s3cr3t" not in shown


def test_oauth2_expiry_is_honoured_without_a_401(account: Account, mock_api) -> None:
    # a life shorter than the client's safety margin: every run fetches a fresh token
    api, base = mock_api(auth=RequireBearer("client", "client-s3cr3t", expires_in=1))
    auth = OAuth2ClientCredentials(f"{base}/oauth/token", "client", "client-s3cr3t")
    auth.forget_token()
    _, users = users_action(account, base, auth)
    assert users.test(page=1).ok and users.test(page=1).ok
    assert len(token_requests(api)) == 2
    assert [response.status for response in api.responses] == [200, 200, 200, 200]


def test_oauth2_refused_credentials_are_an_error_result(account: Account, mounted_api) -> None:
    api, base = mounted_api
    api.auth = RequireBearer("client", "client-s3cr3t")
    auth = OAuth2ClientCredentials(f"{base}/oauth/token", "client", "wrong-s3cr3t")
    _, users = users_action(account, base, auth)
    result = users.test(page=1)
    assert result.outcome == "error" and "token request" in result.message
    assert "wrong-s3cr3t" not in str(result) + json.dumps(result.request)


def test_auth_fields_are_mandatory() -> None:
    for make, where in [
        (lambda: BasicAuth("", "pw"), "username"),
        (lambda: ApiKeyAuth(" "), "key"),
        (lambda: ApiKeyAuth("k", header=""), "header"),
        (lambda: OAuth2ClientCredentials("https://id.test/token", "id", ""), "client secret"),
        (lambda: OAuth2ClientCredentials("id.test/token", "id", "s"), "token URL"),
    ]:
        with pytest.raises(ValidationError, match=where):
            make()


def test_secrets_stay_out_of_the_logs(account: Account, mock_api, caplog) -> None:
    api, _ = mock_api(auth=RequireBearer("client", "client-s3cr3t"))
    caplog.set_level(logging.DEBUG)
    with api.serve() as running:
        base = running.url
        auth = OAuth2ClientCredentials(f"{base}/oauth/token", "client", "client-s3cr3t")
        _, users = users_action(account, base, auth)
        assert users.test(page=1).ok
        for other in (ApiKeyAuth("s3cr3t-key"), BasicAuth("ana", "pa55word")):
            account.add_connection(name="Punch Clock", description="d", base_path=base, auth=other)
            assert users.test(page=1).status == 401
    tokens = issued_tokens(api)
    assert "HTTP Request" in caplog.text and tokens  # httpx logged the calls...
    assert not any(secret in caplog.text for secret in (*SECRETS, *tokens))  # ...not secrets


def test_a_base_path_with_credentials_is_refused_without_echoing_them() -> None:
    account = Account(Store(memory=True))
    with pytest.raises(ValidationError, match="BasicAuth") as caught:
        account.add_connection(
            name="Punch", description="mock", base_path="http://admin:hunter2@mock.punchlab"
        )
    assert caught.value.where == "Base path"
    assert "hunter2" not in str(caught.value)
    assert account.connections() == []


def test_oauth2_extra_parameters_stay_out_of_the_public_auth_column() -> None:
    store = Store(memory=True)
    account = Account(store)
    auth = OAuth2ClientCredentials(
        "http://auth.punchlab/oauth/token", "lab", "s3cret", extra={"audience": "x-private-9"}
    )
    saved = account.add_connection(
        name="Punch", description="mock", base_path="http://mock.punchlab", auth=auth
    )
    public = store.query("SELECT auth FROM connections")[0]["auth"]
    assert "x-private-9" not in public and "s3cret" not in public
    assert saved.auth.extra == {"audience": "x-private-9"}  # still used for the token request
    assert saved.auth.describe()["extra"] == {"audience": "***"}
    assert "x-private-9" not in saved.export_json() and "x-private-9" not in repr(saved)
