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

Prerequisites (Node.js, the Azurite package, Java, free ports) are checked before anything
starts, by `localcloud.prerequisites`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import psutil

from lakelab.errors import UserError
from localcloud.prerequisites import PROJECT_ROOT
from localcloud.state import Paths

LAUNCHER: Final = Path(__file__).resolve().parent / "azure" / "azurite_launcher.js"

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


def _optional(raw: dict[str, Any], key: str) -> float | None:
    value = raw.get(key)
    return None if value is None else float(value)


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
