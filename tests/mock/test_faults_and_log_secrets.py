"""Fault settings must be finite, and secrets must not surface in the request log."""

from __future__ import annotations

import math

import pytest

from punchlab import Faults, MockServer, ValidationError


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"latency": math.inf}, "latency"),
        ({"latency": math.nan}, "latency"),
        ({"latency": (0.0, math.inf)}, "latency"),
        ({"latency": 1e9}, "latency"),
        ({"error_rate": math.nan}, "error_rate"),
        ({"rate_limit": math.nan}, "rate_limit"),
        ({"rate_limit": math.inf}, "rate_limit"),
        ({"rate_limit": "120"}, "rate_limit"),
        ({"latency": "1"}, "latency"),
    ],
)
def test_faults_refuse_non_finite_or_out_of_range_settings(
    options: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError, match=field):
        Faults(**options)  # type: ignore[arg-type]


def test_a_mock_with_the_largest_faults_still_answers_over_http() -> None:
    faults = Faults(latency=0.01, rate_limit=1e9, error_rate=0.0)
    with MockServer(mode="live", faults=faults).serve() as running:
        import httpx

        assert httpx.get(f"{running.url}/users/formatted?page=1").status_code == 200


@pytest.mark.parametrize(
    "key", ["pwd", "passwd", "pass", "sig", "signature", "credential", "jwt", "api_key", "Token"]
)
def test_the_request_log_masks_every_credential_looking_query_key(key: str) -> None:
    lines: list[str] = []
    with MockServer(mode="live", log=lines.append).client() as http:
        http.get(f"/users/formatted?page=1&{key}=hunter2")
    assert len(lines) == 1
    assert "hunter2" not in lines[0]
    assert f"{key}=***" in lines[0]
