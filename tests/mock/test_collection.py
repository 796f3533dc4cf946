"""The Postman collection model: load, inspect, edit (tutorial step 2.6), save for Postman."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

import punchlab
from punchlab import Collection, CollectionError, load_collection
from punchlab.home import TUTORIAL_COLLECTION, data_file
from tests.postman import SCHEMA, collection, example

TUTORIAL = data_file(TUTORIAL_COLLECTION)


@pytest.fixture
def tutorial() -> Collection:
    return load_collection(TUTORIAL)


# ---------------------------------------------------------------- views


def test_tutorial_views(tutorial: Collection) -> None:
    assert tutorial.name == "Time Punching Integration"
    assert tutorial.variables["url"].endswith(".mock.pstmn.io")
    assert [r.name for r in tutorial.requests()] == [
        "users/formatted",
        "users/not-formatted",
        "users/punch-clock",
    ]
    examples = tutorial.examples()
    assert len(examples) == 13
    page_1 = examples[0]
    assert (page_1.item_name, page_1.name, page_1.method) == ("users/formatted", "page 1", "GET")
    assert (page_1.path, page_1.query, page_1.code) == ("/users/formatted", [("page", "1")], 200)
    assert page_1.headers[0] == ("Content-Type", "application/json")
    assert page_1.json()["count"] == 5
    assert page_1.folder == ()


def test_tutorial_quirks(tutorial: Collection) -> None:
    no_page = tutorial.example("users/not-formatted", "no page")
    assert no_page.path == "/users/formatted"  # its originalRequest points at the other endpoint
    assert (no_page.code, no_page.headers, no_page.body) == (400, [], "No page was specified.")
    assert no_page.json() is None
    punch = tutorial.example("users/punch-clock", "user 3")
    assert "code" not in punch.data and punch.code == 200
    assert (punch.method, punch.path) == ("POST", "/user/3/punch-clock")


def test_users_from_both_shapes(tutorial: Collection) -> None:
    users = tutorial.users()
    assert [u["id"] for u in users] == [1, 2, 3, 4, 5, 6, 7]  # de-duplicated, in order
    assert users[2] == {"id": 3, "name": "Gregory Dearing", "email": "user+3@talkdesk.com"}
    only_not_formatted = copy.deepcopy(tutorial.data)
    del only_not_formatted["item"][0]
    users = load_collection(only_not_formatted).users()
    assert users[6] == {"id": 7, "name": "Donald MCants", "email": "user+7@talkdesk.com"}


def test_frames(tutorial: Collection) -> None:
    requests = tutorial.requests_frame()
    assert list(requests.columns) == [
        "item",
        "example",
        "method",
        "path",
        "query",
        "status",
        "body",
    ]
    assert requests.loc[2, ["example", "status", "body"]].tolist() == [
        "no page",
        400,
        "No page was specified.",
    ]
    assert requests.loc[0, "query"] == "page=1"
    users = tutorial.users_frame()
    assert users.shape == (7, 3)
    assert users.loc[6, "email"] == "user+7@talkdesk.com"


def test_string_urls_bare_requests_folders_and_structured_urls() -> None:
    data = {
        "info": {"name": "shapes", "schema": SCHEMA},
        "item": [
            {
                "name": "Folder",
                "item": [
                    {
                        "name": "Inner",
                        "item": [
                            {
                                "name": "string url",
                                "request": {"method": "post", "url": "{{host}}/a/b?x=1&y=2"},
                                "response": [{"name": "ok", "code": 201, "body": None}],
                            }
                        ],
                    }
                ],
            },
            {"name": "bare", "request": "https://api.example.com/v1/ping", "response": [{}]},
            {
                "name": "object",
                "request": {
                    "url": {
                        "raw": "https://stale.example.com/old",
                        "host": ["api", "example", "com"],
                        "path": ["v1", {"type": "string", "value": "items"}],
                        "query": [{"key": "q", "value": "a"}, {"key": "off", "disabled": True}],
                    }
                },
            },
        ],
        "variable": [{"key": "host", "value": "https://h.example/base"}],
    }
    shapes = load_collection(data)
    first, second = shapes.examples()
    assert first.folder == ("Folder", "Inner")
    assert (first.method, first.path, first.query) == (
        "POST",
        "/base/a/b",
        [("x", "1"), ("y", "2")],
    )
    assert (first.code, first.body, first.where) == (
        201,
        None,
        "item[0].item[0].item[0].response[0]",
    )
    assert (second.method, second.path, second.name, second.code) == ("GET", "/v1/ping", "", 200)
    obj = shapes.requests()[2]
    assert (obj.path, obj.query) == ("/v1/items", [("q", "a")])  # built from parts, not raw


# ---------------------------------------------------------------- step 2.6: align emails


def test_align_emails_by_external_id(tutorial: Collection) -> None:
    changes = tutorial.align_emails(
        by_external_id={3: "gregory@acme.example", "7": "d@acme.example"}
    )
    assert [(c["item"], c["example"], c["id"], c["new"]) for c in changes] == [
        ("users/formatted", "page 1", 3, "gregory@acme.example"),
        ("users/formatted", "page 2", 7, "d@acme.example"),
        ("users/not-formatted", "page 1", 3, "gregory@acme.example"),
        ("users/not-formatted", "page 2", 7, "d@acme.example"),
    ]
    assert changes[0]["old"] == "user+3@talkdesk.com"
    users = {u["id"]: u["email"] for u in tutorial.users()}
    assert users[3] == "gregory@acme.example" and users[1] == "user+1@talkdesk.com"
    not_formatted = tutorial.example("users/not-formatted", "page 1")
    assert not_formatted.json()["users"][2]["punch_clock_email"] == "gregory@acme.example"
    # the body keeps its layout: only the email text changed
    original = load_collection(TUTORIAL).example("users/formatted", "page 1").body
    edited = tutorial.example("users/formatted", "page 1").body
    assert edited == original.replace("user+3@talkdesk.com", "gregory@acme.example")


def test_align_emails_by_mapping_and_the_replay_serves_them(tutorial: Collection) -> None:
    changes = tutorial.align_emails({"user+1@talkdesk.com": "barbara@acme.example"})
    assert len(changes) == 2
    mock = punchlab.Replay(tutorial)
    request = punchlab.MockRequest.build("GET", "/users/not-formatted?page=1")
    body = json.loads(mock.respond(request).body)
    assert body["users"][0]["punch_clock_email"] == "barbara@acme.example"


def test_align_emails_rejects_unknowns_and_changes_nothing(tutorial: Collection) -> None:
    before = copy.deepcopy(tutorial.data)
    with pytest.raises(CollectionError, match="external ID 99"):
        tutorial.align_emails(by_external_id={1: "a@acme.example", 99: "x@acme.example"})
    with pytest.raises(CollectionError, match="nobody@x"):
        tutorial.align_emails({"user+1@talkdesk.com": "a@acme.example", "nobody@x": "y@x"})
    with pytest.raises(CollectionError, match="either"):
        tutorial.align_emails()
    assert tutorial.data == before


def test_an_edited_copy_names_itself_not_the_file_it_came_from(tutorial: Collection) -> None:
    edited = tutorial.copy()
    with pytest.raises(CollectionError) as raised:
        edited.align_emails(by_external_id={8: "nobody@acme.example"})
    message = str(raised.value)
    assert message.startswith("edited copy of 'Time Punching Integration': ")
    assert "external ID 8" in message
    assert str(TUTORIAL) not in message and TUTORIAL.name not in message
    assert tutorial.source == str(TUTORIAL)  # the original still names its file


def test_set_example_body(tutorial: Collection) -> None:
    edited = tutorial.set_example_body("users/formatted", "no page", {"error": "no page"})
    assert json.loads(edited.data["body"]) == {"error": "no page"}
    assert edited.data["_postman_previewlanguage"] == "json"
    assert edited.data["header"] == [{"key": "Content-Type", "value": "application/json"}]
    text = tutorial.set_example_body("users/formatted", "page 1", "plain")
    assert text.data["body"] == "plain"
    assert text.data["_postman_previewlanguage"] == "json"  # its Content-Type says JSON
    with pytest.raises(CollectionError, match="no example 'nope'"):
        tutorial.set_example_body("users/formatted", "nope", "x")


# ---------------------------------------------------------------- save and validate


def test_save_round_trips_and_validates(tutorial: Collection, tmp_path: Path) -> None:
    from jsonschema import Draft7Validator

    tutorial.data["info"]["x-custom"] = {"kept": True}
    saved = tutorial.save(tmp_path / "out.json")
    text = saved.read_text(encoding="utf-8")
    assert text.startswith('{\n\t"info": {\n\t\t"_postman_id": "7680b95f')  # tab indent, key order
    again = load_collection(saved)
    assert again.data == tutorial.data
    assert json.loads(text) == tutorial.data
    original = json.loads(TUTORIAL.read_text(encoding="utf-8"))
    original["info"]["x-custom"] = {"kept": True}
    assert again.data == original  # nothing lost: header null, _postman_previewlanguage, ...
    schema = json.loads(data_file("postman-collection-v2.1.0.schema.json").read_text())
    assert list(Draft7Validator(schema).iter_errors(json.loads(text))) == []
    assert tutorial.validate() == []


def test_an_unedited_collection_saves_byte_for_byte(tutorial: Collection, tmp_path: Path) -> None:
    saved = tutorial.save(tmp_path / "same.json")
    assert saved.read_bytes() == TUTORIAL.read_bytes()


def test_raw_follows_an_edited_structured_url(tutorial: Collection) -> None:
    url = tutorial.example("users/formatted", "page 2").request["url"]
    url["query"][0]["value"] = "3"
    untouched = tutorial.example("users/formatted", "page 1").request["url"]["raw"]
    exported = json.loads(tutorial.to_json())
    example_url = exported["item"][0]["response"][1]["originalRequest"]["url"]
    assert example_url["raw"] == "{{url}}/users/formatted?page=3"
    assert exported["item"][0]["response"][0]["originalRequest"]["url"]["raw"] == untouched


def test_an_invalid_export_is_refused_and_nothing_written(
    tutorial: Collection, tmp_path: Path
) -> None:
    tutorial.data["item"][0]["response"][2]["code"] = "400"
    problems = tutorial.validate()
    assert problems[0][0] == "item[0].response[2].code"
    target = tmp_path / "broken.json"
    with pytest.raises(CollectionError, match=r"item\[0\]\.response\[2\]\.code"):
        tutorial.save(target)
    assert not target.exists()


# ---------------------------------------------------------------- bad files


def write(tmp_path: Path, content: object, name: str = "bad.postman_collection.json") -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def broken(edit) -> dict:
    data = collection(example("e", "{{url}}/x"), example("f", "{{url}}/y"))
    edit(data)
    return data


@pytest.mark.parametrize(
    ("data", "where", "words"),
    [
        ([1, 2], None, "JSON object"),
        ({"item": []}, "info", "not a Postman collection"),
        (
            {"info": {"name": "x", "schema": SCHEMA.replace("v2.1.0", "v2.0.0")}, "item": []},
            "info.schema",
            "v2.0.0 collection",
        ),
        ({"info": {"name": "x", "schema": SCHEMA}}, "item", "needs an `item` list"),
        ({"info": {"name": "x", "schema": SCHEMA}, "item": {}}, "item", "found an object"),
        (
            broken(lambda d: d["item"][1]["response"][0].update(code="200")),
            "item[1].response[0].code",
            "integer",
        ),
        (broken(lambda d: d["item"][0].pop("request")), "item[0]", "needs a `request`"),
        (
            broken(lambda d: d["item"][0]["response"][0].update(header=[{"key": "A"}])),
            "item[0].response[0].header[0]",
            "needs a `value`",
        ),
        (
            broken(lambda d: d["item"][0]["request"].update(url=5)),
            "item[0].request.url",
            "string or an object",
        ),
        (
            broken(lambda d: d.update(variable=[{"key": "a", "type": "weird"}])),
            "variable[0].type",
            "weird",
        ),  # caught by the JSON schema, after the friendly checks
    ],
)
def test_bad_collections_name_the_file_and_the_json_path(tmp_path, data, where, words) -> None:
    path = write(tmp_path, data)
    with pytest.raises(CollectionError) as caught:
        load_collection(path)
    message = str(caught.value)
    assert str(path) in message and words in message
    assert caught.value.where == where
    if where:
        assert f" at {where}: " in message
    error = caught.value  # one clear error, no chained traceback
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)


def test_missing_file_and_not_json(tmp_path: Path) -> None:
    with pytest.raises(CollectionError, match=r"missing\.json: no such file"):
        load_collection(tmp_path / "missing.json")
    path = write(tmp_path, '{\n  "info": {,\n}', name="typo.json")
    with pytest.raises(CollectionError, match=r"typo\.json: not JSON: .* line 2, column 12"):
        load_collection(path)


def test_from_file_and_dict_sources(tmp_path: Path) -> None:
    assert Collection.from_file(TUTORIAL).name == "Time Punching Integration"
    with pytest.raises(CollectionError, match=r"^<dict> at info"):
        load_collection({"item": []})


def test_a_collection_from_a_dict_edits_its_own_copy() -> None:
    import json

    from punchlab import data_file
    from punchlab.home import TUTORIAL_COLLECTION
    from punchlab.mock.collection import load_collection

    original = json.loads(data_file(TUTORIAL_COLLECTION).read_text())
    before = json.dumps(original)
    collection = load_collection(original)
    collection.align_emails({"user+1@talkdesk.com": "barbara.banh@example.com"})
    assert "barbara.banh@example.com" in collection.to_json()
    assert json.dumps(original) == before


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
