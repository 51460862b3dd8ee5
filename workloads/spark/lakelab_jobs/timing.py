"""Step timings for manifests: `with step("validate"):` inside a stage adds the seconds the
block took to the manifest of the run in progress (and does nothing outside a run)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_current: ContextVar[dict[str, float] | None] = ContextVar("lakelab_steps", default=None)


@contextmanager
def recording(into: dict[str, float]) -> Iterator[dict[str, float]]:
    """Collect the steps run inside this block into `into`."""
    token = _current.set(into)
    try:
        yield into
    finally:
        _current.reset(token)


@contextmanager
def step(name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        steps = _current.get()
        if steps is not None:
            steps[name] = round(steps.get(name, 0.0) + time.perf_counter() - started, 3)
