"""Faults a mock can inject: latency, server errors and a rate limit like Postman's cloud.

Postman's cloud mocks allow 120 requests a minute and answer the next one with HTTP 429 and
`{"error": {"name": "rateLimitError", "message": "Rate limit exceeded. Retry after <epoch>"}}`;
`Faults(rate_limit=120)` does the same with a token bucket (a burst of up to 120, refilled at
2 a second).

```python
faults = Faults(latency=(0.05, 0.2), error_rate=0.1, rate_limit=120, seed=7)
server = MockServer(mode="live", faults=faults)
```
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable

from ..errors import ValidationError
from .messages import MAX_DELAY_MS, MockRequest, MockResponse

__all__ = ["Faults"]


def _finite(value: object) -> bool:
    """A real, finite number (NaN and infinities compare in ways that break every check)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


class Faults:
    """Latency, a server-error rate and a rate limit, applied to every request.

    **Parameters:**

    * `latency`: seconds added to every answer, fixed or a `(min, max)` range drawn uniformly
      (at most 180 s, the longest `x-mock-response-delay`).
    * `error_rate`: the share of requests (0..1) answered with `error_status` instead.
    * `error_status`: the status of an injected error (5xx).
    * `rate_limit`: requests per minute (token bucket); the excess gets Postman's 429.
    * `seed`: makes latency and errors repeatable.
    * `clock`: seconds since the epoch (tests inject their own).
    """

    def __init__(
        self,
        *,
        latency: float | tuple[float, float] = 0.0,
        error_rate: float = 0.0,
        error_status: int = 500,
        rate_limit: float | None = None,
        seed: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        low, high = latency if isinstance(latency, tuple) else (latency, latency)
        longest = MAX_DELAY_MS / 1000
        if not (_finite(low) and _finite(high) and 0 <= low <= high <= longest):
            raise ValidationError(
                f"needs 0 <= min <= max <= {longest:g} seconds, not {latency!r}", where="latency"
            )
        if not (_finite(error_rate) and 0.0 <= error_rate <= 1.0):
            raise ValidationError(f"must be within 0..1, not {error_rate!r}", where="error_rate")
        if isinstance(error_status, bool) or error_status not in range(500, 600):
            raise ValidationError(f"must be a 5xx status, not {error_status}", where="error_status")
        if rate_limit is not None and not (_finite(rate_limit) and rate_limit > 0):
            raise ValidationError(
                f"must be a positive number of requests a minute, not {rate_limit!r}",
                where="rate_limit",
            )
        self.latency = (float(low), float(high))
        self.error_rate = float(error_rate)
        self.error_status = error_status
        self.rate_limit = rate_limit
        self.seed = seed
        self.clock = clock
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._tokens = float(rate_limit or 0)
        self._last: float | None = None

    def __repr__(self) -> str:
        return (
            f"Faults(latency={self.latency}, error_rate={self.error_rate}, "
            f"error_status={self.error_status}, rate_limit={self.rate_limit}, seed={self.seed})"
        )

    @property
    def active(self) -> bool:
        """Whether any fault is switched on."""
        return bool(self.latency[1] or self.error_rate or self.rate_limit)

    def before(self, request: MockRequest) -> MockResponse | None:
        """A 429 or an injected error to send instead of the real answer, or `None`."""
        with self._lock:
            if self.rate_limit is not None:
                refused = self._take_token()
                if refused is not None:
                    return refused
            if self.error_rate and self._random.random() < self.error_rate:
                return MockResponse.error(
                    self.error_status,
                    "serverError",
                    f"Injected fault: the mock answered {self.error_status}.",
                )
        return None

    def after(self, response: MockResponse) -> MockResponse:
        """Add the injected latency to `response.delay`.

        `MockServer` skips this when the request sets `x-mock-response-delay` (it overrides).
        """
        low, high = self.latency
        if high:
            with self._lock:
                response.delay += low if low == high else self._random.uniform(low, high)
        return response

    def _take_token(self) -> MockResponse | None:
        assert self.rate_limit is not None
        now = self.clock()
        per_second = self.rate_limit / 60.0
        if self._last is not None:
            self._tokens = min(self.rate_limit, self._tokens + (now - self._last) * per_second)
        self._last = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return None
        wait = (1.0 - self._tokens) / per_second
        retry_at = math.ceil(now + wait)
        return MockResponse.error(
            429,
            "rateLimitError",
            f"Rate limit exceeded. Retry after {retry_at}",
            headers=[("Retry-After", str(math.ceil(wait)))],
        )
