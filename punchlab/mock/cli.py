"""`punchlab serve`: the mock time-punch API on a localhost port until Ctrl-C.

`run_cli(args)` is the body of the command (`punchlab.cli` parses the options); it builds a
`MockServer` and runs uvicorn in the foreground.

```python
main(["serve", "--mode", "live", "--port", "0"])      # punchlab.cli.main
```
"""

from __future__ import annotations

import signal
import sys
from typing import Any

from ..errors import PunchlabError
from .faults import Faults
from .localserver import bind, url_of, uvicorn_server
from .server import MockServer

__all__ = ["run_cli"]


def _load_quickly(path: str | None) -> Any:
    """The collection for `punchlab serve`, loaded without the JSON-schema pass.

    Importing jsonschema alone costs most of a second, and start-up must stay under 300 ms; the
    loader still refuses a file that is not JSON or not shaped like a Postman collection.
    """
    from ..home import TUTORIAL_COLLECTION, data_file
    from .collection import load_collection

    return load_collection(
        path if path is not None else data_file(TUTORIAL_COLLECTION), validate=False
    )


def _route_table(routes: list[tuple[str, str, str]], url: str) -> list[str]:
    """Aligned `METHOD  URL  what` lines."""
    method_width = max((len(method) for method, _, _ in routes), default=3)
    url_width = max((len(url + path) for _, path, _ in routes), default=0)
    return [
        f"  {method:<{method_width}}  {url + path:<{url_width}}  {what}".rstrip()
        for method, path, what in routes
    ]


def _raise_file_limit(wanted: int = 4096) -> None:
    """Lift the soft open-file limit towards `wanted` (macOS starts at 256), as servers do.

    Each connection costs a file; with 256, a few hundred idle sockets would lock real
    requests out until the idle timeout closes them.
    """
    try:
        import resource
    except ImportError:  # Windows has no such limit
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            pass  # keep the limit we have; the idle timeout still frees sockets


def run_cli(args: Any) -> int:
    """`punchlab serve`: build the mock from the command line's options and serve until Ctrl-C.

    Exit status: 0 when stopped (Ctrl-C or SIGTERM), 2 for a collection or users file that
    cannot be used, 1 when the address cannot be bound.
    """
    try:
        faults = None
        if args.delay or args.error_rate or args.rate_limit:
            faults = Faults(
                latency=args.delay / 1000.0, error_rate=args.error_rate, rate_limit=args.rate_limit
            )
        collection = None
        if args.mode == "replay" or args.users is None or args.collection is not None:
            collection = _load_quickly(args.collection)
        server = MockServer(
            collection,
            mode=args.mode,
            users=args.users,
            page_size=args.page_size,
            faults=faults,
            log=args.log,
        )
        routes = server.routes()
    except (PunchlabError, OSError) as exc:
        print(f"punchlab serve: {exc}", file=sys.stderr)
        return 2
    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        print(
            f"punchlab serve: cannot listen on {url_of(args.host, args.port)}: {exc.strerror}",
            file=sys.stderr,
        )
        return 1
    url = url_of(args.host, sock.getsockname()[1])
    lines = [f"punchlab mock ({args.mode} mode) listening on {url}", ""]
    lines += _route_table(routes, url)
    lines += ["", "Press Ctrl-C to stop."]
    print("\n".join(lines), flush=True)
    _raise_file_limit()
    uv = uvicorn_server(server.asgi)
    signal.signal(signal.SIGTERM, lambda *_: setattr(uv, "should_exit", True))
    try:
        uv.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return 0
