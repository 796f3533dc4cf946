"""Short errors in a notebook for punchlab's own exceptions: the message first, then the line of
the learner's code that raised it, instead of two screens of package internals.

```python
from punchlab import compact_errors
compact_errors()                                    # once, in a notebook's imports cell
account.add_agent(name="", email="a@example.com")   # the cell's output reads:
# ValidationError: name: Name is mandatory
#   at line 1 of your code: account.add_agent(name="", email="a@example.com")
#   (%tb shows the full traceback)
```

Any other exception keeps IPython's full traceback. The cell still fails (a `raises-exception`
tag is still needed, and *Run All* still stops there); only what it prints is shorter.
"""

from __future__ import annotations

import sys
import sysconfig
import traceback
from pathlib import Path
from typing import Any

from ..errors import PunchlabError

__all__ = ["compact_errors"]

_RED, _BOLD, _DIM, _RESET = "\x1b[31m", "\x1b[1m", "\x1b[2m", "\x1b[0m"
# Frames from these folders are not the learner's: punchlab itself, the standard library and
# installed packages (IPython's own machinery among them).
_NOT_YOURS = tuple(
    str(Path(p).resolve())
    for p in (
        Path(__file__).parents[1],  # the whole punchlab package
        sysconfig.get_paths()["stdlib"],
        sysconfig.get_paths()["purelib"],
        sysconfig.get_paths()["platlib"],
    )
)


def compact_errors(*, shell: Any = None) -> None:
    """Show punchlab's errors in this IPython session (a notebook's kernel) briefly.

    Does nothing outside IPython (e.g. in a plain `python` script). Returns nothing, so that
    the last line of an imports cell prints nothing.
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return
        shell = get_ipython()
    if shell is None:
        return
    shell.set_custom_exc((PunchlabError,), _short_traceback)


def _short_traceback(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset=None):
    """IPython's custom-exception hook: shows a few lines in place of the traceback.

    They go out through `_showtraceback`, the method a kernel overrides to send an error output,
    so a notebook still records an error (name, message and these lines).
    """
    sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb  # so that %tb works
    lines = [f"{_RED}{_BOLD}{etype.__name__}{_RESET}: {value}"]
    cause = value.__cause__ or (None if value.__suppress_context__ else value.__context__)
    while cause is not None and len(lines) < 4:
        if str(cause) not in str(value):  # a message that already quotes its cause says it all
            lines.append(f"  because {type(cause).__name__}: {cause}")
        cause = cause.__cause__
    yours = [
        frame
        for frame in traceback.extract_tb(tb)
        if not str(Path(frame.filename).resolve()).startswith(_NOT_YOURS)
    ]
    if yours:
        lines.append(f"  at line {yours[-1].lineno} of your code: {yours[-1].line}")
    lines.append(f"{_DIM}  (%tb shows the full traceback){_RESET}")
    shell._showtraceback(etype, value, lines)
