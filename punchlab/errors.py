"""The exceptions punchlab raises.

```
PunchlabError
├── CollectionError      a Postman collection that cannot be used (names the file and JSON path)
│   └── OpenAPIError     an OpenAPI document that cannot be imported (file and JSON path)
├── ValidationError      input that breaks a rule (names the field, agent, page or request)
│   └── MappingError     a field mapping that cannot produce Agent Sync's format
├── TemplateError        a `{{ }}` template that names a variable with no value
├── AuthError            a Connection's credentials refused by its token endpoint
├── StoreError           the lab's database cannot be opened or stays busy (names the file)
└── SyncError            an Agent Sync that stopped part-way (nothing was applied)
```

Catch `PunchlabError` to handle all of them:

```python
try:
    collection = punchlab.load_collection("broken.json")
except punchlab.PunchlabError as exc:
    print(exc)
```
"""

from __future__ import annotations

__all__ = [
    "AuthError",
    "CollectionError",
    "MappingError",
    "OpenAPIError",
    "PunchlabError",
    "StoreError",
    "SyncError",
    "TemplateError",
    "ValidationError",
]


class PunchlabError(Exception):
    """Base class of every error punchlab raises on purpose."""


class CollectionError(PunchlabError, ValueError):
    """A Postman collection that is missing, not JSON, or not a valid v2.1 collection.

    `source` is the file (or `"<dict>"`), `where` the JSON path of the problem when known.
    """

    def __init__(self, message: str, *, source: str = "<dict>", where: str | None = None) -> None:
        self.source = source
        self.where = where
        at = f" at {where}" if where else ""
        super().__init__(f"{source}{at}: {message}")


class OpenAPIError(CollectionError):
    """An OpenAPI document that `load_openapi` cannot import (not YAML/JSON, not OpenAPI 3.0 or
    3.1, refused by the OpenAPI schema, a `$ref` to nothing or a `$ref` cycle).

    `source` is the file (or `"<dict>"`), `where` the JSON path of the problem.
    """


class ValidationError(PunchlabError, ValueError):
    """Input that breaks a rule. `where` says which field, agent, page or request."""

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class MappingError(ValidationError):
    """A field mapping that cannot produce the users Agent Sync expects."""


class TemplateError(PunchlabError, KeyError):
    """A `{{ }}` template names a variable that has no value."""

    def __init__(self, name: str, *, template: str | None = None) -> None:
        self.name = name
        self.template = template
        where = f" in {template!r}" if template is not None else ""
        super().__init__(f"no value for {{{{{name}}}}}{where}")

    def __str__(self) -> str:  # KeyError would wrap the message in quotes
        return str(self.args[0])


class SyncError(PunchlabError):
    """An Agent Sync that stopped part-way; no external ID was changed."""


class AuthError(PunchlabError):
    """A Connection could not authenticate (for example its OAuth2 token request was refused)."""


class StoreError(PunchlabError):
    """The lab's database cannot be used: not a database file, or locked past the busy timeout.

    `path` is the file.
    """

    def __init__(self, message: str, *, path: object) -> None:
        self.path = path
        super().__init__(f"{path}: {message}")
