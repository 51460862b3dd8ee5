"""Reference solution of ingest-and-land: both sources into the landing layer, safely.

What makes it safe:

- **Retries with backoff.** 429 waits as long as `Retry-After` says; 5xx and connection errors
  back off exponentially (0.1 s, 0.2 s, 0.4 s, ... capped, with jitter); other 4xx are not
  retried. After `max_attempts` the request is given up on.
- **Verification.** The CSV is compared with its published sha256; a short download is a
  failed attempt, not a landed file. Every API page must parse and carry the page asked for.
- **Dead letters.** A page given up on is written to `landing/_deadletter/...` with the request,
  the statuses met and the error, so it can be replayed; the run goes on with the other pages.
- **Idempotency.** Keys depend on the source and the logical extract date only. An object is
  written only when its bytes differ from what is there, a dead letter is removed once its page
  lands, and a page landed by an earlier run is kept when this run cannot fetch it. Two runs
  leave the same keys and the same bytes.
- **A manifest.** `landing/_manifests/ingest_and_land/.../manifest.json` records pages, rows,
  attempts, responses, dead letters, a sha256 per object, the landing checksum, and the history
  of runs (so a rerun that changed nothing is visible).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import requests

from labs.ingest_and_land import layout
from labs.ingest_and_land.generator import CSV_NAME
from labs.ingest_and_land.manifest import ApiPages, RunReport, RunState, dead_letter, finish_run
from labs.ingest_and_land.retry import Fetched, RetryPolicy, fetch
from labs.ingest_and_land.sources import Endpoint
from lakelab.lake import Lake

__all__ = ["Fetched", "RetryPolicy", "RunReport", "csv_rows", "fetch", "ingest", "main"]


def csv_rows(data: bytes) -> int:
    """Records, as a CSV parser counts them: notes may hold line breaks, so not `wc -l`."""
    return max(0, sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8")))) - 1)


def _page_validator(page: int) -> Callable[[bytes], str]:
    def check(body: bytes) -> str:
        try:
            doc = json.loads(body)
        except ValueError:
            return "body is not JSON"
        if doc.get("page") != page or not isinstance(doc.get("data"), list):
            return f"body is not page {page}"
        return ""

    return check


def ingest(
    lake: Lake,
    endpoint: Endpoint,
    policy: RetryPolicy | None = None,
    *,
    log: Callable[[str], None] = print,
    workers: int = 6,
) -> RunReport:
    """One pipeline run: fetch, verify, land, dead-letter, write the manifest."""
    policy = policy or RetryPolicy()
    started = datetime.now(UTC)
    session = requests.Session()
    run = RunState({k for prefix in layout.DATA_PREFIXES for k in lake.keys(layout.LAYER, prefix)})
    csv_entry, got_csv = _fetch_csv(session, endpoint, policy, run, log)  # 1. the CSV
    api = _fetch_api(session, endpoint, policy, run, lake, log, workers)  # 2. the API
    changed, stale = _land(lake, run)  # 3. land what changed, drop resolved dead letters
    report = finish_run(  # 4. fingerprint the landing, write the manifest
        lake,
        endpoint,
        run,
        api,
        csv_entry=csv_entry,
        got_csv=got_csv,
        changed=changed,
        stale=stale,
        started=started,
    )
    log(report.summary())
    return report


def _fetch_csv(
    session: requests.Session,
    endpoint: Endpoint,
    policy: RetryPolicy,
    run: RunState,
    log: Callable[[str], None],
) -> tuple[dict[str, Any], Fetched]:
    """The CSV, verified against the published checksum; landed, kept or dead-lettered."""
    sha = fetch(session, endpoint.sha_url, policy)
    expected_sha = sha.body.decode().split()[0] if sha.body else ""

    def verify(body: bytes) -> str:
        if not expected_sha:
            return ""
        found = layout.sha256(body)
        return "" if found == expected_sha else f"sha256 {found[:12]} is not {expected_sha[:12]}"

    got_csv = fetch(session, endpoint.csv_url, policy, validate=verify)
    csv_entry: dict[str, Any] = {
        "url": endpoint.csv_url,
        "key": layout.CSV_KEY,
        "attempts": got_csv.attempts,
        "statuses": got_csv.statuses,
        "published_sha256": expected_sha or None,
    }
    if got_csv.body is not None:
        run.wanted[layout.CSV_KEY] = got_csv.body
        run.resolved.add(layout.CSV_DEADLETTER_KEY)
        csv_entry |= {"rows": csv_rows(got_csv.body), "bytes": len(got_csv.body)}
        log(f"CSV {CSV_NAME}: {csv_entry['rows']:,} rows in {got_csv.attempts} attempt(s)")
    elif layout.CSV_KEY in run.existing:
        log(f"CSV {CSV_NAME}: failed ({got_csv.error}); keeping the copy landed earlier")
        run.resolved.add(layout.CSV_DEADLETTER_KEY)
    else:
        run.wanted[layout.CSV_DEADLETTER_KEY] = dead_letter(
            "store_sales_csv", f"GET /files/{CSV_NAME}", got_csv
        )
        log(f"CSV {CSV_NAME}: dead-lettered ({got_csv.error})")
    return csv_entry, got_csv


def _fetch_api(
    session: requests.Session,
    endpoint: Endpoint,
    policy: RetryPolicy,
    run: RunState,
    lake: Lake,
    log: Callable[[str], None],
    workers: int,
) -> ApiPages:
    """Page 1 says how many pages there are; the rest are fetched in parallel. Each page is
    landed, kept from an earlier run, or dead-lettered."""
    auth = {"Authorization": f"Bearer {endpoint.token}"}

    def get_page(page: int) -> Fetched:
        return fetch(
            session,
            f"{endpoint.api_url}?page={page}",
            policy,
            headers=auth,
            validate=_page_validator(page),
        )

    first = get_page(1)
    if first.body is None:
        raise RuntimeError(f"the orders API did not serve page 1: {first.error}")
    meta = json.loads(first.body)
    total_pages = int(meta["total_pages"])
    with ThreadPoolExecutor(workers) as pool:
        results = [first, *pool.map(get_page, range(2, total_pages + 1))]
    api = ApiPages(total_pages=total_pages, rows_total=int(meta["total"]), results=results)
    for page, got in enumerate(results, start=1):
        api.responses.update(got.statuses)
        key, dl_key = layout.page_key(page), layout.deadletter_key(page)
        entry: dict[str, Any] = {"page": page, "attempts": got.attempts, "statuses": got.statuses}
        body = got.body
        if body is None and key in run.existing:
            log(f"page {page}: failed ({got.error}); keeping the copy landed earlier")
            body = lake.get(layout.LAYER, key)
            entry["kept_from_earlier_run"] = True
        if body is not None:
            data = json.loads(body)["data"]
            api.order_ids += [o["order_id"] for o in data]
            run.wanted[key] = body
            run.resolved.add(dl_key)
            api.pages.append(entry | {"key": key, "rows": len(data), "sha256": layout.sha256(body)})
        else:
            run.wanted[dl_key] = dead_letter(
                "web_orders_api", f"GET /api/v1/orders?page={page}", got, page=page
            )
            api.dead.append(entry | {"deadletter_key": dl_key, "last_status": got.statuses[-1]})
            log(f"page {page}: dead-lettered after {got.attempts} attempt(s): {got.error}")
    return api


def _land(lake: Lake, run: RunState) -> tuple[list[bool], list[str]]:
    """Write what changed (True per object written), then delete resolved dead letters."""

    def land(item: tuple[str, bytes]) -> bool:
        key, data = item
        if key in run.existing and lake.get(layout.LAYER, key) == data:
            return False
        lake.put(layout.LAYER, key, data)
        return True

    with ThreadPoolExecutor(8) as pool:
        changed = list(pool.map(land, run.wanted.items()))
    stale = sorted(k for k in run.existing if k in run.resolved and k not in run.wanted)
    lake.delete(layout.LAYER, stale)
    return changed, stale


def main(argv: list[str] | None = None) -> None:
    """One run of the reference pipeline against sources served in this process:
    `python -m labs.ingest_and_land.solution --stack demo-alice-aws [--recovered]`."""
    import argparse

    from labs.ingest_and_land.generator import api_token, generate
    from labs.ingest_and_land.sources import SourceServer, default_seed
    from lakelab.lake import lake_for

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--stack", required=True)
    parser.add_argument("--recovered", action="store_true", help="after the maintenance window")
    args = parser.parse_args(argv)
    seed = default_seed()
    server = SourceServer(generate(seed), api_token(seed, args.stack), recovered=args.recovered)
    with server as endpoint:
        ingest(lake_for(args.stack), endpoint)


if __name__ == "__main__":
    main()
