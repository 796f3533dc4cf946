"""Actions and Connections: path segments, secrets in base paths and auth, state changes."""

from __future__ import annotations

import json

import httpx
import pytest

from punchlab.account import Account
from punchlab.action import Action, ActionState
from punchlab.connection import BasicAuth, OAuth2ClientCredentials
from punchlab.errors import ValidationError
from punchlab.mock import MockServer
from punchlab.store import Store


@pytest.mark.parametrize("value", [".", ".."])
def test_a_path_parameter_cannot_leave_its_segment_over_http(value: str) -> None:
    seen: list[str] = []
    server = MockServer(mode="live", log=seen.append)
    account = Account(Store(memory=True))
    with server.serve(port=0) as running:
        punch = account.add_connection(name="Punch", description="mock", base_path=running.url)
        clock = punch.add_tutorial_actions()[2]
        result = clock.test(user_id=value)
        assert result.outcome == "validation_error"
        assert [issue.path for issue in result.errors] == ["$.user_id"]
        assert seen == []  # no HTTP call at all
        assert clock.test(user_id="3").ok  # a real id still goes through
    assert [record["user_id"] for record in server.ledger.records()] == [3]


def test_a_query_parameter_may_be_a_dot() -> None:
    account = Account(Store(memory=True))
    with MockServer(mode="live").serve(port=0) as running:
        punch = account.add_connection(name="Punch", description="mock", base_path=running.url)
        action = punch.add_action(
            name="Find",
            description="dots are fine in a query",
            path="/users/formatted?page={{page}}&q={{q}}",
            parameters={"page": "integer", "q": "string"},
        )
        assert action.test(page=1, q="..").status == 200


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


def test_run_records_never_hold_url_credentials() -> None:
    account = Account(Store(memory=True))
    with MockServer(mode="live").serve(port=0) as running:
        punch = account.add_connection(
            name="Punch",
            description="mock",
            base_path=running.url,
            auth=BasicAuth("admin", "hunter2"),
        )
        clock = punch.add_tutorial_actions()[2]
        url = httpx.URL(running.url)
        # a base path stored before credentials were refused in it
        punch.store.execute(
            "UPDATE connections SET base_path = ? WHERE id = ?",
            (f"http://admin:hunter2@{url.host}:{url.port}", punch.id),
        )
        result = clock.test(user_id="1")
    assert result.ok
    assert "hunter2" not in json.dumps(result.request)
    assert "hunter2" not in clock.runs().to_string()


def _racing(monkeypatch, change) -> None:
    """Run `change` (another cell's edit) right after an Action re-reads the Store."""
    original = Action.refresh

    def refresh_then_change(self: Action) -> Action:
        original(self)
        monkeypatch.setattr(Action, "refresh", original)
        change()
        return self

    monkeypatch.setattr(Action, "refresh", refresh_then_change)


def test_publish_refuses_a_draft_edited_since_it_was_read(monkeypatch) -> None:
    account = Account(Store(memory=True))
    punch = account.add_connection(name="Punch", description="m", base_path="http://m.punchlab")
    action = punch.add_action(name="Users", description="v1", path="/users")
    _racing(monkeypatch, lambda: punch.add_action(name="Users", description="v2", path="/other"))
    with pytest.raises(ValidationError, match="edited") as caught:
        action.publish()
    assert caught.value.where == "Action 'Users'"
    assert punch.action("Users").state is ActionState.DRAFT


def test_publish_names_the_state_another_cell_moved_it_to(monkeypatch) -> None:
    account = Account(Store(memory=True))
    punch = account.add_connection(name="Punch", description="m", base_path="http://m.punchlab")
    action = punch.add_action(name="Users", description="v1", path="/users")
    other = punch.action("Users")
    _racing(monkeypatch, lambda: other.publish().deprecate())
    with pytest.raises(ValidationError, match="a Deprecated action cannot become Active"):
        action.publish()
    assert punch.action("Users").state is ActionState.DEPRECATED


def test_publish_is_idempotent_when_another_cell_published_first(monkeypatch) -> None:
    account = Account(Store(memory=True))
    punch = account.add_connection(name="Punch", description="m", base_path="http://m.punchlab")
    action = punch.add_action(name="Users", description="v1", path="/users")
    _racing(monkeypatch, punch.action("Users").publish)
    assert action.publish().state is ActionState.ACTIVE
