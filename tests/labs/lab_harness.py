"""Helpers for the lab tests: run `lakelab` in-process, read a lab's grade."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from typer.testing import CliRunner, Result

from lakelab.app.main import app

ALICE = ("demo-alice-aws", "demo-alice-azure")
BOB = ("demo-bob-aws", "demo-bob-azure")


def lakelab(*args: str) -> Result:
    """`lakelab <args>` in this process; exceptions other than exits are re-raised."""
    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def check_json(lab: str, stack: str) -> tuple[int, dict[str, Any]]:
    """`lakelab lab check --json`: (exit code, document)."""
    result = lakelab("lab", "check", lab, "--stack", stack, "--json")
    return result.exit_code, json.loads(result.stdout)


def failing(doc: dict[str, Any]) -> list[str]:
    return [c["id"] for c in doc["criteria"] if not c["passed"]]


def reset(lab: str, stack: str) -> None:
    result = lakelab("lab", "reset", lab, "--stack", stack, "--yes")
    assert result.exit_code == 0, result.output


class MemoryLake:
    """A lake in a dict, for tests of a lab's logic that need no emulator."""

    def __init__(self, stack: str = "test-memory", cloud: str = "aws") -> None:
        self.stack, self.cloud = stack, cloud
        self.objects: dict[tuple[str, str], bytes] = {}

    def location(self, layer: str) -> str:
        return f"mem-{layer}"

    def uri(self, layer: str, key: str = "") -> str:
        return f"mem://{layer}/{key}"

    def put(self, layer: str, key: str, data: bytes) -> None:
        self.objects[(layer, key)] = bytes(data)

    def get(self, layer: str, key: str) -> bytes:
        return self.objects[(layer, key)]

    def keys(self, layer: str, prefix: str = "") -> list[str]:
        return sorted(k for (lay, k) in self.objects if lay == layer and k.startswith(prefix))

    def delete(self, layer: str, keys: list[str]) -> None:
        for key in keys:
            self.objects.pop((layer, key), None)

    def versions(self, layer: str) -> dict[str, str]:
        """key -> a token that changes with the object's bytes, as an ETag does."""
        return {
            k: hashlib.md5(data).hexdigest()
            for (lay, k), data in self.objects.items()
            if lay == layer
        }


def memory_context(tmp_path: Any, lab: str = "lab") -> Any:
    """A LabContext over a MemoryLake (no blueprint: the labs here do not read it)."""
    from lakelab.labs.framework import LabContext

    work = tmp_path / lab
    work.mkdir(parents=True, exist_ok=True)
    return LabContext(
        stack="test-memory", blueprint=None, lake=MemoryLake(), work_dir=work, log=lambda _: None
    )  # type: ignore[arg-type]
