"""One line for a failed run: what went wrong and where, without the JVM's stack frames.

Spark errors reach Python wrapped by Py4J ("An error occurred while calling o185.parquet",
then the whole Java stack); the deepest cause says what happened and, for a file read, which
file. The stage's own errors (a bad landing header, numbers that do not reconcile) already
are one line.
"""

from __future__ import annotations

from typing import Any, Final

LIMIT: Final = 500


def _java_root(java: Any) -> Any:
    """The innermost cause of a Java throwable (Py4J proxy)."""
    seen = 0
    while java.getCause() is not None and seen < 20:
        java, seen = java.getCause(), seen + 1
    return java


def _first_lines(text: str) -> str:
    """The message's lines before the stack frames, joined into one."""
    kept = []
    for line in text.splitlines():
        if line.lstrip().startswith(("at ", "...")):
            break
        if line.strip():
            kept.append(line.strip())
    return " ".join(kept)


def describe(exc: BaseException) -> str:
    """A one-line account of `exc`."""
    java = getattr(exc, "java_exception", None)
    if java is not None:
        try:
            root = _java_root(java)
            text = f"{root.getClass().getName()}: {root.getMessage()}"
        except Exception:  # the JVM may be gone; fall back to the Python text
            text = str(exc)
        return _first_lines(text)[:LIMIT]
    line = _first_lines(str(exc)) or type(exc).__name__
    return line[:LIMIT]
