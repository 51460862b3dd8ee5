"""Starting, watching and stopping the emulator processes.

Two processes, both bound to 127.0.0.1 only and both started in their own session so they
outlive the `lakelab` command that started them:

- AWS: `python -m localcloud.aws.server` (moto, see `localcloud.aws.server`).
- Azure: Azurite's blob service under Node, through `localcloud/azure/azurite_launcher.js`.

Each has a PID file and a log file in the state folder. The PID file is JSON (`pid`, `port`,
`config`, `started`); a process counts as running only if that pid is alive and its command
line is this state folder's emulator and it was created when the file says, so a pid reused
by another process does not count (`status` also asks its health check). Processes are read
through psutil, which works the same on Linux and macOS. A stale PID file
(after `kill -9` or a reboot) is treated as "stopped" and replaced on the next start.

"Created when the file says" survives a step of the wall clock (NTP after a laptop resumes, a
virtual machine whose clock is set after it starts): psutil derives a process's creation time
from the boot time, which moves with the clock on Linux, so the file also records the boot time
read at start, and a creation time that moved exactly as far as the boot time did is the same.

Prerequisites are checked before anything starts: Node.js (for Azurite), the Azurite package
(`npm ci` at the project root), Java (for the Spark labs, unless skipped) and free ports.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import psutil

from lakelab.errors import UserError
from localcloud.state import Paths

PACKAGE_ROOT: Final = Path(__file__).resolve().parent
PROJECT_ROOT: Final = PACKAGE_ROOT.parent
LAUNCHER: Final = PACKAGE_ROOT / "azure" / "azurite_launcher.js"
MIN_NODE: Final = 20

AWS_MARKER: Final = "localcloud.aws.server"
AZURE_MARKER: Final = "azurite_launcher.js"


@dataclass(frozen=True)
class Running:
    pid: int
    port: int
    config: str
    started: float
    # psutil's creation time of the process and its boot time, both read just after it started
    # (None in a PID file written before they were recorded).
    created: float | None = None
    boot: float | None = None


@dataclass(frozen=True)
class Emulator:
    """One supervised emulator process."""

    name: str
    label: str
    pid_file: Path
    log_file: Path
    marker: str

    def running(self) -> Running | None:
        """The live process this PID file names, or None (and the stale file is removed)."""
        info = _read_pid_file(self.pid_file)
        if info is None:
            return None
        if not _is_our_process(info, self.marker, str(self.pid_file.parent)):
            with contextlib.suppress(OSError):
                self.pid_file.unlink()
            return None
        return info

    def start(
        self,
        argv: Sequence[str],
        *,
        port: int,
        config: str,
        env: Mapping[str, str],
    ) -> subprocess.Popen[bytes]:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_file, "ab")  # noqa: SIM115 - handed to the child
        log.write(f"\n--- lakelab: starting {self.label} on 127.0.0.1:{port} ---\n".encode())
        log.flush()
        try:
            proc = subprocess.Popen(
                list(argv),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=dict(env),
                cwd=self.log_file.parent,
                start_new_session=True,
            )
        except OSError as exc:
            raise UserError(f"cannot start the {self.label}: {exc.strerror} ({argv[0]})") from None
        finally:
            log.close()
        _write_pid_file(self.pid_file, _identity(proc.pid, port, config))
        return proc

    def wait_healthy(
        self, proc: subprocess.Popen[bytes], healthy: Callable[[], bool], timeout: float
    ) -> None:
        """Wait for the health check; a process that exits or never answers is an error."""
        deadline = time.monotonic() + timeout
        while True:
            code = proc.poll()
            if code is not None:
                self._forget(proc)
                raise UserError(
                    f"the {self.label} exited during start (exit code {code}): "
                    f"{last_line(self.log_file)} (log: {self.log_file})"
                )
            if healthy():
                return
            if time.monotonic() > deadline:
                self.stop()
                raise UserError(
                    f"the {self.label} did not answer its health check within {timeout:g}s "
                    f"(log: {self.log_file})"
                )
            time.sleep(0.03)

    def _forget(self, proc: subprocess.Popen[bytes]) -> None:
        info = _read_pid_file(self.pid_file)
        if info is not None and info.pid == proc.pid:
            with contextlib.suppress(OSError):
                self.pid_file.unlink()

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop the process (SIGTERM, then SIGKILL). True if one was running."""
        info = self.running()
        if info is None:
            return False
        _terminate(info.pid, timeout)
        with contextlib.suppress(OSError):
            self.pid_file.unlink()
        return True


def aws_emulator(paths: Paths) -> Emulator:
    return Emulator("aws", "AWS emulator (moto)", paths.aws_pid, paths.aws_log, AWS_MARKER)


def azure_emulator(paths: Paths) -> Emulator:
    return Emulator(
        "azure", "Azure emulator (Azurite)", paths.azure_pid, paths.azure_log, AZURE_MARKER
    )


# --- processes -----------------------------------------------------------------------------
def _identity(pid: int, port: int, config: str) -> Running:
    """What the PID file records of a process just started."""
    started = time.time()
    try:
        created: float | None = psutil.Process(pid).create_time()
        boot: float | None = psutil.boot_time()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        created = boot = None  # gone already: wait_healthy reports its exit
    return Running(pid, port, config, started, created, boot)


def _optional(raw: dict[str, object], key: str) -> float | None:
    value = raw.get(key)
    return None if value is None else float(value)  # type: ignore[arg-type]


def _read_pid_file(path: Path) -> Running | None:
    try:
        raw = json.loads(path.read_text())
        return Running(
            int(raw["pid"]),
            int(raw["port"]),
            str(raw["config"]),
            float(raw["started"]),
            _optional(raw, "created"),
            _optional(raw, "boot"),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        # Unreadable: nothing can be trusted about it, so it names no process.
        with contextlib.suppress(OSError):
            path.unlink()
        return None


def _write_pid_file(path: Path, info: Running) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(dataclasses.asdict(info)))
    os.replace(tmp, path)


# How far a process's creation time may lie from the one its PID file records (clocks are read
# at different resolutions; psutil's Linux boot time is a whole second).
CREATE_TIME_SLACK: Final = 2.0


def _process(pid: int) -> psutil.Process | None:
    """The live, non-zombie process with this pid, or None."""
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    return proc


def _is_our_process(info: Running, marker: str, folder: str) -> bool:
    """The pid is alive and is this state folder's emulator: its command line names the
    emulator and the folder, and it was created when the PID file says (a process that
    reused the pid later is not ours)."""
    proc = _process(info.pid)
    if proc is None:
        return False
    try:
        cmdline = " ".join(proc.cmdline())
        created = proc.create_time()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False
    if marker not in cmdline or folder not in cmdline:
        return False
    return _created_as_recorded(info, created)


def _created_as_recorded(info: Running, created: float) -> bool:
    """The process was created when the PID file says, allowing for a step of the wall clock
    since: on Linux psutil's creation time moves with the boot time (both follow the clock); on
    macOS it stays put. A pid reused by a later process differs by the time between the two."""
    if info.created is None or info.boot is None:  # a file from before these were recorded
        return created <= info.started + CREATE_TIME_SLACK
    moved = created - info.created
    clock_step = psutil.boot_time() - info.boot
    return abs(moved) <= CREATE_TIME_SLACK or abs(moved - clock_step) <= CREATE_TIME_SLACK


def _terminate(pid: int, timeout: float) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    # Reap our own child if it is one, so it does not linger as a zombie.
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)
    return _process(pid) is not None


def last_line(path: Path, limit: int = 300) -> str:
    try:
        lines = [
            line.strip() for line in path.read_text(errors="replace").splitlines() if line.strip()
        ]
    except OSError:
        return "no log"
    lines = [line for line in lines if not line.startswith("--- lakelab:")]
    return lines[-1][:limit] if lines else "no output"


# --- checks --------------------------------------------------------------------------------
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


def python_env() -> dict[str, str]:
    """The environment for the AWS emulator: this Python, able to import `localcloud`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_"))}
    path = env.get("PYTHONPATH", "")
    env["PYTHONPATH"] = str(PROJECT_ROOT) + (os.pathsep + path if path else "")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def aws_argv(port: int, data: Path, *, enforce: bool) -> list[str]:
    argv = [sys.executable, "-m", "localcloud.aws.server", "--port", str(port), "--data", str(data)]
    return [*argv, "--enforce"] if enforce else argv


def azure_argv(node: Path, azurite: Path, port: int, location: Path) -> list[str]:
    return [
        str(node),
        str(LAUNCHER),
        str(azurite),
        "--blobHost",
        "127.0.0.1",
        "--blobPort",
        str(port),
        "--location",
        str(location),
        "--skipApiVersionCheck",
        "--loose",
        "--silent",
        "--disableTelemetry",
        "--disableProductStyleUrl",
    ]
