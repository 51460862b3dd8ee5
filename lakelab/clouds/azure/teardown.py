"""Sweep Azure for what a cohort's `pulumi destroy` left behind, through the Azure CLI.

The Azure stacks already need the Azure CLI signed in (see README), so the sweep uses it rather
than another SDK:

- resource groups: the learners' own (`rg-ll-<cohort>-<learner>`, found by name even if their
  tags were lost), every group tagged `cohort=<cohort>` and `managed-by=lakelab`, and the
  Synapse managed groups of those learners (normally removed by Azure with the workspace);
  each is deleted with `az group delete --yes`, which removes everything inside it;
- resources tagged with the cohort outside those groups: `az resource list --tag
  cohort=<cohort>`, deleted one by one with `az resource delete --ids`.

Without the CLI, or signed out, nothing can be checked: the sweep says so and the teardown
exits non-zero.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any, Final

from lakelab.cohort.sweep import TAG_LEARNER, Found, SweepReport, matches

AZ_TIMEOUT_S: Final = 3600


class AzError(RuntimeError):
    pass


class AzureSweep:
    def __init__(
        self, cohort: str, learners: set[str] | None = None, *, az: str | None = None
    ) -> None:
        self.cohort = cohort
        self.learners = learners
        self.az = az or shutil.which("az")

    def _run(self, *args: str) -> Any:
        assert self.az is not None
        proc = subprocess.run(
            [self.az, *args, "--only-show-errors", "-o", "json"],
            capture_output=True,
            text=True,
            timeout=AZ_TIMEOUT_S,
        )
        if proc.returncode != 0:
            lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
            raise AzError(
                lines[0] if lines else f"az {' '.join(args[:2])} exited {proc.returncode}"
            )
        return json.loads(proc.stdout) if proc.stdout.strip() else None

    def _group_learner(self, name: str) -> tuple[bool, str | None]:
        """(is one of the cohort's learner groups, learner) from a group name."""
        match = re.fullmatch(rf"rg-ll-{re.escape(self.cohort)}-(.+?)(-synapse-managed)?", name)
        if not match:
            return False, None
        return True, match.group(1)

    def find(self, report: SweepReport | None = None) -> list[Found]:
        report = report or SweepReport("azure")
        if self.az is None:
            report.unverified.append(
                "Azure: the Azure CLI (az) is not installed; install it and run `az login`, then"
                " re-run the teardown"
            )
            return []
        try:
            groups = self._run("group", "list") or []
            resources = self._run("resource", "list", "--tag", f"cohort={self.cohort}") or []
        except (AzError, OSError, subprocess.TimeoutExpired, json.JSONDecodeError) as exc:
            report.unverified.append(f"Azure: {exc}")
            return []
        found: list[Found] = []
        names: set[str] = set()
        for group in groups:
            name = str(group["name"])
            tags = {str(k): str(v) for k, v in (group.get("tags") or {}).items()}
            by_name, learner = self._group_learner(name)
            learner = tags.get(TAG_LEARNER) or learner
            wanted = matches(tags, self.cohort, self.learners) or (
                by_name and (self.learners is None or learner in self.learners)
            )
            if wanted:
                kind = (
                    "synapse managed resource group"
                    if name.endswith("-synapse-managed")
                    else "resource group"
                )
                found.append(
                    Found(
                        "azure",
                        kind,
                        name,
                        str(group["id"]),
                        str(group.get("location", "")),
                        learner,
                    )
                )
                names.add(name.lower())
        for res in resources:
            tags = {str(k): str(v) for k, v in (res.get("tags") or {}).items()}
            if str(res.get("resourceGroup", "")).lower() in names:
                continue
            if matches(tags, self.cohort, self.learners):
                found.append(
                    Found(
                        "azure",
                        str(res.get("type", "resource")),
                        str(res["name"]),
                        str(res["id"]),
                        str(res.get("location", "")),
                        tags.get(TAG_LEARNER),
                    )
                )
        # Loose resources first, then learner groups, then the managed groups Azure may already
        # be removing with their workspace.
        rank = {"resource group": 1, "synapse managed resource group": 2}
        return sorted(found, key=lambda f: (rank.get(f.kind, 0), f.name))

    def delete(self, item: Found) -> None:
        if item.kind.endswith("resource group"):
            self._run("group", "delete", "--name", item.name, "--yes")
        else:
            self._run("resource", "delete", "--ids", item.id)

    def run(self) -> SweepReport:
        report = SweepReport("azure")
        for item in self.find(report):
            try:
                self.delete(item)
            except (AzError, OSError, subprocess.TimeoutExpired) as exc:
                if (
                    item.kind == "synapse managed resource group"
                    and "could not be found" in str(exc).lower()
                ):
                    report.deleted.append(item)  # removed by Azure with its workspace
                    continue
                report.failed.append((item, str(exc)))
            else:
                report.deleted.append(item)
        report.unverified.clear()
        report.leftovers = self.find(report)
        return report
