"""The AWS emulator's write journal: how the twin's AWS side survives restarts and `kill -9`.

moto keeps everything in memory. The twin's AWS server (`localcloud.aws.server`) appends every
request that changed something and succeeded to `journal.jsonl` before it answers the client,
and replays the journal into a fresh moto on start. One JSON object per line:

    {"seed": 1234, "method": "PUT", "uri": "/bucket/key?x=1", "headers": {...},
     "body": "<base64>" | null, "body_ref": "<sha256>" | null, "refs": ["bucket"],
     "result": {"upload_id": "..."}}

- `seed` re-seeds moto's random source before the request runs, so everything moto makes up
  (access keys, object version ids, upload ids, query ids) comes out the same on replay.
- Bodies over `INLINE_LIMIT` bytes are stored once under `bodies/<sha256>`, written before
  the line that names them.
- `refs` are the resource names the request touched (bucket, database, workgroup, user).
  `forget(names)` drops every entry that touched one of them, which is how removing a learner
  leaves none of their data in the journal either.
- `result` keeps what later entries refer to but only the response said (a multipart upload
  id), for `compact`.

A line cut short by a crash can only be the last one; it was never acknowledged, and it is
cut off when the journal is opened again.

`compact()` drops writes that nothing can observe any more: in a bucket that was never
versioned, an object write (put, copy, completed multipart upload with its parts, delete) is
superseded by a later write or delete of the same key, unless something read that object in
between (a copy from it) or changed one of its sub-resources (tags, ACL). Aborted multipart
uploads are dropped with their parts. Versioned buckets keep every write, as S3 keeps every
version.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import tempfile
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qs, unquote

INLINE_LIMIT: Final = 2048
_REQUIRED: Final = frozenset({"seed", "method", "uri", "headers"})


@dataclass
class Entry:
    seed: int
    method: str
    uri: str
    headers: dict[str, str]
    body: bytes
    refs: list[str] = field(default_factory=list)
    result: dict[str, str] = field(default_factory=dict)


class Journal:
    """Append-only, crash-safe log of the writes the AWS emulator accepted."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.bodies = path.parent / "bodies"
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _cut_partial_line(self.path)
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
        if entry.result:
            record["result"] = entry.result
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

    def _body_of(self, record: dict[str, Any]) -> bytes | None:
        if record.get("body_ref"):
            try:
                return (self.bodies / str(record["body_ref"])).read_bytes()
            except OSError:
                return None
        if record.get("body"):
            return base64.b64decode(record["body"])
        return b""

    def entries(self) -> Iterator[Entry]:
        """Every complete entry, oldest first. Unreadable lines are skipped."""
        with self._lock:
            self._fh.flush()
            records = [r for _, r in _read(self.path) if r is not None]
        for record in records:
            body = self._body_of(record)
            if body is None:
                continue
            yield Entry(
                seed=int(record["seed"]),
                method=str(record["method"]),
                uri=str(record["uri"]),
                headers={str(k): str(v) for k, v in record["headers"].items()},
                body=body,
                refs=[str(r) for r in record.get("refs", [])],
                result={str(k): str(v) for k, v in (record.get("result") or {}).items()},
            )

    def forget(self, names: Iterable[str]) -> int:
        """Drop every entry that touched one of `names`; returns how many were dropped."""
        drop = set(names)
        return self._rewrite(
            lambda records: {i for i, r in enumerate(records) if drop & set(r.get("refs", []))}
        )

    def compact(self) -> int:
        """Drop superseded object writes (see the module docstring); returns how many."""
        return self._rewrite(lambda records: superseded(records, self._body_of))

    def _rewrite(self, choose: Callable[[list[dict[str, Any]]], set[int]]) -> int:
        with self._lock:
            self._fh.flush()
            lines = [(line, r) for line, r in _read(self.path) if r is not None]
            doomed = choose([r for _, r in lines])
            if not doomed:
                return 0
            kept = [(line, r) for i, (line, r) in enumerate(lines) if i not in doomed]
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".journal.")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.writelines(line for line, _ in kept)
            os.replace(tmp, self.path)
            self._fh.close()
            self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - kept open
            referenced = {r.get("body_ref") for _, r in kept}
        self._drop_bodies(referenced)
        return len(doomed)

    def _drop_bodies(self, referenced: set[Any]) -> None:
        if not self.bodies.is_dir():
            return
        for path in self.bodies.iterdir():
            if path.name not in referenced:
                with contextlib.suppress(OSError):
                    path.unlink()


def _cut_partial_line(path: Path) -> None:
    """A crash during a write leaves a last line without its newline: cut it off, so the
    next entry starts on a line of its own."""
    try:
        with open(path, "rb+") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            if size == 0:
                return
            fh.seek(size - 1)
            if fh.read(1) == b"\n":
                return
            fh.seek(0)
            data = fh.read()
            fh.truncate(data.rfind(b"\n") + 1)
    except FileNotFoundError:
        return


def _read(path: Path) -> Iterator[tuple[str, dict[str, Any] | None]]:
    try:
        fh = open(path, encoding="utf-8")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return
    with fh:
        for line in fh:
            if not line.endswith("\n"):
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                yield line, None
                continue
            ok = isinstance(record, dict) and set(record) >= _REQUIRED
            yield line, record if ok else None


# --- compaction ----------------------------------------------------------------------------
def _s3_request(
    record: dict[str, Any],
) -> tuple[str, str, dict[str, list[str]], dict[str, str]] | None:
    """(bucket, key, query, headers) of an S3 request; None for other services."""
    headers = {str(k).lower(): str(v) for k, v in record["headers"].items()}
    if "x-amz-target" in headers:
        return None
    auth = headers.get("authorization", "")
    scope = (
        auth.split("Credential=", 1)[1].split(",", 1)[0].split("/") if "Credential=" in auth else []
    )
    if len(scope) < 4 or scope[3] != "s3":
        return None
    path, _, query = str(record["uri"]).partition("?")
    bucket, _, key = path.lstrip("/").partition("/")
    params = parse_qs(query, keep_blank_values=True)
    params.pop("x-id", None)  # names the operation only
    return unquote(bucket), unquote(key), params, headers


def _copy_source(headers: dict[str, str]) -> tuple[str, str] | None:
    source = headers.get("x-amz-copy-source")
    if not source:
        return None
    bucket, _, key = unquote(source).lstrip("/").split("?", 1)[0].partition("/")
    return bucket, key


def deleted_keys(body: bytes | None) -> list[tuple[str, bool]] | None:
    """(key, names a version) for each object of a DeleteObjects body; None if unreadable."""
    if not body:
        return None
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    found = []
    for obj in root.iter():
        if obj.tag.rsplit("}", 1)[-1] != "Object":
            continue
        key = version = None
        for child in obj:
            name = child.tag.rsplit("}", 1)[-1]
            if name == "Key":
                key = child.text or ""
            elif name == "VersionId":
                version = child.text
        if key is not None:
            found.append((key, version is not None))
    return found


class _Superseded:
    """What compaction may drop, entry by entry: an object's earlier writes once a later write
    or delete replaces it, unless something else still needs them (pinned: a copy's source,
    a version-specific delete, a sub-resource), and the parts of an aborted upload."""

    def __init__(self) -> None:
        self.current: dict[tuple[str, str], list[int]] = {}
        self.pinned: set[tuple[str, str]] = set()
        self.uploads: dict[str, list[int]] = {}
        self.drop: set[int] = set()

    def write(self, target: tuple[str, str], group: list[int]) -> None:
        previous = self.current.get(target)
        if previous is not None and target not in self.pinned:
            self.drop.update(previous)
        self.current[target] = group
        self.pinned.discard(target)

    def batch_delete(self, bucket: str, body: bytes | None) -> None:
        keys = deleted_keys(body)
        if keys is None:  # unreadable: keep everything the bucket holds
            self.pinned.update(t for t in self.current if t[0] == bucket)
            return
        for name, by_version in keys:
            if by_version:
                self.pinned.add((bucket, name))
            else:
                self.write((bucket, name), [])

    def upload_step(self, i: int, method: str, target: tuple[str, str], upload_id: str) -> None:
        group = self.uploads.get(upload_id)
        if group is None:
            return
        group.append(i)
        if method == "POST":  # completed: the parts are the object now
            del self.uploads[upload_id]
            self.write(target, group)
        elif method == "DELETE":  # aborted: nothing of it remains
            del self.uploads[upload_id]
            self.drop.update(group)


def superseded(
    records: list[dict[str, Any]], body_of: Callable[[dict[str, Any]], bytes | None]
) -> set[int]:
    """Indices of the entries `Journal.compact` may drop."""
    parsed = [_s3_request(r) for r in records]
    versioned = {p[0] for p in parsed if p and not p[1] and "versioning" in p[2]}
    state = _Superseded()
    for i, (record, request) in enumerate(zip(records, parsed, strict=True)):
        if request is None:
            continue
        bucket, key, query, headers = request
        source = _copy_source(headers)
        if source is not None:
            state.pinned.add(source)
        if bucket in versioned:
            continue
        method = str(record["method"])
        if not key:
            if method == "POST" and "delete" in query:
                state.batch_delete(bucket, body_of(record))
            continue
        target = (bucket, key)
        if method == "POST" and "uploads" in query:
            upload_id = (record.get("result") or {}).get("upload_id")
            if upload_id:
                state.uploads[str(upload_id)] = [i]
        elif "uploadId" in query:
            state.upload_step(i, method, target, query["uploadId"][0])
        elif query:  # a sub-resource of the object (tags, ACL, ...): keep what it applies to
            state.pinned.add(target)
        elif method in ("PUT", "DELETE"):
            state.write(target, [i])
    return state.drop
