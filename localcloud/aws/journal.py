"""The AWS emulator's write journal: how the twin's AWS side survives restarts and `kill -9`.

moto keeps everything in memory. The twin's AWS server (`localcloud.aws.server`) appends every
request that changed something and succeeded to `journal.jsonl` before it answers the client,
and replays the journal into a fresh moto on start. One JSON object per line:

    {"seed": 1234, "method": "PUT", "uri": "/bucket/key?x=1", "headers": {...},
     "body": "<base64>" | null, "body_ref": "<sha256>" | null, "refs": ["bucket"]}

- `seed` re-seeds moto's random source before the request runs, so everything moto makes up
  (access keys, object version ids, upload ids, query ids) comes out the same on replay.
- Bodies over `INLINE_LIMIT` bytes are stored once under `bodies/<sha256>`, written before
  the line that names them.
- `refs` are the resource names the request touched (bucket, database, workgroup, user).
  `forget(names)` drops every entry that touched one of them, which is how removing a learner
  leaves none of their data in the journal either.

A line cut short by a crash is the last line and is skipped on replay.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

INLINE_LIMIT: Final = 2048


@dataclass
class Entry:
    seed: int
    method: str
    uri: str
    headers: dict[str, str]
    body: bytes
    refs: list[str] = field(default_factory=list)


class Journal:
    """Append-only, crash-safe log of the writes the AWS emulator accepted."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.bodies = path.parent / "bodies"
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - kept open

    def close(self) -> None:
        with self._lock:
            self._fh.close()

    def append(self, entry: Entry) -> None:
        record: dict[str, Any] = {
            "seed": entry.seed,
            "method": entry.method,
            "uri": entry.uri,
            "headers": entry.headers,
            "body": None,
            "body_ref": None,
            "refs": sorted(set(entry.refs)),
        }
        if len(entry.body) > INLINE_LIMIT:
            record["body_ref"] = self._store_body(entry.body)
        elif entry.body:
            record["body"] = base64.b64encode(entry.body).decode("ascii")
        line = json.dumps(record, separators=(",", ":")) + "\n"
        with self._lock:
            self._fh.write(line)
            self._fh.flush()

    def _store_body(self, body: bytes) -> str:
        digest = hashlib.sha256(body).hexdigest()
        target = self.bodies / digest
        if not target.exists():
            self.bodies.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.bodies, prefix=".body.")
            with os.fdopen(fd, "wb") as fh:
                fh.write(body)
            os.replace(tmp, target)
        return digest

    def entries(self) -> Iterator[Entry]:
        """Every complete entry, oldest first. Unreadable lines are skipped."""
        for record in self._records():
            body = b""
            if record.get("body_ref"):
                try:
                    body = (self.bodies / str(record["body_ref"])).read_bytes()
                except OSError:
                    continue
            elif record.get("body"):
                body = base64.b64decode(record["body"])
            yield Entry(
                seed=int(record["seed"]),
                method=str(record["method"]),
                uri=str(record["uri"]),
                headers={str(k): str(v) for k, v in record["headers"].items()},
                body=body,
                refs=[str(r) for r in record.get("refs", [])],
            )

    def _records(self) -> Iterator[dict[str, Any]]:
        with self._lock:
            self._fh.flush()
        try:
            fh = open(self.path, encoding="utf-8")  # noqa: SIM115 - closed below
        except FileNotFoundError:
            return
        with fh:
            for line in fh:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(record, dict) and {"seed", "method", "uri", "headers"} <= set(record):
                    yield record

    def forget(self, names: Iterable[str]) -> int:
        """Drop every entry that touched one of `names`; returns how many were dropped."""
        drop = set(names)
        with self._lock:
            self._fh.flush()
            kept: list[str] = []
            dropped = 0
            with open(self.path, encoding="utf-8") as fh:
                for line in fh:
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError:
                        continue
                    if drop & set(record.get("refs", [])):
                        dropped += 1
                    else:
                        kept.append(line if line.endswith("\n") else line + "\n")
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".journal.")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.writelines(kept)
            os.replace(tmp, self.path)
            self._fh.close()
            self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - kept open
            referenced = {json.loads(line).get("body_ref") for line in kept}
        self._drop_bodies(referenced)
        return dropped

    def _drop_bodies(self, referenced: set[Any]) -> None:
        if not self.bodies.is_dir():
            return
        for path in self.bodies.iterdir():
            if path.name not in referenced:
                with contextlib.suppress(OSError):
                    path.unlink()
