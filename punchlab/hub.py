"""Addresses on a JupyterHub: a lab port as the learner's browser reaches it, and the course link.

On a laptop the mock's `http://127.0.0.1:<port>` is that address. Under JupyterHub the lab runs
on a shared server the attendee's browser cannot reach directly; jupyter-server-proxy (punchlab's
`room` extra) forwards `<server prefix>proxy/<port>/` to the port, behind the hub's login. The
single-user server passes `JUPYTERHUB_SERVICE_PREFIX` (`/user/<name>/`) to its kernels, and
`JUPYTERHUB_PUBLIC_URL` when the hub knows its public address.

```python
from punchlab.hub import browser_url
browser_url(4010)   # 'http://127.0.0.1:4010' on a laptop
                    # '/user/ana/proxy/4010' under a hub, or 'https://hub.example.org/user/ana/proxy/4010'
```

`workshop_link` is the link a presenter hands out: nbgitpuller (the `room` extra) pulls the
course into the attendee's home and JupyterLab opens notebook 00.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit

from .errors import ValidationError

__all__ = ["browser_url", "hub_prefix", "workshop_link"]

FIRST_NOTEBOOK = "notebooks/00_setup_check.ipynb"

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def hub_prefix(*, environ: Mapping[str, str] | None = None) -> str | None:
    """This Jupyter server's URL prefix under JupyterHub (`/user/<name>/`), or None off a hub."""
    env = os.environ if environ is None else environ
    prefix = env.get("JUPYTERHUB_SERVICE_PREFIX", "")
    if not prefix:
        return None
    return prefix if prefix.endswith("/") else prefix + "/"


def browser_url(
    port: int, *, host: str = "127.0.0.1", environ: Mapping[str, str] | None = None
) -> str:
    """The URL a browser uses for `host:port`: through the hub's proxy when under JupyterHub.

    Off a hub, or for a server bound to an address other than loopback (reachable as it is),
    it is the plain `http://host:port`. Either way it has no trailing slash, like
    `LocalServer.url`: append paths as `f"{url}/users/formatted"`. Without a public URL from the
    hub it is a path on the hub's own address (what a link in the notebook resolves against).
    """
    plain = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    env = os.environ if environ is None else environ
    prefix = hub_prefix(environ=env)
    if prefix is None or host not in _LOOPBACK:
        return plain
    public = env.get("JUPYTERHUB_PUBLIC_URL", "")
    base = public if public.endswith("/") else (public + "/" if public else prefix)
    return f"{base}proxy/{port}"


def workshop_link(
    hub: str,
    repository: str,
    *,
    branch: str = "main",
    folder: str | None = None,
    notebook: str = FIRST_NOTEBOOK,
) -> str:
    """The link attendees click: log in, get the course in `~/<folder>`, land on `notebook`.

    nbgitpuller clones `repository` at `branch` on the first click and merges new commits on
    later ones, keeping the attendee's edits. `folder` (default: the repository's name without
    `.git`) is named in the link, so the notebook it opens is where the clone lands.

    ```python
    workshop_link("https://hub.example.org", "https://github.com/acme/punchlab.git")
    # 'https://hub.example.org/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2F...'
    ```
    """
    if not _plain_address(hub, schemes=("http", "https")):
        raise ValidationError(  # the address is not repeated: a query or login may hold a secret
            "must be the hub's address, like https://hub.example.org, with no query, fragment, "
            "user name or password",
            where="hub",
        )
    if "://" in repository and not _plain_address(repository):
        raise ValidationError(  # every attendee gets the link: a token in it would be shared
            "must be an address without a user name, password or query (the link is handed to "
            "every attendee): make the repository public, or serve it from the hub's machine",
            where="repository",
        )
    for name, value, what in (
        ("repository", repository, "a git address"),
        ("branch", branch, "a branch name"),
    ):
        if not value or not value.isprintable() or any(c.isspace() for c in value):
            raise ValidationError(f"must be {what} without spaces, not {value!r}", where=name)
    named = folder
    if folder is None:
        folder = repository.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].removesuffix(".git")
    if folder in ("", ".", "..") or "/" in folder or "\\" in folder or not folder.isprintable():
        told = "" if named is not None else " (taken from the repository's address: name one)"
        raise ValidationError(f"must be one folder name, not {folder!r}{told}", where="folder")
    steps = notebook.split("/")
    if notebook.startswith("/") or any(step in ("", ".", "..") for step in steps):
        raise ValidationError(
            f"must be a path inside the repository, not {notebook!r}", where="notebook"
        )
    query = urlencode(
        {
            "repo": repository,
            "branch": branch,
            "targetpath": folder,
            "urlpath": f"lab/tree/{folder}/{notebook}",
        }
    )
    return f"{hub.strip().rstrip('/')}/hub/user-redirect/git-pull?{query}"


def _plain_address(url: str, *, schemes: tuple[str, ...] | None = None) -> bool:
    """`url` has a host (and one of `schemes`), and no query, fragment or login."""
    try:
        parts = urlsplit(url.strip())
        return (
            bool(parts.hostname or parts.scheme == "file")
            and (schemes is None or parts.scheme in schemes)
            and not (parts.query or parts.fragment or parts.username or parts.password)
        )
    except ValueError:  # e.g. an unclosed [IPv6 address
        return False
