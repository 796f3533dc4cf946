"""An IPython shell, as a notebook's kernel has one, for the course's notebook helpers."""

from __future__ import annotations

import pytest
from IPython.core.interactiveshell import InteractiveShell


@pytest.fixture
def shell():
    """The IPython shell `get_ipython()` returns during the test; gone after it."""
    shell = InteractiveShell.instance()
    shell.colors = "nocolor"
    yield shell
    shell.set_custom_exc((), None)
    InteractiveShell.clear_instance()
