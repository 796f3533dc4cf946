"""The `punchlab` command.

```
punchlab check            # is this environment ready for the lab?
punchlab serve            # the mock time-punch API on http://127.0.0.1:4010 (Ctrl-C stops it)
punchlab serve --mode live --users 100000 --page-size 50 --log
punchlab reset            # presenters: back to the tutorial's starting state
punchlab demo             # the whole tutorial end to end: is this laptop ready?
```

Start-up must stay fast: import heavy modules inside the sub-command that needs them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _check(args: argparse.Namespace) -> int:
    from .course.check import run_env_check

    results = run_env_check()
    return 0 if all(r.ok for r in results) else 1


def _serve(args: argparse.Namespace) -> int:
    from .mock.cli import run_cli

    return run_cli(args)


def _reset(args: argparse.Namespace) -> int:
    from .store import Store
    from .talkdesk.account import Account

    store = Store.default()
    try:
        counts = {
            table: store.query(f'SELECT COUNT(*) FROM "{table}"')[0][0]
            for table in store.tables()
            if not table.startswith("sqlite_")
        }
        agents = Account(store).reset()
    finally:
        store.close()
    removed = ", ".join(f"{n} {table}" for table, n in sorted(counts.items()) if n) or "nothing"
    print(f"Reset the lab at {store.path}: removed {removed}.")
    print(f"Back to the tutorial's start: {len(agents)} agents ({agents[0].email} ...).")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from .course.demo import run_demo
    from .errors import PunchlabError

    try:
        run_demo()
    except (PunchlabError, RuntimeError, OSError) as exc:
        print(f"punchlab demo: {exc}", file=sys.stderr)
        return 1
    return 0


def _probability(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be within 0..1, not {text}")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, not {text}")
    return value


def _users(text: str) -> int | str:
    if text.strip().lstrip("-").isdecimal():
        return _positive_int(text)
    return text


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one sub-command per task."""
    parser = argparse.ArgumentParser(
        prog="punchlab", description="Talkdesk's Clock Punch tutorial, offline."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser("check", help="check that the lab's environment is ready")
    check.set_defaults(run=_check)

    reset = commands.add_parser(
        "reset",
        help="restore the lab to the tutorial's starting state (the seven agents, nothing else)",
    )
    reset.set_defaults(run=_reset)

    demo = commands.add_parser(
        "demo",
        help="run the whole tutorial end to end on a throw-away account and print a summary",
    )
    demo.set_defaults(run=_demo)

    serve = commands.add_parser(
        "serve",
        help="serve the mock time-punch API over HTTP",
        description="Serve a Postman collection as a mock API (replay: its saved examples; "
        "live: a real time-punch API over its users). Stop it with Ctrl-C.",
    )
    serve.add_argument(
        "collection",
        nargs="?",
        default=None,
        metavar="COLLECTION",
        help="a Postman v2.1 collection file (default: the tutorial's)",
    )
    serve.add_argument("--mode", choices=("replay", "live"), default="replay")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=4010, help="port (4010; 0 picks a free one)")
    serve.add_argument(
        "--users",
        type=_users,
        default=None,
        metavar="N|CSV",
        help="live mode: N generated users, or a CSV file (id,name,email), "
        "instead of the collection's",
    )
    serve.add_argument(
        "--page-size", type=_positive_int, default=5, metavar="K", help="live mode: users per page"
    )
    serve.add_argument("--delay", type=float, default=0.0, metavar="MS", help="latency per answer")
    serve.add_argument(
        "--error-rate",
        type=_probability,
        default=0.0,
        metavar="P",
        help="share of requests answered 500",
    )
    serve.add_argument(
        "--rate-limit",
        type=_positive_int,
        default=None,
        metavar="PER_MINUTE",
        help="answer Postman's 429 beyond this many requests a minute (the cloud's is 120)",
    )
    serve.add_argument("--log", action="store_true", help="print one line per request")
    serve.set_defaults(run=_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
