"""In an IPython shell, punchlab's errors read message first and short; others stay as they are."""

from __future__ import annotations

from IPython.core.interactiveshell import InteractiveShell

from punchlab import PunchlabError, compact_errors


def test_a_punchlab_error_is_its_message_and_the_line_that_raised_it(shell, capsys) -> None:
    assert compact_errors(shell=shell) is None  # nothing to print under an imports cell
    assert shell.custom_exceptions == (PunchlabError,)
    result = shell.run_cell(
        "from punchlab import Account, Store\n"
        "account = Account(Store(memory=True))\n"
        'account.add_agent(name="", email="ana@example.com")\n'
    )
    assert not result.success  # the cell still fails: Run All stops, raises-exception applies
    lines = capsys.readouterr().out.strip().splitlines()
    assert "ValidationError" in lines[0] and "Name is mandatory" in lines[0]
    raising = 'account.add_agent(name="", email="ana@example.com")'
    assert lines[1] == f"  at line 3 of your code: {raising}"
    assert len(lines) == 3 and "%tb" in lines[2]
    assert "punchlab/" not in "\n".join(lines)  # no package internals


def test_the_cause_of_a_chained_error_is_one_line_more(shell, capsys) -> None:
    compact_errors(shell=shell)
    shell.run_cell(
        "from punchlab import SyncError\n"
        "try:\n"
        "    int('x')\n"
        "except ValueError as exc:\n"
        "    raise SyncError('page 1 could not be mapped') from exc\n"
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert "SyncError" in lines[0] and "page 1 could not be mapped" in lines[0]
    assert lines[1].startswith("  because ValueError: invalid literal for int()")


def test_a_cause_the_message_already_quotes_is_not_repeated(shell, capsys) -> None:
    compact_errors(shell=shell)
    shell.run_cell(
        "from punchlab import MappingError, SyncError\n"
        "try:\n"
        "    raise MappingError('users[0].id: missing')\n"
        "except MappingError as exc:\n"
        "    raise SyncError(f'page 1: {exc}; nothing was applied') from exc\n"
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert "page 1: users[0].id: missing; nothing was applied" in lines[0]
    assert not any("because" in line for line in lines)


def test_other_errors_keep_the_full_traceback(shell, capsys) -> None:
    compact_errors(shell=shell)
    shell.run_cell("def f():\n    return 1 / 0\nf()\n")
    out = capsys.readouterr().out
    assert "ZeroDivisionError" in out and "Traceback" in out and "return 1 / 0" in out


def test_outside_ipython_it_does_nothing() -> None:
    assert InteractiveShell.initialized() is False
    assert compact_errors() is None
    assert InteractiveShell.initialized() is False  # no shell was made to hook into
