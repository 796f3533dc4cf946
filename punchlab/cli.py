"""The `punchlab` command.

```
punchlab check            # is this environment ready for the lab?
punchlab serve            # the mock time-punch API on http://127.0.0.1:4010 (Ctrl-C stops it)
punchlab serve --mode live --users 100000 --page-size 50 --log
punchlab reset            # presenters: back to the tutorial's starting state
punchlab demo             # the whole tutorial end to end: is this laptop ready?
punchlab link https://hub.example.org https://github.com/acme/punchlab.git   # for attendees
```

Start-up must stay fast: import heavy modules inside the sub-command that needs them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

__all__ = ["main"]


def _check(args: argparse.Namespace) -> int:
    from .course.check import run_env_check

    results = run_env_check()
    return 0 if all(r.ok for r in results) else 1


def _serve(args: argparse.Namespace) -> int:
    from .mock.cli import run_cli

    return run_cli(args)


def _reset(args: argparse.Namespace) -> int:
    from .errors import PunchlabError
    from .store import Store
    from .talkdesk.account import Account

    try:
        store = Store.default()
    except PunchlabError as exc:
        print(f"punchlab reset: {exc}", file=sys.stderr)
        return 2
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


def _link(args: argparse.Namespace) -> int:
    from .errors import ValidationError
    from .hub import workshop_link

    try:
        link = workshop_link(
            args.hub,
            args.repository,
            branch=args.branch,
            folder=args.folder,
            notebook=args.notebook,
        )
    except ValidationError as exc:
        print(f"punchlab link: {exc}", file=sys.stderr)
        return 2
    print(link)
    return 0


def _number(text: str, low: float, high: float, what: str) -> float:
    """`text` as a finite number within low..high, or argparse's one-line error."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:  # NaN fails too
        raise argparse.ArgumentTypeError(f"must be {what}, not {text!r}")
    return value


def _probability(text: str) -> float:
    return _number(text, 0.0, 1.0, "within 0..1")


def _delay(text: str) -> float:
    from .mock.messages import MAX_DELAY_MS

    return _number(text, 0.0, MAX_DELAY_MS, f"a delay of 0 to {MAX_DELAY_MS} milliseconds")


def _whole(text: str, low: int, high: int) -> int:
    """`text` as an integer within low..high, or argparse's one-line error."""
    stripped = text.strip()
    digits = stripped.removeprefix("-")
    fits = digits.isascii() and digits.isdecimal() and len(digits) <= len(str(high))
    if not fits or not low <= int(stripped) <= high:
        what = (
            f"a positive integer up to {high}" if low == 1 else f"an integer from {low} to {high}"
        )
        raise argparse.ArgumentTypeError(f"must be {what}, not {text!r}")
    return int(stripped)


def _port(text: str) -> int:
    return _whole(text, 0, 65535)


def _positive_int(text: str) -> int:
    return _whole(text, 1, 10**9)


def _page_size(text: str) -> int:
    from .mock.live import MAX_PAGE_SIZE

    return _whole(text, 1, MAX_PAGE_SIZE)


def _users(text: str) -> int | str:
    if text.strip().lstrip("-").isdecimal():
        from .mock.live import MAX_USERS

        return _whole(text, 1, MAX_USERS)
    return text


class _Parser(argparse.ArgumentParser):
    """argparse, with a bad argument told in one line (no usage block) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one sub-command per task."""
    parser = _Parser(prog="punchlab", description="Talkdesk's Clock Punch tutorial, offline.")
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

    from .hub import FIRST_NOTEBOOK

    link = commands.add_parser(
        "link",
        help="the link workshop attendees click on a JupyterHub to get the course",
        description="Print the nbgitpuller link for a JupyterHub: each attendee logs in, gets "
        "the repository in their home (new commits merged on later clicks, their edits kept) "
        "and lands on notebook 00.",
    )
    link.add_argument("hub", metavar="HUB", help="the hub's address, e.g. https://hub.example.org")
    link.add_argument("repository", metavar="REPOSITORY", help="the git address to pull from")
    link.add_argument("--branch", default="main", help="the branch to pull (main)")
    link.add_argument(
        "--folder", default=None, help="the folder in each home (the repository's name)"
    )
    link.add_argument(
        "--notebook", default=FIRST_NOTEBOOK, help=f"the notebook to open ({FIRST_NOTEBOOK})"
    )
    link.set_defaults(run=_link)

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
    serve.add_argument(
        "--port",
        type=_port,
        default=None,
        help="port (4010; under JupyterHub a free one, as attendees share the machine; 0: free)",
    )
    serve.add_argument(
        "--users",
        type=_users,
        default=None,
        metavar="N|CSV",
        help="live mode: N generated users, or a CSV file (id,name,email), "
        "instead of the collection's",
    )
    serve.add_argument(
        "--page-size", type=_page_size, default=5, metavar="K", help="live mode: users per page"
    )
    serve.add_argument("--delay", type=_delay, default=0.0, metavar="MS", help="latency per answer")
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
