"""The `punchlab` command.

```
punchlab check            # is this environment ready for the lab?
```

Start-up must stay fast: import heavy modules inside the sub-command that needs them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _check(args: argparse.Namespace) -> int:
    from .check import run_env_check

    results = run_env_check()
    return 0 if all(r.ok for r in results) else 1


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one sub-command per task."""
    parser = argparse.ArgumentParser(
        prog="punchlab", description="Talkdesk's Clock Punch tutorial, offline."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser("check", help="check that the lab's environment is ready")
    check.set_defaults(run=_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
