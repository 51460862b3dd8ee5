"""User-facing errors: what a user can fix, said in one line (the app prints them)."""

from __future__ import annotations


def short(value: object, width: int = 60) -> str:
    """A value as one line of at most `width` characters, for tables and messages."""
    import json

    text = (
        value if isinstance(value, str) else json.dumps(value, default=str, separators=(",", ":"))
    )
    return text if len(text) <= width else text[: width - 3] + "..."


class UserError(Exception):
    """Something the user can fix: bad input, a missing prerequisite, a busy port."""

    exit_code = 2


class CheckFailed(UserError):
    """A check that ran and found a problem (a failed acceptance run): exit 1, not 2."""

    exit_code = 1
