"""Credentials never sit in a Connection's URLs (they would show in reprs and exports)."""

from __future__ import annotations

import pytest

from punchlab import OAuth2ClientCredentials, ValidationError


def test_an_oauth2_token_url_with_a_password_is_refused_without_showing_it() -> None:
    with pytest.raises(ValidationError, match="OAuth2 token URL") as caught:
        OAuth2ClientCredentials("https://ann:hunter2@auth.example.com/token", "id", "secret")
    assert "hunter2" not in str(caught.value)
