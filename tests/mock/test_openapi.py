"""OpenAPI import: documents become collections that the replay mock serves over HTTP."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

import punchlab
from punchlab.errors import CollectionError, OpenAPIError
from punchlab.home import data_file
from punchlab.mock.collection import Collection, load_collection
from punchlab.mock.messages import MockRequest
from punchlab.mock.openapi import ImportReport, load_openapi
from punchlab.mock.schema_sample import sample
from punchlab.mock.server import MockServer

ROOT = Path(__file__).resolve().parents[2]
VENDOR = data_file("workforce_vendor.openapi.yaml")
PUBLIC = ROOT / "tests" / "data" / "openapi"
DOCUMENTS = {
    "vendor": VENDOR,
    "petstore3": PUBLIC / "petstore3.openapi.yaml",
    "tictactoe": PUBLIC / "tictactoe.openapi.yaml",
}
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def operations(path: Path) -> set[tuple[str, str]]:
    """`(METHOD, /path/{param})` of every operation, read straight from the document."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        (method.upper(), template)
        for template, item in doc["paths"].items()
        for method in METHODS
        if method in item
    }


def template_of(request: Any) -> str:
    """The request's path as an OpenAPI template (`:id` / `{{id}}` back to `{id}`)."""
    segments = request.request["url"]["path"]
    path = "/" + "/".join(re.sub(r"^:(\w+)", r"{\1}", s) for s in segments)
    return re.sub(r"\{\{(\w+)\}\}", r"{\1}", path)


def concrete(example_or_request: Any, report: ImportReport, prefix: str) -> tuple[str, str]:
    """Method and URL of a saved request, its `{{variables}}` filled with the report's samples."""
    path = "/" + "/".join(example_or_request.request["url"]["path"])
    path = re.sub(r":(\w+)", r"{{\1}}", path)
    path = re.sub(r"\{\{(\w+)\}\}", lambda m: report.variables[m.group(1)], path)
    query = "&".join(f"{k}={v}" for k, v in example_or_request.query)
    return example_or_request.method, prefix + path + (f"?{query}" if query else "")


def body_of(saved: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    body = saved.get("body") or {}
    headers = {h["key"]: h["value"] for h in saved.get("header") or []}
    if body.get("mode") == "raw":
        return body["raw"].encode(), headers
    if body.get("mode") == "urlencoded":
        pairs = "&".join(f"{p['key']}={p['value']}" for p in body["urlencoded"])
        return pairs.encode(), headers
    return b"", {k: v for k, v in headers.items() if k.lower() != "content-type"}


def same_body(text: str, expected: str | None) -> bool:
    try:
        return json.loads(text) == json.loads(expected or "")
    except ValueError:
        return text == (expected or "")


@pytest.fixture(scope="module")
def imported() -> dict[str, Collection]:
    return {name: load_openapi(path) for name, path in DOCUMENTS.items()}


# ---------------------------------------------------------------- structure


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_operation_becomes_one_request(imported, name: str) -> None:
    collection = imported[name]
    found = [(r.method, template_of(r)) for r in collection.requests()]
    assert sorted(found) == sorted(operations(DOCUMENTS[name]))
    assert collection.import_report.requests == len(found)


def test_tags_become_folders_and_names_come_from_summaries(imported) -> None:
    vendor = imported["vendor"]
    assert [(f["name"], [i["name"] for i in f["item"]]) for f in vendor.data["item"]] == [
        ("Employees", ["List employees", "Get an employee"]),
        ("Clock events", ["Punch in or out"]),
    ]
    assert vendor.data["variable"] == [
        {"key": "baseUrl", "value": "https://api.shiftledger.example/v1", "type": "string"}
    ]
    assert vendor.data["auth"]["apikey"][0] == {
        "key": "key",
        "value": "X-API-Key",
        "type": "string",
    }


def test_path_parameters_are_postman_variables_with_types(imported) -> None:
    punch = imported["vendor"].requests()[2]
    assert punch.request["url"]["path"] == ["employees", ":employee_id", "clock-events"]
    variable = punch.request["url"]["variable"][0]
    assert (variable["key"], variable["value"], variable["type"]) == (
        "employee_id",
        "{{employee_id}}",
        "number",
    )
    square = imported["tictactoe"].requests()[1]
    assert [(v["key"], v["type"]) for v in square.request["url"]["variable"]] == [
        ("row", "number"),
        ("column", "number"),
    ]
    report = imported["tictactoe"].import_report
    assert [
        (p.name, p.location, p.type)
        for p in report.parameters["Gameplay/Get a single board square"]
    ] == [
        ("row", "path", "integer"),
        ("column", "path", "integer"),
    ]
    assert report.variables["row"] == "1"  # the coordinate schema's example


def test_each_page_example_carries_its_own_query(imported) -> None:
    pages = [e for e in imported["vendor"].examples() if e.item_name == "List employees"]
    assert [(e.name, e.code, e.query) for e in pages] == [
        ("first-page", 200, [("offset", "0"), ("limit", "5")]),
        ("second-page", 200, [("offset", "5"), ("limit", "5")]),
        ("last-page", 200, [("offset", "10"), ("limit", "5")]),
        ("The API key is missing or not valid.", 401, [("offset", "0"), ("limit", "5")]),
    ]
    assert [e.json()["next_offset"] for e in pages[:3]] == [5, 10, None]


def test_request_bodies_use_the_document_example(imported) -> None:
    punch = imported["vendor"].requests()[2]
    assert json.loads(punch.request["body"]["raw"]) == {"type": "in", "at": "2026-03-02T09:00:00Z"}
    out = imported["vendor"].example("Punch in or out", "punched-out")
    assert json.loads(out.request["body"]["raw"]) == {"type": "out", "at": "2026-03-02T17:30:00Z"}


def test_examples_without_one_are_generated_from_the_schema_the_same_every_time() -> None:
    first = load_openapi(DOCUMENTS["tictactoe"])
    again = load_openapi(DOCUMENTS["tictactoe"])
    assert first.to_json() == again.to_json()
    board = first.example("Get the whole board", "OK").json()
    assert board == {"winner": ".", "board": [["."] * 3] * 3}  # minItems 3, enum/example "."
    assert "Gameplay/Get the whole board / OK" not in first.import_report.generated
    assert "Get the whole board / OK" in first.import_report.generated


def test_sample_follows_formats_bounds_and_direction() -> None:
    schema = {
        "type": "object",
        "properties": {
            "at": {"type": "string", "format": "date-time"},
            "n": {"type": "integer", "minimum": 3},
            "secret": {"type": "string", "writeOnly": True},
            "tags": {"type": "array", "items": {"type": ["string", "null"], "maxLength": 3}},
            "either": {"oneOf": [{"type": "null"}, {"type": "boolean"}]},
        },
    }
    assert sample(schema) == {
        "at": "2026-01-05T09:00:00Z",
        "n": 3,
        "tags": ["str"],
        "either": True,
    }
    assert "secret" in sample(schema, skip="readOnly")


# ---------------------------------------------------------------- served by the mock, over HTTP


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_saved_example_is_served_by_the_mock_over_http(imported, name: str) -> None:
    collection = imported[name]
    report = collection.import_report
    prefix = httpx.URL(report.variables["baseUrl"] or "/").path.rstrip("/")
    examples = collection.examples()
    assert len(examples) == report.examples > 0
    with MockServer(collection).serve() as running, httpx.Client(base_url=running.url) as http:
        for example in examples:
            method, url = concrete(example, report, prefix)
            content, headers = body_of(example.request)
            headers["x-mock-response-name"] = example.name
            response = http.request(method, url, content=content, headers=headers)
            assert response.status_code == example.code, (example, response.text)
            assert same_body(response.text, example.body), example
            for key, value in example.headers:
                assert response.headers[key] == value, (example, key)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_a_plain_request_gets_an_example_of_its_own_operation(imported, name: str) -> None:
    collection = imported[name]
    report = collection.import_report
    prefix = httpx.URL(report.variables["baseUrl"] or "/").path.rstrip("/")
    with MockServer(collection).serve() as running, httpx.Client(base_url=running.url) as http:
        for request in collection.requests():
            method, url = concrete(request, report, prefix)
            content, headers = body_of(request.request)
            response = http.request(method, url, content=content, headers=headers)
            own = [(e.code, e.body) for e in request.examples()]
            assert any(
                response.status_code == code and same_body(response.text, body)
                for code, body in own
            ), (request, response.status_code, response.text[:200])


def test_the_vendors_documented_examples_are_the_ones_served(imported) -> None:
    doc = yaml.safe_load(VENDOR.read_text(encoding="utf-8"))
    pages = doc["paths"]["/employees"]["get"]["responses"]["200"]["content"]["application/json"]
    with MockServer(imported["vendor"]).serve() as running:
        for key, example in pages["examples"].items():
            offset = doc["paths"]["/employees"]["get"]["parameters"][0]["examples"][key]["value"]
            response = httpx.get(
                f"{running.url}/v1/employees", params={"offset": offset, "limit": 5}
            )
            assert response.json() == example["value"], key
        punched = httpx.post(
            f"{running.url}/v1/employees/1006/clock-events",
            json={"type": "out", "at": "2026-03-02T17:30:00Z"},
        )
    assert punched.status_code == 201 and punched.json()["type"] == "out"


def test_explain_shows_why_a_page_was_chosen(imported) -> None:
    frame = MockServer(imported["vendor"]).explain(
        MockRequest.build("GET", "/v1/employees?offset=10&limit=5")
    )
    chosen = frame[frame["dropped"].isna()]
    assert list(chosen["example"]) == ["last-page"]


# ---------------------------------------------------------------- save for Postman


@pytest.mark.parametrize("name", DOCUMENTS)
def test_save_writes_a_valid_postman_collection_that_loads_back(imported, name, tmp_path) -> None:
    collection = imported[name]
    path = collection.save(tmp_path / f"{name}.postman_collection.json")
    again = load_collection(path)
    assert again.validate() == []
    assert [(e.item_name, e.name, e.code, e.body) for e in again.examples()] == [
        (e.item_name, e.name, e.code, e.body) for e in collection.examples()
    ]


def test_json_documents_and_dicts_import_the_same(imported, tmp_path: Path) -> None:
    doc = yaml.safe_load(VENDOR.read_text(encoding="utf-8"))
    path = tmp_path / "vendor.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    expected = imported["vendor"].data
    assert load_openapi(path).data == expected
    assert load_openapi(doc).data == expected
    assert load_openapi(doc).import_report.source == "<dict>"


def test_base_url_and_name_options() -> None:
    collection = load_openapi(VENDOR, base_url="http://localhost:9999/", name="Vendor")
    assert collection.name == "Vendor"
    assert collection.variables["baseUrl"] == "http://localhost:9999"
    assert collection.requests()[0].path == "/employees"


def test_public_names() -> None:
    assert punchlab.load_openapi is load_openapi
    assert issubclass(punchlab.OpenAPIError, CollectionError)
    assert punchlab.ImportReport is ImportReport


# ---------------------------------------------------------------- what is not imported, and errors


def small(**extra: Any) -> dict[str, Any]:
    """A minimal OpenAPI 3.1 document with one operation, plus `extra` top-level keys."""
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "Small", "version": "1"},
        "paths": {
            "/things": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Thing"}
                                }
                            },
                        }
                    }
                }
            }
        },
        "components": {"schemas": {"Thing": {"type": "object", "properties": {}}}},
    }
    doc.update(extra)
    return doc


def test_unsupported_parts_are_listed_in_the_report(imported) -> None:
    report = imported["tictactoe"].import_report
    listed = dict(report.unsupported)
    assert listed["webhooks.markStatus"].startswith("webhook")
    assert "callback" in listed["paths['/board/{row}/{column}'].put.callbacks.statusCallback"]
    assert "link" in listed["paths['/board/{row}/{column}'].get.responses['200'].links.markSquare"]
    assert list(report.frame().columns) == ["where", "what"]
    assert "not imported (3)" in str(report)


def test_an_external_ref_is_reported_and_never_fetched() -> None:
    doc = small()
    doc["components"]["schemas"]["Thing"] = {
        "type": "object",
        "properties": {"owner": {"$ref": "https://schemas.invalid/owner.json#/Owner"}},
    }
    collection = load_openapi(doc)
    assert collection.import_report.unsupported == [
        (
            "components.schemas.Thing.properties.owner",
            "$ref 'https://schemas.invalid/owner.json#/Owner': only JSON pointers inside the "
            "document (#/...) are followed",
        )
    ]
    assert collection.examples()[0].json() == {"owner": None}


def test_a_31_anchor_ref_is_reported_not_read_as_the_whole_document() -> None:
    doc = small()
    doc["components"]["schemas"]["Thing"] = {
        "type": "object",
        "properties": {"tag": {"$ref": "#label"}},
        "$defs": {"label": {"$anchor": "label", "type": "string"}},
    }
    collection = load_openapi(doc)
    assert collection.import_report.unsupported == [
        (
            "components.schemas.Thing.properties.tag",
            "$ref '#label': only JSON pointers inside the document (#/...) are followed",
        )
    ]
    assert collection.examples()[0].json() == {"tag": None}


def test_a_ref_cycle_is_refused_naming_the_refs_and_where() -> None:
    doc = small()
    doc["components"]["schemas"] = {
        "Thing": {"type": "object", "properties": {"part": {"$ref": "#/components/schemas/Part"}}},
        "Part": {"type": "object", "properties": {"whole": {"$ref": "#/components/schemas/Thing"}}},
    }
    with pytest.raises(OpenAPIError) as caught:
        load_openapi(doc)
    error = caught.value
    assert error.where == "components.schemas.Part.properties.whole"
    assert (
        "#/components/schemas/Thing -> #/components/schemas/Part -> #/components/schemas/Thing"
        in str(error)
    )
    assert str(error).startswith("<dict> at components.schemas.Part.properties.whole: $ref cycle")


def test_a_ref_to_nothing_names_where_it_is() -> None:
    doc = small()
    doc["paths"]["/things"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {
        "$ref": "#/components/schemas/Missing"
    }
    with pytest.raises(OpenAPIError, match="points to nothing") as caught:
        load_openapi(doc)
    assert caught.value.where == (
        "paths['/things'].get.responses['200'].content['application/json'].schema"
    )


def test_an_invalid_document_is_one_error_naming_file_and_path(tmp_path: Path) -> None:
    doc = small()
    del doc["paths"]["/things"]["get"]["responses"]["200"]["description"]
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(OpenAPIError) as caught:
        load_openapi(path)
    assert caught.value.source == str(path)
    assert caught.value.where == "paths['/things'].get.responses['200']"
    assert "not a valid OpenAPI 3.1.0 document" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message", "where"),
    [
        ("openapi: 3.1.0\ninfo: [unclosed\n", r"not YAML or JSON: .* at line 3", None),
        ("- just\n- a list\n", "is an object, not list", None),
        ("swagger: '2.0'\ninfo: {}\n", "Swagger 2.0 is not OpenAPI 3", "swagger"),
        ("openapi: 4.0.0\ninfo: {}\n", "3.0.x or 3.1.x, not '4.0.0'", "openapi"),
    ],
)
def test_unreadable_documents(tmp_path: Path, text: str, message: str, where: str | None) -> None:
    path = tmp_path / "doc.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OpenAPIError, match=message) as caught:
        load_openapi(path)
    assert caught.value.where == where and str(caught.value).startswith(str(path))


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(OpenAPIError, match="no such file"):
        load_openapi(tmp_path / "nowhere.yaml")


def test_properties_named_like_keywords_are_schemas_and_example_data_is_data() -> None:
    doc = small()
    doc["components"]["schemas"] = {
        "Thing": {
            "type": "object",
            "properties": {
                "value": {"$ref": "#/components/schemas/Amount"},
                "example": {"$ref": "#/components/schemas/Amount"},
                "link": {"type": "object", "example": {"$ref": "#/not/a/reference"}},
            },
        },
        "Amount": {"type": "integer", "minimum": 7},
    }
    collection = load_openapi(doc)
    assert collection.examples()[0].json() == {
        "value": 7,
        "example": 7,
        "link": {"$ref": "#/not/a/reference"},
    }
    assert collection.import_report.unsupported == []


def test_yaml_dates_and_status_codes_are_read_as_json_would(tmp_path: Path) -> None:
    path = tmp_path / "dates.yaml"
    path.write_text(
        "openapi: 3.0.3\n"
        "info: {title: Dates, version: '1'}\n"
        "paths:\n"
        "  /days:\n"
        "    get:\n"
        "      responses:\n"
        "        200:\n"  # an int key in YAML
        "          description: A day\n"
        "          content:\n"
        "            application/json:\n"
        "              example: {day: 2026-03-02}\n",  # a date in YAML, a string in OpenAPI
        encoding="utf-8",
    )
    example = load_openapi(path).examples()[0]
    assert (example.code, example.json()) == (200, {"day": "2026-03-02"})


def test_second_tags_and_form_encodings_are_reported() -> None:
    doc = small()
    operation = doc["paths"]["/things"]["get"]
    operation["tags"] = ["Things", "Stock"]
    doc["paths"]["/things"]["post"] = {
        "tags": ["Stock"],
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {"type": "object", "properties": {"photo": {"type": "string"}}},
                    "encoding": {"photo": {"contentType": "image/png"}},
                }
            }
        },
        "responses": {"204": {"description": "Stored"}},
    }
    collection = load_openapi(doc)
    assert [(f["name"], len(f["item"])) for f in collection.data["item"]] == [
        ("Things", 1),
        ("Stock", 1),
    ]
    assert dict(collection.import_report.unsupported) == {
        "paths['/things'].get.tags": "tags after the first (Stock): the request is only in "
        "folder 'Things'",
        "paths['/things'].post.requestBody.content['multipart/form-data'].encoding": "encoding "
        "of form fields: not imported",
    }
    stored = collection.example("POST /things", "Stored")
    assert stored.request["body"] == {
        "mode": "formdata",
        "formdata": [{"key": "photo", "value": "string", "type": "text"}],
    }
    assert (stored.code, stored.body) == (204, "")


def test_an_example_named_from_a_long_description_keeps_its_first_80_characters() -> None:
    doc = small()
    response = doc["paths"]["/things"]["get"]["responses"]["200"]
    response["description"] = "A" * 79 + " thing, described at length\nand on a second line."
    assert load_openapi(doc).examples()[0].name == "A" * 79  # no trailing space
