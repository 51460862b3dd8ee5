"""The AWS vs Azure comparison as an HTML page with inline SVG charts."""

from __future__ import annotations

from lakelab import compare_rows as facts
from lakelab.clouds import cloud_for
from lakelab.cohort import report
from lakelab.cohort.report import esc
from lakelab.compare import TARGET_LABEL, TARGETS, Comparison, Run
from lakelab.cost.money import usd
from lakelab.naming import STAGES
from lakelab.regions import CLOUDS


def _html_mapping(c: Comparison) -> list[str]:
    body = [
        "<ul>",
        *(
            f"<li>{name}: <code>{esc(facts.stack_label(c, cloud))}</code> in"
            f" {esc(c.plans[cloud].blueprint['region'])}</li>"
            for cloud, name in ((cloud, cloud_for(cloud).title) for cloud in CLOUDS)
        ),
        f"<li>warehouse mode: {esc(c.warehouse_mode)}</li>",
        "</ul>",
        "<h2>Resource mapping (from the offline plans)</h2>",
    ]
    rows = facts.mapping_rows(c, sep="\n")
    body.append(
        report.table(
            ["part of the lab", "AWS", "AWS resources", "Azure", "Azure resources"],
            [
                [
                    esc(n),
                    esc(a).replace("\n", "<br>"),
                    str(an),
                    esc(b).replace("\n", "<br>"),
                    str(bn),
                ]
                for n, a, an, b, bn in rows
            ],
            numeric=(2, 4),
        )
    )
    body.append(
        report.bar_chart(
            "Planned resources per part of the lab",
            [r[0] for r in rows],
            {"AWS": [float(r[2]) for r in rows], "Azure": [float(r[4]) for r in rows]},
            fmt="{:.0f}",
        )
    )
    return body


def _html_costs(c: Comparison) -> list[str]:
    body: list[str] = []
    body.append("<h2>Cost estimates</h2>")
    costs = facts.cost_rows(c)
    body.append(
        report.table(
            ["", "AWS", "Azure"],
            [[esc(label), esc(usd(a)), esc(usd(b))] for label, a, b in costs],
            numeric=(1, 2),
        )
    )
    body.append(
        report.bar_chart(
            "Estimated cost (USD; each pair on its own scale)",
            [label for label, _, _ in costs],
            {"AWS": [a for _, a, _ in costs], "Azure": [b for _, _, b in costs]},
            unit=" USD",
            scale_each=True,
        )
    )
    body.append(
        '<p class="muted">From <code>pricing/catalog.yaml</code> and its typical-lab'
        " assumptions.</p>"
    )
    return body


def _html_run(aws: Run, azure: Run, target: str) -> list[str]:
    body: list[str] = []
    stages = facts.stage_rows(aws, azure)
    body.append(
        report.table(
            ["stage", "AWS s", "Azure s", "Azure / AWS"],
            [[esc(x) for x in r] for r in stages],
            numeric=(1, 2, 3),
        )
    )
    body.append(
        report.bar_chart(
            f"Stage timings on {TARGET_LABEL[target]} (seconds)",
            list(STAGES),
            {
                "AWS": [aws.durations.get(s, 0.0) for s in STAGES],
                "Azure": [azure.durations.get(s, 0.0) for s in STAGES],
            },
            unit=" s",
            fmt="{:.1f}",
        )
    )
    gold = facts.gold_rows(aws, azure)
    body.append(
        report.table(
            [
                "gold table",
                "AWS rows",
                "Azure rows",
                "AWS checksum",
                "Azure checksum",
                "verdict",
            ],
            [[esc(x) for x in r] for r in gold]
            or [["(no gold tables recorded)", "", "", "", "", ""]],
            numeric=(1, 2),
        )
    )
    return body


def to_html(c: Comparison) -> str:
    body = _html_mapping(c) + _html_costs(c) + ["<h2>Runs: stage timings and gold outputs</h2>"]
    findings = facts.run_findings(c)
    for target in TARGETS:
        body.append(f"<h3>On {esc(TARGET_LABEL[target])}</h3>")
        aws, azure = c.runs[target][facts.A], c.runs[target][facts.B]
        if findings[target] is not None or aws is None or azure is None:
            body.append(
                f"<p>No comparison: {esc(findings[target])}. Looked in"
                f" <code>{esc(c.results)}/&lt;stack&gt;/{target}/</code>.</p>"
            )
            continue
        body += _html_run(aws, azure, target)
    return report.page(f"AWS vs Azure: learner {c.learner} of cohort {c.cohort}", "\n".join(body))
