"""The workload benchmark's results, and the text report with the targets met or not."""

from __future__ import annotations

from dataclasses import dataclass, field

FULL_TARGET_S = 30.0
CPU_TARGET_RATIO = 4.0
RSS_TARGET_MB = 3 * 1024
INCREMENTAL_TARGET = 0.10


@dataclass
class RunTiming:
    """One engine's run: seconds and input rows per stage, wall and CPU seconds of the whole
    run (session start included where there is one), peak RSS, the load average after it."""

    seconds: dict[str, float] = field(default_factory=dict)
    rows_in: dict[str, int] = field(default_factory=dict)
    wall_s: float = 0.0
    # CPU seconds of the whole process tree: on a shared machine, wall time depends on the
    # neighbours; CPU time much less so. On 2 idle cores, wall >= cpu / 2.
    cpu_s: float = 0.0
    peak_rss_mb: float = 0.0
    load_average: list[float] = field(default_factory=list)
    gold_checksum: str = ""


@dataclass
class Results:
    orders: int
    changes: int
    spread: bool
    started_at: str = ""
    cores: int = 0
    commit: str = ""
    generate_s: float = 0.0
    changes_s: float = 0.0
    spark_session_s: float = 0.0
    spark_session_cpu_s: float = 0.0
    warmup_s: float | None = None
    runs: dict[str, RunTiming] = field(default_factory=dict)
    gold_matches: bool | None = None
    checksums_match: bool | None = None
    dbt: dict[str, float] | None = None
    # Load averages (1, 5, 15 minutes) sampled before each step: other work on the machine.
    load_average: dict[str, list[float]] = field(default_factory=dict)


def _rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:>12,.0f}" if seconds > 0 and rows else f"{'-':>12}"


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def report(results: Results) -> str:
    lines = _header(results)
    for name, timing in results.runs.items():
        lines += _run_lines(name, timing)
    lines += _targets(results)
    if results.gold_matches is not None:
        lines.append(f"spark and duckdb gold identical: {'yes' if results.gold_matches else 'NO'}")
    if results.checksums_match is not None:
        lines.append(
            "gold checksums (spark manifest, spark files, duckdb files) agree: "
            + ("yes" if results.checksums_match else "NO")
        )
    if results.dbt:
        lines.append("dbt: " + ", ".join(f"{k} {v:.2f}s" for k, v in results.dbt.items()))
    return "\n".join(lines)


def _header(results: Results) -> list[str]:
    return [
        f"orders: {results.orders:,}  changes: {results.changes:,}"
        f"{' (spread over all dates)' if results.spread else ''}  cores: {results.cores}"
        f"  commit: {results.commit or '-'}",
        f"generate landing: {results.generate_s:.2f}s   changes batch: {results.changes_s:.2f}s"
        " (not timed in the runs)",
        f"spark session start: {results.spark_session_s:.2f}s wall, "
        f"{results.spark_session_cpu_s:.1f} CPU s (counted in 'spark full')"
        + (f"   warm-up run: {results.warmup_s:.2f}s" if results.warmup_s is not None else ""),
        "",
        f"{'run':<20}{'stage':<9}{'seconds':>9}{'rows in':>12}{'rows/s':>12}",
        "(seconds: wall clock; cpu: CPU seconds of the engine's process tree, whole run;"
        " load: 1/5/15-min load average right after the run)",
    ]


def _run_lines(name: str, timing: RunTiming) -> list[str]:
    lines = []
    for stage, seconds in timing.seconds.items():
        rows = timing.rows_in.get(stage, 0)
        lines.append(f"{name:<20}{stage:<9}{seconds:>9.2f}{rows:>12,}{_rate(rows, seconds)}")
    lines.append(
        f"{name:<20}{'total':<9}{timing.wall_s:>9.2f}{'':>24}"
        f"   cpu {timing.cpu_s:.1f}s   peak RSS {timing.peak_rss_mb:,.0f} MB"
        f"   load {timing.load_average}"
    )
    return lines


def _targets(results: Results) -> list[str]:
    """Spark against the targets of the module docstring of `bench_workloads`."""
    runs = results.runs
    full, incremental = runs.get("spark full"), runs.get("spark incremental")
    duck = runs.get("duckdb full")
    lines: list[str] = []
    if full:
        lines += [
            "",
            f"spark full run end to end {full.wall_s:.2f}s wall (target <= {FULL_TARGET_S:.0f}s"
            f" on an idle machine; load {full.load_average}): "
            + _verdict(full.wall_s <= FULL_TARGET_S),
            f"spark full peak RSS {full.peak_rss_mb:,.0f} MB (target <= {RSS_TARGET_MB:,} MB): "
            + _verdict(full.peak_rss_mb <= RSS_TARGET_MB),
        ]
        if duck:
            ratio = full.cpu_s / duck.cpu_s
            lines.append(
                f"spark full {full.cpu_s:.1f} CPU s = {ratio:.2f}x duckdb's {duck.cpu_s:.1f} "
                f"(target <= {CPU_TARGET_RATIO:.0f}x): " + _verdict(ratio <= CPU_TARGET_RATIO)
            )
    if full and incremental:
        wall, cpu = incremental.wall_s / full.wall_s, incremental.cpu_s / full.cpu_s
        lines += [
            f"spark incremental {incremental.wall_s:.2f}s = {wall:.1%} of full by wall, "
            f"{cpu:.1%} by CPU (target <= {INCREMENTAL_TARGET:.0%}): "
            + _verdict(max(wall, cpu) <= INCREMENTAL_TARGET),
            f"(a separate job would add the session start: "
            f"{(incremental.wall_s + results.spark_session_s) / full.wall_s:.1%} of full by wall)",
        ]
    return lines
