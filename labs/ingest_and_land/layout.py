"""Where the ingest-and-land lab's data goes in the landing layer, and how it is fingerprinted.

Keys are a pure function of the source and the logical extract date (never of the wall clock
or a run id), so a rerun overwrites instead of adding copies:

    landing/store_sales/extract_date=2026-03-31/store_sales_2026-03.csv
    landing/web_orders/extract_date=2026-03-31/page=0001.json ... page=0024.json
    landing/_deadletter/web_orders/extract_date=2026-03-31/page=0016.json   (a page given up on)
    landing/_manifests/ingest_and_land/extract_date=2026-03-31/manifest.json
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

from labs.ingest_and_land.generator import CSV_NAME, EXTRACT_DATE

LAYER = "landing"
CSV_KEY = f"store_sales/extract_date={EXTRACT_DATE}/{CSV_NAME}"
PAGES_PREFIX = f"web_orders/extract_date={EXTRACT_DATE}/"
DEADLETTER_PREFIX = f"_deadletter/web_orders/extract_date={EXTRACT_DATE}/"
CSV_DEADLETTER_KEY = f"_deadletter/store_sales/extract_date={EXTRACT_DATE}/{CSV_NAME}.json"
MANIFEST_KEY = f"_manifests/ingest_and_land/extract_date={EXTRACT_DATE}/manifest.json"
# Everything the lab's pipeline writes; the landing checksum covers the data prefixes.
DATA_PREFIXES = (
    "store_sales/",
    "web_orders/",
    "_deadletter/store_sales/",
    "_deadletter/web_orders/",
)
ALL_PREFIXES = (*DATA_PREFIXES, "_manifests/ingest_and_land/")

_PAGE = re.compile(r"page=(\d{4})\.json$")


def page_key(page: int) -> str:
    return f"{PAGES_PREFIX}page={page:04d}.json"


def deadletter_key(page: int) -> str:
    return f"{DEADLETTER_PREFIX}page={page:04d}.json"


def page_of(key: str) -> int | None:
    match = _PAGE.search(key)
    return int(match.group(1)) if match else None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def landing_checksum(digests: Mapping[str, str]) -> str:
    """One fingerprint for a set of objects: sha256 over sorted `key sha256` lines."""
    lines = "".join(f"{key} {digests[key]}\n" for key in sorted(digests))
    return sha256(lines.encode())
