"""Grading of ingest-and-land: what is in the learner's landing layer now.

Expected values come from the generator (the same seed gives the same sources), so every
count is exact. Pages of the maintenance window may be either dead-lettered (the state after
a run during the outage) or landed (after a replay once the window is over), never both.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import Any

from labs.ingest_and_land import layout
from labs.ingest_and_land.generator import ShopSource, generate
from lakelab.labs.framework import Criterion, LabContext


def _pages(keys: list[str]) -> set[int]:
    return {p for k in keys if (p := layout.page_of(k)) is not None}


def _manifest(ctx: LabContext) -> tuple[dict[str, Any] | None, str]:
    if layout.MANIFEST_KEY not in ctx.lake.keys(layout.LAYER, layout.MANIFEST_KEY):
        return None, "no manifest"
    try:
        doc = json.loads(ctx.lake.get(layout.LAYER, layout.MANIFEST_KEY))
    except ValueError as exc:
        return None, f"manifest is not JSON: {exc}"
    return (doc, "") if isinstance(doc, dict) else (None, "manifest is not an object")


def _get(doc: Any, *path: str) -> Any:
    for part in path:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(part)
    return doc


def _span(pages: set[int] | list[int]) -> str:
    return ", ".join(str(p) for p in sorted(pages)) or "none"


@dataclass(frozen=True)
class Landing:
    """What the grading compares: the sources the seed gives, and what the landing holds."""

    src: ShopSource
    lake: Any
    layer: str
    all_pages: set[int]
    outage: set[int]
    landed: set[int]
    dead: set[int]

    @classmethod
    def of(cls, ctx: LabContext) -> Landing:
        src = generate(ctx.seed)
        lake, layer = ctx.lake, layout.LAYER
        return cls(
            src=src,
            lake=lake,
            layer=layer,
            all_pages=set(range(1, src.total_pages + 1)),
            outage=set(src.faults.outage),
            landed=_pages(lake.keys(layer, layout.PAGES_PREFIX)),
            dead=_pages(lake.keys(layer, layout.DEADLETTER_PREFIX)),
        )


def check(ctx: LabContext) -> list[Criterion]:
    seen = Landing.of(ctx)
    lab_keys = [k for prefix in layout.DATA_PREFIXES for k in seen.lake.keys(seen.layer, prefix)]
    manifest, why = _manifest(ctx)
    digests = {k: layout.sha256(seen.lake.get(seen.layer, k)) for k in lab_keys}
    return [
        _csv(seen),
        *_api_pages(seen),
        _dead_letters(seen),
        _no_duplicates(seen, lab_keys),
        *_manifest_counts(seen, manifest, why),
        _manifest_checksums(manifest, why, digests),
        _idempotent(manifest, why, layout.landing_checksum(digests)),
    ]


def _csv(seen: Landing) -> Criterion:
    src, lake, layer = seen.src, seen.lake, seen.layer
    csv_data = lake.get(layer, layout.CSV_KEY) if lake.keys(layer, layout.CSV_KEY) else None
    found_sha = layout.sha256(csv_data) if csv_data is not None else "missing"
    return Criterion.equal(
        "csv-landed",
        f"the store-sales CSV is at landing/{layout.CSV_KEY}, byte for byte (sha256)",
        src.csv_sha256,
        found_sha,
    )


def _api_pages(seen: Landing) -> list[Criterion]:
    src, lake, layer = seen.src, seen.lake, seen.layer
    all_pages, outage, landed = seen.all_pages, seen.outage, seen.landed
    out: list[Criterion] = []
    need = all_pages - outage
    missing = sorted(need - landed)
    stray = sorted(landed - all_pages)
    out.append(
        Criterion.holds(
            "api-pages",
            f"every page outside the maintenance window is landed (pages {_span(need)})",
            not missing and not stray,
            {"missing": missing, "out_of_range": stray},
            expected={"missing": [], "out_of_range": []},
        )
    )
    differing = sorted(
        p
        for p in landed & all_pages
        if layout.sha256(lake.get(layer, layout.page_key(p))) != layout.sha256(src.pages[p - 1])
    )
    out.append(
        Criterion.holds(
            "as-received",
            "landed pages are the API's bytes, unchanged (landing is raw)",
            bool(landed) and not differing,
            {"pages_landed": len(landed), "pages_differing": differing},
            expected={"pages_differing": []},
        )
    )
    rows_expected = sum(src.page_rows(p) for p in need | (landed & outage))
    rows_found = 0
    for p in sorted(landed & all_pages):
        with contextlib.suppress(ValueError, KeyError, TypeError):
            rows_found += len(json.loads(lake.get(layer, layout.page_key(p)))["data"])
    out.append(
        Criterion.equal(
            "api-rows",
            "orders in the landed pages (total minus the pages still dead-lettered)",
            rows_expected,
            rows_found,
        )
    )

    return out


def _dead_letters(seen: Landing) -> Criterion:
    lake, layer, outage, landed, dead = seen.lake, seen.layer, seen.outage, seen.landed, seen.dead
    problems: list[str] = []
    for p in sorted(outage):
        if p in landed and p in dead:
            problems.append(f"page {p} is landed and dead-lettered")
        elif p not in landed and p not in dead:
            problems.append(f"page {p} is neither landed nor dead-lettered")
        elif p in dead:
            try:
                entry = json.loads(lake.get(layer, layout.deadletter_key(p)))
            except ValueError:
                problems.append(f"dead letter of page {p} is not JSON")
                continue
            if entry.get("last_status") != 503 or f"page={p}" not in str(entry.get("request")):
                problems.append(f"dead letter of page {p} lacks its request or last_status 503")
    for p in sorted(dead - outage):
        problems.append(f"page {p} is dead-lettered but the API serves it after retries")
    return Criterion.holds(
        "dead-letters",
        f"the maintenance-window pages ({_span(outage)}) are dead-lettered with their"
        " request and status, or landed by a replay; no other page is",
        not problems,
        problems or f"dead-lettered: {_span(dead)}; replayed: {_span(outage & landed)}",
        expected=f"pages {_span(outage)} dead-lettered (or replayed), nothing else",
    )


def _no_duplicates(seen: Landing, lab_keys: list[str]) -> Criterion:
    all_pages = seen.all_pages
    allowed = (
        {layout.CSV_KEY, layout.CSV_DEADLETTER_KEY}
        | {layout.page_key(p) for p in all_pages}
        | {layout.deadletter_key(p) for p in all_pages}
    )
    extra = sorted(set(lab_keys) - allowed)
    return Criterion.holds(
        "no-duplicates",
        "no copies: only the documented keys, one object per page (no run ids or times)",
        bool(lab_keys) and not extra,
        extra[:5] if extra else f"{len(lab_keys)} objects, all documented keys",
        expected="only documented keys",
    )


def _manifest_counts(seen: Landing, manifest: dict[str, Any] | None, why: str) -> list[Criterion]:
    src, all_pages, landed, dead = seen.src, seen.all_pages, seen.landed, seen.dead
    api = _get(manifest, "sources", "web_orders_api") or {}
    expected_counts = {
        "csv_rows": src.csv_rows,
        "pages_total": src.total_pages,
        "pages_landed": len(landed & all_pages),
        "pages_dead_lettered": len(dead & all_pages),
        "rows_total": src.total_rows,
        "rows_landed": sum(src.page_rows(p) for p in landed & all_pages),
        "duplicate_order_ids": src.duplicate_order_ids(landed & all_pages),
    }
    found_counts = {
        "csv_rows": _get(manifest, "sources", "store_sales_csv", "rows"),
        **{k: api.get(k) for k in list(expected_counts)[1:]},
    }
    throttled = len(src.faults.throttled)
    min_retries = throttled + sum(src.faults.flaky.values())
    responses = api.get("responses") or {}
    found_faults = {
        "429": responses.get("429") if isinstance(responses, dict) else None,
        "retries": api.get("retries"),
    }
    retries = found_faults["retries"]
    return [
        Criterion.equal(
            "manifest-counts",
            "the manifest's counts match the landing (pages, rows, dead letters, duplicates)",
            expected_counts,
            found_counts if manifest else why,
        ),
        Criterion.holds(
            "manifest-retries",
            f"the manifest records the {throttled} throttled responses (429) and at least"
            f" {min_retries} retries",
            found_faults["429"] == throttled
            and isinstance(retries, int)
            and retries >= min_retries,
            found_faults if manifest else why,
            expected={"429": throttled, "retries": f">= {min_retries}"},
        ),
    ]


def _manifest_checksums(
    manifest: dict[str, Any] | None, why: str, digests: dict[str, str]
) -> Criterion:
    objects = _get(manifest, "objects") or {}
    wrong = sorted(k for k, d in digests.items() if objects.get(k) != d)
    actual_checksum = layout.landing_checksum(digests)
    recorded = _get(manifest, "landing_checksum")
    return Criterion.holds(
        "manifest-checksums",
        "the manifest holds a sha256 per landed object and the landing checksum",
        bool(digests) and not wrong and recorded == actual_checksum,
        {"objects_wrong_or_missing": wrong[:5], "landing_checksum": recorded} if manifest else why,
        expected={"objects_wrong_or_missing": [], "landing_checksum": actual_checksum},
    )


def _idempotent(manifest: dict[str, Any] | None, why: str, actual_checksum: str) -> Criterion:
    runs = _get(manifest, "runs") or []
    last_two = runs[-2:] if isinstance(runs, list) else []
    idem = (
        len(last_two) == 2
        and all(isinstance(r, dict) for r in last_two)
        and last_two[0].get("landing_checksum")
        == last_two[1].get("landing_checksum")
        == actual_checksum
        and last_two[1].get("written") == 0
    )
    return Criterion.holds(
        "idempotent",
        "run twice: the last run wrote nothing and the landing checksum did not change",
        idem,
        [
            {k: r.get(k) for k in ("run", "written", "landing_checksum")}
            for r in last_two
            if isinstance(r, dict)
        ]
        or why
        or "no runs recorded",
        expected="2 runs, the second with written=0 and the same checksum",
    )
