"""ingest-and-land: the source server's faults, the retry logic, and the reference pipeline's
idempotency, dead letters and replay on the twin."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from lab_harness import ALICE, memory_context, reset
from twin_harness import TwinEnv

from labs.ingest_and_land import LAB, layout
from labs.ingest_and_land.generator import ShopSource, api_token, generate
from labs.ingest_and_land.solution import RetryPolicy, fetch, ingest
from labs.ingest_and_land.sources import Endpoint, SourceServer
from lakelab.labs.registry import context

SEED = 20261122


@pytest.fixture(scope="module")
def source() -> ShopSource:
    return generate(SEED)


@pytest.fixture
def served(source: ShopSource) -> Iterator[Endpoint]:
    with SourceServer(source, "token-1") as endpoint:
        yield endpoint


def _page(endpoint: Endpoint, page: int, token: str = "token-1") -> requests.Response:
    return requests.get(
        f"{endpoint.api_url}?page={page}", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )


def test_generator_is_deterministic_and_messy(source: ShopSource) -> None:
    again = generate(SEED)
    assert again.csv_bytes == source.csv_bytes and again.pages == source.pages
    assert generate(SEED + 1).csv_bytes != source.csv_bytes
    rows = list(csv.DictReader(io.StringIO(source.csv_bytes.decode())))
    assert len(rows) == source.csv_rows
    assert source.csv_bytes.count(b"\n") > source.csv_rows + 1  # notes hold line breaks
    assert any(r["sold_at"].startswith("2026-02") for r in rows)  # late till syncs
    assert any(r["store_code"] != r["store_code"].strip().upper() for r in rows)
    assert any(r["customer_email"] and "@" not in r["customer_email"] for r in rows)
    assert len(rows) > len({tuple(r.values()) for r in rows})  # lines sent twice
    assert source.duplicate_order_ids() > 0
    assert any(o["created_at"].startswith("2026-02") for o in source.orders)
    skus = set(source.product_skus)
    assert all(i["sku"] in skus for o in source.orders for i in o["items"])
    assert all(r["sku"] in skus for r in rows)
    assert api_token(SEED, "a") != api_token(SEED, "b")


def test_api_needs_the_token(served: Endpoint) -> None:
    assert _page(served, 1, token="wrong").status_code == 401
    assert requests.get(f"{served.api_url}?page=1", timeout=5).status_code == 401
    assert _page(served, 1).status_code == 200
    assert _page(served, 999).status_code == 404


def test_faults_repeat_every_run(served: Endpoint, source: ShopSource) -> None:
    throttled = min(source.faults.throttled)
    first = _page(served, throttled)
    assert first.status_code == 429 and first.headers["Retry-After"] == "1"
    assert _page(served, throttled).status_code == 200
    assert _page(served, throttled).status_code == 429  # the next run meets it again
    flaky, failures = next(iter(source.faults.flaky.items()))
    assert [_page(served, flaky).status_code for _ in range(failures + 1)] == [500] * failures + [
        200
    ]
    outage = source.faults.outage[0]
    assert {_page(served, outage).status_code for _ in range(4)} == {503}
    assert "maintenance" in _page(served, outage).json()["error"]


def test_csv_is_cut_short_once_and_the_checksum_tells(served: Endpoint, source: ShopSource) -> None:
    published = requests.get(served.sha_url, timeout=5).text.split()[0]
    assert published == source.csv_sha256
    short = requests.get(served.csv_url, timeout=5)
    assert short.status_code == 200 and len(short.content) < len(source.csv_bytes)
    full = requests.get(served.csv_url, timeout=5)
    assert full.content == source.csv_bytes


def test_recovered_server_serves_the_outage(source: ShopSource) -> None:
    with SourceServer(source, "t", recovered=True) as endpoint:
        assert _page(endpoint, source.faults.outage[0], "t").status_code == 200


def test_fetch_honours_retry_after_and_gives_up(served: Endpoint, source: ShopSource) -> None:
    session = requests.Session()
    auth = {"Authorization": "Bearer token-1"}
    waits: list[float] = []
    policy = RetryPolicy(max_attempts=4)
    got = fetch(
        session,
        f"{served.api_url}?page={min(source.faults.throttled)}",
        policy,
        headers=auth,
        sleep=waits.append,
    )
    assert got.ok and got.statuses == [429, 200] and waits == [1.0]
    waits.clear()
    dead = fetch(
        session,
        f"{served.api_url}?page={source.faults.outage[0]}",
        policy,
        headers=auth,
        sleep=waits.append,
    )
    assert not dead.ok and dead.statuses == [503] * 4 and len(waits) == 3
    assert waits == sorted(waits)  # exponential backoff
    denied = fetch(session, f"{served.api_url}?page=1", policy, sleep=waits.append)
    assert denied.statuses == [401]  # a 4xx is not retried


def test_pipeline_in_memory_twice_and_after_the_window(tmp_path: Path, source: ShopSource) -> None:
    ctx = memory_context(tmp_path)
    with SourceServer(source, "t") as endpoint:
        first = ingest(ctx.lake, endpoint, log=lambda _: None)
        second = ingest(ctx.lake, endpoint, log=lambda _: None)
    assert first.pages_dead_lettered == len(source.faults.outage)
    assert second.written == 0 and second.landing_checksum == first.landing_checksum
    with SourceServer(source, "t", recovered=True) as endpoint:
        replay = ingest(ctx.lake, endpoint, log=lambda _: None)
    assert replay.pages_landed == source.total_pages and replay.pages_dead_lettered == 0
    assert replay.written == len(source.faults.outage) and replay.deleted == 3
    assert ctx.lake.keys(layout.LAYER, layout.DEADLETTER_PREFIX) == []


def test_both_clouds_land_the_same_bytes_and_a_short_file_is_caught(lab_env: TwinEnv) -> None:
    lab = LAB.info.id
    checksums = {}
    try:
        for stack in ALICE:
            reset(lab, stack)
            ctx = context(lab, stack)
            src = generate(ctx.seed)
            with SourceServer(src, api_token(ctx.seed, stack)) as endpoint:
                ingest(ctx.lake, endpoint, log=lambda _: None)
            manifest = json.loads(ctx.lake.get(layout.LAYER, layout.MANIFEST_KEY))
            checksums[stack] = manifest["landing_checksum"]
            last = src.faults.outage[-1]
            dl = json.loads(ctx.lake.get(layout.LAYER, layout.deadletter_key(last)))
            assert dl["last_status"] == 503 and dl["request"].endswith(f"page={last}")
        assert len(set(checksums.values())) == 1  # same seed, same bytes, on S3 and on blob

        # A pipeline that trusted the HTTP 200 would have landed the short CSV.
        ctx = context(lab, ALICE[0])
        full = ctx.lake.get(layout.LAYER, layout.CSV_KEY)
        ctx.lake.put(layout.LAYER, layout.CSV_KEY, full[: len(full) // 2])
        failed = {c.id for c in LAB.check(ctx) if not c.passed}
        assert {"csv-landed", "manifest-checksums", "idempotent"} <= failed
    finally:
        for stack in ALICE:
            reset(lab, stack)
