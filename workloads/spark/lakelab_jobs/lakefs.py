"""File operations on any lake URI (file://, s3://, abfss://) through Spark's own Hadoop
FileSystem, so the job needs no cloud SDK and uses the credentials the platform gave Spark.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def to_uri(location: str | Path) -> str:
    """A URI for `location`; plain local paths become absolute `file://` URIs."""
    text = str(location)
    if urlparse(text).scheme in ("", "file") and not text.startswith("file:"):
        return Path(text).resolve().as_uri()
    return text


def join(base: str, *parts: str) -> str:
    """`base/part/...` without doubled slashes."""
    return "/".join([base.rstrip("/"), *(p.strip("/") for p in parts)])


class LakeFS:
    """Small, explicit subset of Hadoop FileSystem."""

    def __init__(self, spark: SparkSession) -> None:
        self._jvm: Any = spark.sparkContext._jvm
        self._conf: Any = spark.sparkContext._jsc.hadoopConfiguration()

    def _resolve(self, uri: str) -> tuple[Any, Any]:
        path = self._jvm.org.apache.hadoop.fs.Path(uri)
        return path.getFileSystem(self._conf), path

    def exists(self, uri: str) -> bool:
        fs, path = self._resolve(uri)
        return bool(fs.exists(path))

    def list_files(self, uri: str) -> list[str]:
        """Names of the files directly in `uri`, sorted; hidden (`_`, `.`) names left out."""
        fs, path = self._resolve(uri)
        if not fs.exists(path):
            return []
        names = (s.getPath().getName() for s in fs.listStatus(path) if s.isFile())
        return sorted(n for n in names if not n.startswith(("_", ".")))

    def dirs_with_files(self, uri: str) -> list[str]:
        """Names of the sub-directories of `uri` that hold at least one visible file at any
        depth, sorted. One recursive listing (a flat listing on object stores); an empty
        folder left behind by a deleted or failed write does not count."""
        fs, path = self._resolve(uri)
        if not fs.exists(path):
            return []
        base = path.toUri().getPath().rstrip("/") + "/"
        found: set[str] = set()
        files = fs.listFiles(path, True)
        while files.hasNext():
            relative = files.next().getPath().toUri().getPath().removeprefix(base)
            parts = relative.split("/")
            if len(parts) > 1 and not parts[-1].startswith(("_", ".")):
                found.add(parts[0])
        return sorted(found)

    def read_text(self, uri: str) -> str | None:
        fs, path = self._resolve(uri)
        if not fs.exists(path):
            return None
        stream = fs.open(path)
        try:
            return bytes(stream.readAllBytes()).decode("utf-8")
        finally:
            stream.close()

    def read_head(self, uri: str, limit: int = 65_536) -> bytes:
        """Up to `limit` first bytes of a file (a header line, without reading the rest)."""
        fs, path = self._resolve(uri)
        stream = fs.open(path)
        try:
            return bytes(stream.readNBytes(limit))
        finally:
            stream.close()

    def write_text(self, uri: str, text: str) -> None:
        fs, path = self._resolve(uri)
        stream = fs.create(path, True)
        try:
            stream.write(bytearray(text.encode("utf-8")))
        finally:
            stream.close()

    def delete(self, uri: str) -> None:
        fs, path = self._resolve(uri)
        if fs.exists(path):
            fs.delete(path, True)

    def move(self, source: str, target: str) -> None:
        """Rename `source` to `target`, replacing whatever `target` held."""
        fs, src = self._resolve(source)
        _, dst = self._resolve(target)
        if fs.exists(dst):
            fs.delete(dst, True)
        parent = dst.getParent()
        if parent is not None and not fs.exists(parent):
            fs.mkdirs(parent)
        if not fs.rename(src, dst):
            raise OSError(f"could not move {source} to {target}")
