"""The address a learner's browser uses for a port of the lab: direct, or through JupyterHub.

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
"""

from __future__ import annotations

import os
from collections.abc import Mapping

__all__ = ["browser_url", "hub_prefix"]

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
