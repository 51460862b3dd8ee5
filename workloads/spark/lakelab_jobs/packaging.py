"""The package as a zip for Glue `--extra-py-files` and Synapse `pyFiles`.

The archive's bytes depend only on the sources: entries are sorted, carry a fixed
timestamp and fixed permissions, and caches are left out. Building twice gives the same
file, so an unchanged package never looks changed to the deployment.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Final

PACKAGE_DIR: Final = Path(__file__).resolve().parent
ENTRYPOINTS_DIR: Final = PACKAGE_DIR.parent / "entrypoints"
ZIP_NAME: Final = f"{PACKAGE_DIR.name}.zip"
# The earliest time a zip entry can carry (1980-01-01).
FIXED_TIME: Final = (1980, 1, 1, 0, 0, 0)
_SKIP: Final = {"__pycache__"}


def package_files() -> list[Path]:
    """The package's source files, sorted."""
    return sorted(
        p
        for p in PACKAGE_DIR.rglob("*")
        if p.is_file() and not _SKIP & set(p.parts) and p.suffix not in (".pyc", ".pyo")
    )


def build_zip(dest: Path) -> Path:
    """Write `lakelab_jobs.zip` into the folder `dest` (or to `dest` if it ends in .zip)."""
    target = dest if dest.suffix == ".zip" else dest / ZIP_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in package_files():
            name = path.relative_to(PACKAGE_DIR.parent).as_posix()
            entry = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, path.read_bytes(), compresslevel=9)
    return target


def entrypoint(target: str) -> Path:
    """The entry script for `glue`, `synapse` or `local`."""
    path = ENTRYPOINTS_DIR / f"{target}_job.py"
    if not path.is_file():
        raise ValueError(f"no entry point for {target!r}; expected {path}")
    return path
