from __future__ import annotations

import json

import pytest

import punchlab


@pytest.fixture(scope="session")
def tutorial_users_pages() -> dict[str, dict[int, dict]]:
    """The tutorial collection's example bodies: `{"formatted": {1: body, 2: body}, ...}`."""
    collection = json.loads(punchlab.data_file(punchlab.home.TUTORIAL_COLLECTION).read_text())
    pages: dict[str, dict[int, dict]] = {}
    for folder in collection["item"]:
        endpoint = folder["name"].removeprefix("users/")
        for example in folder.get("response", []):
            if example["name"].startswith("page "):
                number = int(example["name"].removeprefix("page "))
                pages.setdefault(endpoint, {})[number] = json.loads(example["body"])
    return pages
