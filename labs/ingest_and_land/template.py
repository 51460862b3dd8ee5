"""Your pipeline for ingest-and-land: a working skeleton with the reliability parts left to you.

    # terminal 1: the sources (prints the URLs and your token)
    python -m labs.ingest_and_land.sources --stack demo-alice-aws
    # terminal 2: paste the three `export SHOP_...` lines it printed, then
    python -m labs.ingest_and_land.template --stack demo-alice-aws
    lakelab lab check ingest-and-land --stack demo-alice-aws

As given, it lands what it gets on the first try and writes a thin manifest: several checks
fail. Work through the TODOs (guide.md, "Steps") until `lab check` passes; run it twice.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

import requests

from labs.ingest_and_land import layout
from lakelab.lake import Lake, current_lake, lake_for


def get(session: requests.Session, url: str, headers: dict[str, str]) -> requests.Response:
    """One GET. TODO (L1): retry 429 (wait `Retry-After` seconds) and 5xx / connection errors
    (exponential backoff: 0.1 s, 0.2 s, 0.4 s ... with jitter), at most 5 attempts; do not retry
    other 4xx. Count every response's status for the manifest."""
    return session.get(url, headers=headers, timeout=10)


def land(lake: Lake, key: str, data: bytes) -> bool:
    """Write one object. TODO (L1): skip the write when the object already holds these bytes,
    so a rerun writes nothing; return whether it wrote."""
    lake.put(layout.LAYER, key, data)
    return True


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", help="the learner's stack (default: the shell's profile)")
    args = parser.parse_args(argv)
    lake = lake_for(args.stack) if args.stack else current_lake()
    try:
        files, api, token = (
            os.environ[v] for v in ("SHOP_FILES_URL", "SHOP_API_URL", "SHOP_API_TOKEN")
        )
    except KeyError:
        sys.exit("set SHOP_FILES_URL, SHOP_API_URL and SHOP_API_TOKEN (the sources print them)")
    session = requests.Session()
    auth = {"Authorization": f"Bearer {token}"}

    # 1. The CSV. TODO (L1): compare its sha256 with `<file>.sha256` and retry when they differ
    #    (the file server sometimes stops short with a 200).
    csv_body = get(session, f"{files}/store_sales_2026-03.csv", {}).content
    land(lake, layout.CSV_KEY, csv_body)

    # 2. The API, page by page. TODO (L1): a page that still fails after the retries goes to
    #    layout.deadletter_key(page) as JSON (request, statuses, last_status, error), and the
    #    run carries on with the next page.
    first = get(session, f"{api}?page=1", auth).json()
    pages: list[dict[str, Any]] = []
    for page in range(1, first["total_pages"] + 1):
        response = get(session, f"{api}?page={page}", auth)
        if response.status_code == 200:
            land(lake, layout.page_key(page), response.content)
            rows = len(response.json()["data"])
            pages.append({"page": page, "rows": rows, "sha256": layout.sha256(response.content)})

    # 3. The manifest. TODO (L1): the fields graded by `lab check` (guide.md, "The manifest"):
    #    counts, responses (by status), retries, duplicate_order_ids, dead_letters, objects,
    #    landing_checksum and the history of runs.
    manifest = {
        "pipeline": "ingest-and-land",
        "sources": {
            "store_sales_csv": {"key": layout.CSV_KEY, "bytes": len(csv_body)},
            "web_orders_api": {"pages_total": first["total_pages"], "pages": pages},
        },
    }
    lake.put(layout.LAYER, layout.MANIFEST_KEY, json.dumps(manifest, indent=2).encode())
    print(f"landed the CSV and {len(pages)} of {first['total_pages']} pages")


if __name__ == "__main__":
    main()
