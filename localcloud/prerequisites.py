"""What the twin needs before an emulator starts, checked with one clear message each: a free
loopback port, Node.js (for Azurite), the Azurite package, Java (for the Spark labs); and the
health probe the emulators answer.
"""

from __future__ import annotations

import errno
import os
import random
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Final

from lakelab.errors import UserError

PROJECT_ROOT: Final = Path(__file__).resolve().parent.parent
MIN_NODE: Final = 20


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def free_port() -> int:
    """A free loopback port below the ephemeral range, so that no client connection takes
    it over while an emulator is stopped (demos, benchmarks and tests pick their ports here)."""
    while True:
        port = random.randrange(20000, 32000)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def check_port_free(port: int, what: str, option: str, grace: float = 1.5) -> None:
    """The port can be listened on. A port an emulator has just left can stay busy for a
    moment, so a busy port is tried again for `grace` seconds before it is reported."""
    deadline = time.monotonic() + grace
    while not _bindable(port):
        if time.monotonic() > deadline:
            raise UserError(
                f"port {port} on 127.0.0.1 is in use by another program, so the {what} cannot"
                f" start there; free it or choose another port with {option}"
            )
        time.sleep(0.1)


def http_ok(url: str, timeout: float = 0.5, *, any_status: bool = False) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return bool(response.status == 200)
    except urllib.error.HTTPError:
        return any_status
    except (OSError, ValueError):
        return False


def find_node() -> Path:
    env = os.environ.get("LAKELAB_NODE")
    found = env or shutil.which("node")
    if not found or not Path(found).exists():
        raise UserError(
            f"Node.js was not found{' at ' + env if env else ' on PATH'}: the Azure emulator"
            f" (Azurite) needs Node.js {MIN_NODE} or later; install it (or set LAKELAB_NODE)"
        )
    try:
        out = subprocess.run(
            [found, "--version"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UserError(f"Node.js at {found} does not run: {exc}") from None
    match = re.match(r"v(\d+)\.", out.stdout.strip())
    if out.returncode != 0 or not match:
        raise UserError(
            f"Node.js at {found} does not run (`node --version` said {out.stdout.strip()!r})"
        )
    if int(match.group(1)) < MIN_NODE:
        raise UserError(
            f"Node.js {out.stdout.strip()} at {found} is too old:"
            f" Azurite needs Node.js {MIN_NODE} or later"
        )
    return Path(found)


def find_azurite() -> Path:
    env = os.environ.get("LAKELAB_AZURITE_DIR")
    folder = Path(env) if env else PROJECT_ROOT / "node_modules" / "azurite"
    if not (folder / "dist" / "src" / "blob" / "main.js").is_file():
        raise UserError(
            f"Azurite is not installed in {folder}: run `npm ci` in {PROJECT_ROOT}"
            " (package.json pins the version)"
        )
    return folder


def find_java() -> Path:
    home = os.environ.get("JAVA_HOME")
    candidate = Path(home) / "bin" / "java" if home else None
    found = str(candidate) if candidate and candidate.exists() else shutil.which("java")
    if not found:
        where = (
            f"in JAVA_HOME ({home}) or on PATH" if home else "on PATH (and JAVA_HOME is not set)"
        )
        raise UserError(
            f"Java was not found {where}: the Spark labs run on Java 17; install a JDK or set"
            " JAVA_HOME, or pass --no-spark to use the twin without Spark"
        )
    try:
        out = subprocess.run(
            [found, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UserError(f"Java at {found} does not run: {exc}") from None
    if out.returncode != 0:
        raise UserError(f"Java at {found} does not run: {last_text(out.stderr)}")
    return Path(found)


def last_text(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"
