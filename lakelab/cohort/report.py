"""Static HTML for reports: one self-contained file each, inline CSS and inline SVG charts, no
scripts and no network assets, so a page opens anywhere and can be mailed or archived."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Final

COLORS: Final[dict[str, str]] = {
    "aws": "#ff9900",
    "azure": "#0078d4",
    "AWS": "#ff9900",
    "Azure": "#0078d4",
}
_PALETTE: Final = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2")

CSS: Final = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: #666; } .ok { color: #1a7f37; } .bad { color: #cf222e; } .warn { color: #9a6700; }
code { background: #f6f8fa; padding: 0 0.2rem; }
"""


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def prose(text: str) -> str:
    """Escaped text whose `backticked` spans (commands in notes) become <code> elements."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", esc(text))


def page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"<h1>{esc(title)}</h1>\n{body}\n</body>\n</html>\n"
    )


def table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = ()
) -> str:
    """A table of already-escaped cell HTML; `numeric` columns are right-aligned."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: dict[str, Sequence[float]],
    *,
    unit: str = "",
    fmt: str = "{:,.2f}",
    scale_each: bool = False,
) -> str:
    """Grouped horizontal bars: one group per category, one bar per series, as inline SVG.
    With `scale_each`, every group is scaled to its own largest bar (for categories of very
    different sizes, where only the bars within a group are compared)."""
    bar_h, gap, label_w, chart_w, value_w = 16, 10, 250, 360, 110
    names = list(series)
    group_h = bar_h * len(names) + gap
    height = 40 + group_h * len(categories) + 24
    width = label_w + chart_w + value_w
    top_all = max((v for vals in series.values() for v in vals), default=0) or 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img"'
        f' aria-label="{esc(title)}" style="font: 12px system-ui, sans-serif">',
        f'<text x="0" y="16" style="font-weight: bold">{esc(title)}</text>',
    ]
    for ci, category in enumerate(categories):
        y0 = 30 + ci * group_h
        top = (max(float(series[n][ci]) for n in names) or 1.0) if scale_each else top_all
        parts.append(
            f'<text x="0" y="{y0 + bar_h * len(names) / 2 + 4:.0f}">{esc(category)}</text>'
        )
        for si, name in enumerate(names):
            value = float(series[name][ci])
            w = chart_w * value / top
            y = y0 + si * bar_h
            color = COLORS.get(name, _PALETTE[si % len(_PALETTE)])
            parts.append(
                f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" fill="{color}">'
                f"<title>{esc(name)}: {esc(fmt.format(value))}{esc(unit)}</title></rect>"
            )
            label = f"{esc(fmt.format(value))}{esc(unit)}"
            parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 4}">{label}</text>')
    legend_y = height - 8
    x = label_w
    for si, name in enumerate(names):
        color = COLORS.get(name, _PALETTE[si % len(_PALETTE)])
        parts.append(f'<rect x="{x}" y="{legend_y - 10}" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{x + 14}" y="{legend_y}">{esc(name)}</text>')
        x += 20 + 8 * len(name)
    parts.append("</svg>")
    return "\n".join(parts)
