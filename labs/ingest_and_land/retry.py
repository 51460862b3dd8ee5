"""GET with retries: backoff with jitter, `Retry-After` honoured, bad bodies retried,
other 4xx given up on at once."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

RETRYABLE = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay: float = 0.1
    max_delay: float = 2.0
    max_retry_after: float = 30.0  # a longer Retry-After is not waited for: give up now
    timeout: float = 10.0

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with 'equal jitter': half fixed, half random."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


@dataclass
class Fetched:
    url: str
    body: bytes | None = None
    statuses: list[int] = field(default_factory=list)  # 0 = no response (connection error)
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.body is not None

    @property
    def attempts(self) -> int:
        return len(self.statuses)


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: treat like no hint


def fetch(
    session: requests.Session,
    url: str,
    policy: RetryPolicy,
    *,
    headers: dict[str, str] | None = None,
    validate: Callable[[bytes], str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Fetched:
    """GET with retries. `validate` returns an error message for a bad 200 body (retried)."""
    result = Fetched(url)
    for attempt in range(1, policy.max_attempts + 1):
        wait: float | None = None
        try:
            response = session.get(url, headers=headers, timeout=policy.timeout)
        except requests.RequestException as exc:
            result.statuses.append(0)
            result.error = f"{type(exc).__name__}: {exc}"
        else:
            result.statuses.append(response.status_code)
            if response.status_code == 200:
                problem = validate(response.content) if validate else ""
                if not problem:
                    result.body, result.error = response.content, ""
                    return result
                result.error = problem
            elif response.status_code in RETRYABLE:
                result.error = _error_text(response)
                wait = _retry_after(response)
                if wait is not None and wait > policy.max_retry_after:
                    return result  # e.g. "come back in two hours": dead-letter now
            else:
                result.error = _error_text(response)
                return result  # 4xx: retrying will not help
        if attempt < policy.max_attempts:
            sleep(wait if wait is not None else policy.backoff(attempt))
    return result


def _error_text(response: requests.Response) -> str:
    try:
        doc = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(doc, dict) and "error" in doc:
        extra = f" ({doc['window']})" if "window" in doc else ""
        return f"HTTP {response.status_code}: {doc['error']}{extra}"
    return f"HTTP {response.status_code}"
