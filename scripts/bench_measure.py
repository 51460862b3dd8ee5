"""Measuring another process for the workload benchmark: CPU seconds and peak RSS of its
whole process tree (sampled from outside it), the machine's load average, wall seconds."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psutil

SAMPLE_S = 0.1


def _tree(root: int) -> list[psutil.Process]:
    """`root` and all its live descendants."""
    try:
        proc = psutil.Process(root)
        return [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return []


def _cpu_seconds(proc: psutil.Process) -> float:
    """User + system CPU seconds a live process has used."""
    try:
        times = proc.cpu_times()
    except psutil.Error:
        return 0.0
    return times.user + times.system


def tree_cpu_seconds(root: int) -> float:
    return sum(_cpu_seconds(p) for p in _tree(root))


def _rss_bytes(proc: psutil.Process) -> int:
    try:
        return int(proc.memory_info().rss)
    except psutil.Error:
        return 0


def _shares_parent_memory(proc: psutil.Process) -> bool:
    """A child of a JVM still running the JVM's own program: the JVM starts commands (Hadoop's
    shell calls) by vfork/posix_spawn, and until the exec the child shares the JVM's memory,
    so its RSS is the JVM's counted a second time."""
    try:
        parent = proc.parent()
        return parent is not None and parent.name() == "java" and proc.exe() == parent.exe()
    except psutil.Error:
        return True  # gone already: nothing of its own to count


def tree_rss_bytes(root: int) -> int:
    """RSS of `root`'s process tree, without children that share a parent's memory."""
    return sum(_rss_bytes(p) for p in _tree(root) if not _shares_parent_memory(p))


def load_average() -> list[float]:
    """The machine's 1, 5 and 15 minute load averages."""
    return [round(x, 2) for x in os.getloadavg()]


class PeakRss:
    """Samples the RSS of another process's tree every SAMPLE_S; `peak` is the highest sum
    seen, and `by_phase` the highest per phase (set `phase` as the process reports it)."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0
        self.phase = ""
        self.by_phase: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            now = tree_rss_bytes(self.pid)
            self.peak = max(self.peak, now)
            self.by_phase[self.phase] = max(self.by_phase.get(self.phase, 0), now)
            self._stop.wait(SAMPLE_S)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def timed() -> Iterator[list[float]]:
    box: list[float] = []
    started = time.perf_counter()
    yield box
    box.append(time.perf_counter() - started)
