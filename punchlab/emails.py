"""The one rule for emails: what counts as an email, and the form used to match them.

Agents (tutorial step 1), the live mock's users and Agent Sync all use these, so an email that
matches in one place matches in every other.

```python
>>> normalise_email("  User+1@TalkDesk.com ")
'user+1@talkdesk.com'
>>> is_email("user+1@talkdesk.com"), is_email("ana@localhost")
(True, False)
```
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .text import storable

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["is_email", "normalise_email", "normalise_emails"]

# One "@", no spaces, a dot in the domain: what a sign-up form checks, not RFC 5322.
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def is_email(text: str) -> bool:
    """Whether `text` (already stripped) looks like an email a sign-up form would accept."""
    return _EMAIL.fullmatch(text) is not None and storable(text)


def normalise_email(email: str) -> str:
    """The form of an email used for matching: surrounding spaces removed, lower-case."""
    return email.strip().lower()


def normalise_emails(emails: pd.Series) -> pd.Series:
    """`normalise_email` over a whole column (vectorised); missing values stay missing."""
    return emails.str.strip().str.lower()
