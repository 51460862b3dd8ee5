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
import random
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

from labs.ingest_and_land import layout
from labs.ingest_and_land.generator import CSV_NAME, EXTRACT_DATE
from labs.ingest_and_land.sources import Endpoint
from lakelab.lake import Lake

RETRYABLE = frozenset({429, 500, 502, 503, 504})
MAX_RUNS_KEPT = 20


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay: float = 0.1
    max_delay: float = 2.0
    max_retry_after: float = 30.0  # a longer Retry-After is not waited for: give up now
    timeout: float = 10.0

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with 'equal jitter': half fixed, half random."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


@dataclass
class Fetched:
    url: str
    body: bytes | None = None
    statuses: list[int] = field(default_factory=list)  # 0 = no response (connection error)
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.body is not None

    @property
    def attempts(self) -> int:
        return len(self.statuses)


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: treat like no hint


def fetch(
    session: requests.Session,
    url: str,
    policy: RetryPolicy,
    *,
    headers: dict[str, str] | None = None,
    validate: Callable[[bytes], str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Fetched:
    """GET with retries. `validate` returns an error message for a bad 200 body (retried)."""
    result = Fetched(url)
    for attempt in range(1, policy.max_attempts + 1):
        wait: float | None = None
        try:
            response = session.get(url, headers=headers, timeout=policy.timeout)
        except requests.RequestException as exc:
            result.statuses.append(0)
            result.error = f"{type(exc).__name__}: {exc}"
        else:
            result.statuses.append(response.status_code)
            if response.status_code == 200:
                problem = validate(response.content) if validate else ""
                if not problem:
                    result.body, result.error = response.content, ""
                    return result
                result.error = problem
            elif response.status_code in RETRYABLE:
                result.error = _error_text(response)
                wait = _retry_after(response)
                if wait is not None and wait > policy.max_retry_after:
                    return result  # e.g. "come back in two hours": dead-letter now
            else:
                result.error = _error_text(response)
                return result  # 4xx: retrying will not help
        if attempt < policy.max_attempts:
            sleep(wait if wait is not None else policy.backoff(attempt))
    return result


def _error_text(response: requests.Response) -> str:
    try:
        doc = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(doc, dict) and "error" in doc:
        extra = f" ({doc['window']})" if "window" in doc else ""
        return f"HTTP {response.status_code}: {doc['error']}{extra}"
    return f"HTTP {response.status_code}"


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


@dataclass
class RunReport:
    run: int
    written: int
    unchanged: int
    deleted: int
    landing_checksum: str
    pages_landed: int
    pages_dead_lettered: int
    rows_landed: int
    csv_rows: int

    def summary(self) -> str:
        return (
            f"run {self.run}: CSV {self.csv_rows:,} rows, {self.pages_landed} pages"
            f" ({self.rows_landed:,} orders) landed, {self.pages_dead_lettered} dead-lettered;"
            f" wrote {self.written}, unchanged {self.unchanged}, removed {self.deleted};"
            f" landing checksum {self.landing_checksum[:12]}"
        )


def _dead_letter(source: str, request: str, fetched: Fetched, **extra: Any) -> bytes:
    doc = {
        "source": source,
        "request": request,
        "extract_date": EXTRACT_DATE,
        "attempts": fetched.attempts,
        "statuses": fetched.statuses,
        "last_status": fetched.statuses[-1] if fetched.statuses else None,
        "error": fetched.error,
        **extra,
    }
    return json.dumps(doc, indent=2, sort_keys=True).encode() + b"\n"


@dataclass
class _Run:
    """What one run builds up: the objects it wants in landing, the dead letters its
    successes resolve, and what was there before it started."""

    existing: set[str]
    wanted: dict[str, bytes] = field(default_factory=dict)  # key -> bytes for landing
    resolved: set[str] = field(default_factory=set)  # dead letters this run made obsolete


@dataclass
class _Api:
    """What the orders API served this run, page by page."""

    total_pages: int
    rows_total: int
    results: list[Fetched]
    pages: list[dict[str, Any]] = field(default_factory=list)
    dead: list[dict[str, Any]] = field(default_factory=list)
    responses: Counter[int] = field(default_factory=Counter)
    order_ids: list[str] = field(default_factory=list)


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
    run = _Run({k for prefix in layout.DATA_PREFIXES for k in lake.keys(layout.LAYER, prefix)})
    csv_entry, got_csv = _fetch_csv(session, endpoint, policy, run, log)  # 1. the CSV
    api = _fetch_api(session, endpoint, policy, run, lake, log, workers)  # 2. the API
    changed, stale = _land(lake, run)  # 3. land what changed, drop resolved dead letters
    # 4. Fingerprint the landing as it is now, and write the manifest.
    digests = {k: layout.sha256(v) for k, v in run.wanted.items()}
    for prefix in layout.DATA_PREFIXES:
        for key in lake.keys(layout.LAYER, prefix):
            if key not in digests:
                digests[key] = layout.sha256(lake.get(layout.LAYER, key))
    checksum = layout.landing_checksum(digests)
    written = sum(changed)
    previous = _previous_runs(lake)
    run_no = (previous[-1]["run"] + 1) if previous else 1
    report = RunReport(
        run=run_no,
        written=written,
        unchanged=len(changed) - written,
        deleted=len(stale),
        landing_checksum=checksum,
        pages_landed=len(api.pages),
        pages_dead_lettered=len(api.dead),
        rows_landed=sum(p["rows"] for p in api.pages),
        csv_rows=int(csv_entry.get("rows", 0)),
    )
    run_entry = {
        "run": run_no,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "written": report.written,
        "unchanged": report.unchanged,
        "deleted": report.deleted,
        "landing_checksum": checksum,
    }
    csv_entry["sha256"] = digests.get(layout.CSV_KEY)
    manifest = {
        "pipeline": "ingest-and-land",
        "extract_date": EXTRACT_DATE,
        "sources": {
            "store_sales_csv": csv_entry,
            "web_orders_api": _api_summary(endpoint, api, report),
        },
        "dead_letters": _dead_letter_list(api, run, got_csv),
        "objects": {k: digests[k] for k in sorted(digests)},
        "landing_checksum": checksum,
        "runs": [*previous, run_entry][-MAX_RUNS_KEPT:],
    }
    body = json.dumps(manifest, indent=2, sort_keys=True).encode() + b"\n"
    lake.put(layout.LAYER, layout.MANIFEST_KEY, body)
    log(report.summary())
    return report


def _fetch_csv(
    session: requests.Session,
    endpoint: Endpoint,
    policy: RetryPolicy,
    run: _Run,
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
        run.wanted[layout.CSV_DEADLETTER_KEY] = _dead_letter(
            "store_sales_csv", f"GET /files/{CSV_NAME}", got_csv
        )
        log(f"CSV {CSV_NAME}: dead-lettered ({got_csv.error})")
    return csv_entry, got_csv


def _fetch_api(
    session: requests.Session,
    endpoint: Endpoint,
    policy: RetryPolicy,
    run: _Run,
    lake: Lake,
    log: Callable[[str], None],
    workers: int,
) -> _Api:
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
    api = _Api(total_pages=total_pages, rows_total=int(meta["total"]), results=results)
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
            run.wanted[dl_key] = _dead_letter(
                "web_orders_api", f"GET /api/v1/orders?page={page}", got, page=page
            )
            api.dead.append(entry | {"deadletter_key": dl_key, "last_status": got.statuses[-1]})
            log(f"page {page}: dead-lettered after {got.attempts} attempt(s): {got.error}")
    return api


def _land(lake: Lake, run: _Run) -> tuple[list[bool], list[str]]:
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


def _api_summary(endpoint: Endpoint, api: _Api, report: RunReport) -> dict[str, Any]:
    return {
        "url": endpoint.api_url,
        "pages_total": api.total_pages,
        "pages_landed": report.pages_landed,
        "pages_dead_lettered": report.pages_dead_lettered,
        "rows_total": api.rows_total,
        "rows_landed": report.rows_landed,
        "retries": sum(r.attempts for r in api.results) - len(api.results),
        "responses": {str(k): v for k, v in sorted(api.responses.items())},
        "duplicate_order_ids": len(api.order_ids) - len(set(api.order_ids)),
        "pages": api.pages,
    }


def _dead_letter_list(api: _Api, run: _Run, got_csv: Fetched) -> list[dict[str, Any]]:
    letters = [
        {
            "source": "web_orders_api",
            "page": d["page"],
            "key": d["deadletter_key"],
            "attempts": d["attempts"],
            "last_status": d["last_status"],
        }
        for d in api.dead
    ]
    if layout.CSV_DEADLETTER_KEY in run.wanted:
        letters.append(
            {
                "source": "store_sales_csv",
                "key": layout.CSV_DEADLETTER_KEY,
                "attempts": got_csv.attempts,
                "last_status": got_csv.statuses[-1],
            }
        )
    return letters


def _previous_runs(lake: Lake) -> list[dict[str, Any]]:
    if layout.MANIFEST_KEY not in lake.keys(layout.LAYER, layout.MANIFEST_KEY):
        return []
    try:
        runs = json.loads(lake.get(layout.LAYER, layout.MANIFEST_KEY)).get("runs", [])
    except ValueError:
        return []
    return [r for r in runs if isinstance(r, dict) and isinstance(r.get("run"), int)]


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
