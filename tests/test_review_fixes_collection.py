"""align_emails: both ways a JSON body may spell an email, and nothing half-done."""

from __future__ import annotations

import copy

import pytest
from postman import collection, example

from punchlab import CollectionError, load_collection

# ---------------------------------------------------------------- collection edits


def _users_collection(body: str) -> dict:
    return collection(example("page 1", "{{url}}/users/formatted?page=1", body=body))


def test_align_emails_edits_plain_utf8_bodies() -> None:
    body = '{\n  "users": [{"id": 1, "email": "zoë@acme.example"}]\n}'
    data = load_collection(_users_collection(body))
    changes = data.align_emails(by_external_id={1: "user+1@talkdesk.com"})
    assert [c["new"] for c in changes] == ["user+1@talkdesk.com"]
    assert data.examples()[0].body == body.replace("zoë@acme.example", "user+1@talkdesk.com")


def test_align_emails_keeps_escaped_bodies_escaped() -> None:
    body = '{"users": [{"id": 1, "email": "zo\\u00eb@acme.example"}]}'
    data = load_collection(_users_collection(body))
    data.align_emails(by_external_id={1: "zoë@new.example"})
    assert data.examples()[0].body == '{"users": [{"id": 1, "email": "zo\\u00eb@new.example"}]}'


def test_align_emails_refuses_a_change_it_cannot_make_and_changes_nothing() -> None:
    good = '{"users": [{"id": 1, "email": "a@acme.example"}]}'
    odd = '{"users": [{"id": 2, "email": "b\\/x@acme.example"}]}'  # an escaped slash
    data = load_collection(
        collection(
            example("page 1", "{{url}}/users/formatted?page=1", body=good),
            example("page 2", "{{url}}/users/formatted?page=2", body=odd),
        )
    )
    before = copy.deepcopy(data.data)
    with pytest.raises(CollectionError) as caught:
        data.align_emails(by_external_id={1: "one@x.example", 2: "two@x.example"})
    assert caught.value.where == "item[1].response[0].body"
    assert data.data == before
