"""Process supervision: a PID file counts only for the live process it was written for.

Real processes (a sleeping Python whose command line carries the emulator's marker and the
state folder, as the emulators' do); nothing is faked.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from localcloud.emulators import AWS_MARKER, Emulator


@pytest.fixture
def sleeper(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", AWS_MARKER, str(tmp_path)]
    )
    yield proc
    proc.kill()
    proc.wait()


def _emulator(folder: Path) -> Emulator:
    return Emulator(
        "aws", "AWS emulator (moto)", folder / "aws.pid", folder / "aws.log", AWS_MARKER
    )


def _pid_file(emu: Emulator, pid: int, started: float, **recorded: float) -> None:
    emu.pid_file.write_text(
        json.dumps({"pid": pid, "port": 4566, "config": "aws", "started": started, **recorded})
    )


def test_a_pid_file_names_its_live_process(tmp_path: Path, sleeper: subprocess.Popen[bytes]):
    emu = _emulator(tmp_path)
    _pid_file(emu, sleeper.pid, time.time())
    info = emu.running()
    assert info is not None
    assert (info.pid, info.port, info.config) == (sleeper.pid, 4566, "aws")


def test_a_process_created_after_the_pid_file_is_not_ours(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
):
    """A pid reused by a later process (same command line, by bad luck) does not count: the
    PID file (written before creation times were recorded) says it was written an hour before
    that process existed."""
    emu = _emulator(tmp_path)
    _pid_file(emu, sleeper.pid, time.time() - 3600)
    assert emu.running() is None
    assert not emu.pid_file.exists()


def test_start_records_the_creation_and_boot_times(tmp_path: Path) -> None:
    emu = _emulator(tmp_path)
    argv = [sys.executable, "-c", "import time; time.sleep(60)", AWS_MARKER, str(tmp_path)]
    proc = emu.start(argv, port=4566, config="aws", env={})
    try:
        recorded = json.loads(emu.pid_file.read_text())
        assert recorded["pid"] == proc.pid
        assert recorded["created"] == psutil.Process(proc.pid).create_time()
        assert recorded["boot"] == psutil.boot_time()
        assert emu.running() is not None
    finally:
        proc.kill()
        proc.wait()


def test_a_step_of_the_wall_clock_keeps_the_process_ours(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
):
    """The clock was set an hour ahead after the emulator started (a virtual machine's clock
    set after it boots, NTP after a laptop resumes): psutil's creation time and boot time both
    moved by that hour, so the process is still the one the file names."""
    emu = _emulator(tmp_path)
    created = psutil.Process(sleeper.pid).create_time()
    hour = 3600.0
    _pid_file(
        emu,
        sleeper.pid,
        time.time() - hour,
        created=created - hour,
        boot=psutil.boot_time() - hour,
    )
    assert emu.running() is not None


def test_a_later_process_with_the_same_pid_is_not_ours_whatever_the_clock(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
):
    """The file's process was created an hour before this one and the clock did not move."""
    emu = _emulator(tmp_path)
    created = psutil.Process(sleeper.pid).create_time()
    _pid_file(emu, sleeper.pid, time.time() - 3600, created=created - 3600, boot=psutil.boot_time())
    assert emu.running() is None
    assert not emu.pid_file.exists()


def test_a_process_of_another_state_folder_is_not_ours(
    tmp_path: Path, sleeper: subprocess.Popen[bytes]
):
    other = tmp_path / "other"
    other.mkdir()
    emu = _emulator(other)
    _pid_file(emu, sleeper.pid, time.time())
    assert emu.running() is None


def test_a_dead_process_is_not_running(tmp_path: Path):
    proc = subprocess.Popen([sys.executable, "-c", "pass", AWS_MARKER, str(tmp_path)])
    proc.wait()
    emu = _emulator(tmp_path)
    _pid_file(emu, proc.pid, time.time())
    assert emu.running() is None
    assert not emu.pid_file.exists()


def test_stop_ends_the_process(tmp_path: Path, sleeper: subprocess.Popen[bytes]):
    emu = _emulator(tmp_path)
    _pid_file(emu, sleeper.pid, time.time())
    assert emu.stop(timeout=5) is True
    # stop() reaps its own child, so the exit status is gone; the process itself must be.
    sleeper.wait(timeout=5)
    assert not psutil.pid_exists(sleeper.pid)
    assert not emu.pid_file.exists()
    assert emu.stop() is False
