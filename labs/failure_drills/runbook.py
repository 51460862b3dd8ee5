"""Runbook entries: one Markdown page per drill in `gold/_runbook/<drill>.md`.

    # Runbook: <drill>

    Designed behaviour: fail loudly | heal

    ## Symptom
    ## Cause
    ## Detection
    ## Fix
    ## Prevention

`Cause`, `Detection` and `Fix` are required and must say something (at least a sentence);
`Symptom` and `Prevention` are recommended.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

PREFIX: Final = "_runbook/"
REQUIRED: Final = ("Cause", "Detection", "Fix")
SECTIONS: Final = ("Symptom", "Cause", "Detection", "Fix", "Prevention")
MIN_CHARS: Final = 20
BEHAVIOURS: Final = ("fail loudly", "heal")


def key(drill: str) -> str:
    return f"{PREFIX}{drill}.md"


@dataclass
class Entry:
    drill: str
    behaviour: str
    sections: dict[str, str] = field(default_factory=dict)

    def render(self) -> str:
        lines = [f"# Runbook: {self.drill}", "", f"Designed behaviour: {self.behaviour}", ""]
        for name in SECTIONS:
            if self.sections.get(name):
                lines += [f"## {name}", "", self.sections[name].strip(), ""]
        return "\n".join(lines)

    def missing(self) -> list[str]:
        """Required parts that are absent or too thin to be useful."""
        gaps = [] if self.behaviour in BEHAVIOURS else ["designed behaviour"]
        return gaps + [
            name for name in REQUIRED if len(self.sections.get(name, "").strip()) < MIN_CHARS
        ]


def parse(drill: str, text: str) -> Entry:
    match = re.search(
        r"^[-*_\s]*designed behaviou?r[*_\s]*:[*_\s]*(.+?)\s*$", text, re.IGNORECASE | re.MULTILINE
    )
    behaviour = match.group(1).strip().strip("*_`").lower() if match else ""
    sections: dict[str, str] = {}
    parts = re.split(r"^##\s+(.+?)\s*$", text, flags=re.MULTILINE)
    for title, body in zip(parts[1::2], parts[2::2], strict=True):
        sections[title.strip().title()] = body.strip()
    return Entry(drill, behaviour, sections)
