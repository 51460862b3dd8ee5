"""The credential of the AWS twin's control endpoints.

Every path under `/moto-api/` (moto's own: `reset-auth` switches IAM checks off, `data.json`
dumps every backend, `reset` wipes them) and under `/_lakelab/` (the twin's: `health`,
`forget`) changes or reveals what every learner has, so the twin's AWS server answers them
only to a request carrying its control token in the `X-Lakelab-Control-Token` header; anyone
else gets `403`.

The server makes a new random token each time it starts and writes it, before its port
opens, to `<state>/aws/control.token`, readable by the state folder's owner only (mode
0600, in a folder of mode 0700). lakelab reads it from there for each call it makes; a learner
holding only their own access key cannot.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Any, Final

HEADER: Final = "X-Lakelab-Control-Token"
ENVIRON_KEY: Final = "HTTP_X_LAKELAB_CONTROL_TOKEN"
FILE_NAME: Final = "control.token"
PREFIXES: Final = ("/moto-api", "/_lakelab")


def token_file(data_dir: Path) -> Path:
    return data_dir / FILE_NAME


def issue(data_dir: Path) -> str:
    """A fresh token, written (owner-only) where lakelab will read it."""
    token = secrets.token_urlsafe(32)
    data_dir.mkdir(parents=True, exist_ok=True)
    target = token_file(data_dir)
    tmp = target.with_name(f".{FILE_NAME}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(token + "\n")
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return token


def read(data_dir: Path) -> str | None:
    try:
        return token_file(data_dir).read_text().strip() or None
    except OSError:
        return None


def headers(data_dir: Path) -> dict[str, str]:
    """The header lakelab sends with a control call (none when there is no token yet)."""
    token = read(data_dir)
    return {HEADER: token} if token else {}


def normalized(path: str) -> str:
    """`path` without repeated or trailing slashes (moto's router merges them)."""
    return "/" + "/".join(part for part in path.split("/") if part)


def is_control(path: str) -> bool:
    """Whether moto or the twin would serve `path` (a WSGI `PATH_INFO`) as a control call."""
    return normalized(path).startswith(PREFIXES)


def presented(environ: dict[str, Any], token: str) -> bool:
    given = environ.get(ENVIRON_KEY)
    return isinstance(given, str) and hmac.compare_digest(given.encode(), token.encode())
