"""`lakelab verify` from start to finish with the local twin as the cloud.

Real here: the verify runner and its receipt, the stand-in Pulumi CLI's calls, landing as
the learner through the twin's S3 with the learner's own key (IAM enforced), starting the Glue
workflow as the learner, the medallion workload on local Spark, the local reference build,
the gold comparison, and the tag sweep after destroy.

Stood in, because only a real cloud can do them: `pulumi up` creates nothing (the twin's
`local up` made the learner's resources, and the test creates the workflow the program
declares); Glue executing the workflow is `lakelab run` on the twin; `pulumi destroy` deleting
the resources is `lakelab local rm`. The gold query goes through the twin's Athena API as the
learner (StartQueryExecution, GetQueryExecution, paged GetQueryResults), which runs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from verify_harness import ROOT, Fake, plan_outputs

from lakelab.clouds.acceptance import PipelineState
from lakelab.clouds.aws.acceptance import AwsAcceptance
from lakelab.clouds.aws.clients import Target
from lakelab.verify.pulumi_cli import PulumiCli
from lakelab.verify.runner import Options, VerifyRun
from localcloud.prerequisites import free_port

STACK = "demo-alice-aws"
LAKELAB = [sys.executable, "-m", "lakelab"]


class TwinAcceptance(AwsAcceptance):
    """The real AWS driver; only workflow execution is stood in."""

    ran: subprocess.CompletedProcess[str] | None = None
    spark_log = ""  # the run's Spark log, read before the twin is purged

    def pipeline_state(self, run_id: str) -> PipelineState:
        assert super().pipeline_state(run_id).state == "RUNNING"  # moto never runs it
        if TwinAcceptance.ran is None:
            TwinAcceptance.ran = subprocess.run(
                [*LAKELAB, "run", "--stack", STACK], capture_output=True, text=True, cwd=ROOT
            )
            log = Path(os.environ["LAKELAB_STATE_DIR"]) / "runs" / STACK / "spark.log"
            TwinAcceptance.spark_log = log.read_text() if log.is_file() else ""
        ok = TwinAcceptance.ran.returncode == 0
        return PipelineState(
            "COMPLETED" if ok else "ERROR", True, ok, TwinAcceptance.ran.stderr[-300:]
        )


@pytest.mark.slow
def test_verify_passes_end_to_end(home: Path, fake: Fake, monkeypatch: pytest.MonkeyPatch) -> None:
    from localcloud.state import Paths, load

    # The stack asks for the learner's access key, so verify acts as the learner with the key
    # the program exports (its output shape, filled with the twin's key for that learner).
    stack_file = home / "stacks" / f"Pulumi.{STACK}.yaml"
    text = stack_file.read_text()
    stack_file.write_text(
        text.replace("  lakelab:access:\n", "  lakelab:access:\n    accessKey: true\n")
    )
    monkeypatch.setenv("LAKELAB_AWS_PORT", str(free_port()))
    monkeypatch.setenv("LAKELAB_AZURE_PORT", str(free_port()))
    up = subprocess.run(
        [*LAKELAB, "local", "up", "--stack", STACK], capture_output=True, text=True, cwd=ROOT
    )
    assert up.returncode == 0, up.stderr
    try:
        state = load(Paths(Path(os.environ["LAKELAB_STATE_DIR"])))
        record = state.stacks[STACK]
        assert state.aws.admin is not None
        admin = Target(
            state.aws.url, state.aws.admin.access_key_id, state.aws.admin.secret_access_key
        )
        outputs = plan_outputs(STACK)
        admin.client("glue").create_workflow(Name=outputs["jobs"]["workflow"])
        identity = outputs["identity"]
        assert (identity["access_key_id"], identity["secret_access_key"]) == ("[secret]",) * 2
        identity |= {"access_key_id": record.access_key_id, "secret_access_key": record.secret}
        fake.set_outputs(STACK, outputs)
        for key, value in {
            "AWS_ENDPOINT_URL": state.aws.url,
            "AWS_ACCESS_KEY_ID": admin.access_key_id,
            "AWS_SECRET_ACCESS_KEY": admin.secret_access_key,
            "FAKE_PULUMI_ON_DESTROY": (
                f'"{sys.executable}" -m lakelab local rm --yes --stack "$STACK"'
            ),
        }.items():
            monkeypatch.setenv(key, value)
        cli = PulumiCli(STACK, ROOT, home.parent / "verify.log", ROOT / "policies")
        receipt = VerifyRun(
            load_bp(),
            cli,
            Options(date(2026, 3, 2), rows=300, poll_s=0.1),
            make_acceptance=lambda bp, out: TwinAcceptance(out, bp.region),
        ).run()
    finally:
        subprocess.run(
            [*LAKELAB, "local", "down", "--purge", "--yes"], capture_output=True, cwd=ROOT
        )
    assert [(s.key, s.ok) for s in receipt.steps] == [
        (k, True)
        for k in (
            "preview",
            "up",
            "outputs",
            "land",
            "pipeline",
            "query",
            "reference",
            "compare",
            "destroy",
            "sweep",
        )
    ], receipt.steps
    # Spark's own log (its WARN lines) went to the run's Spark log, not to the command's output.
    ran = TwinAcceptance.ran
    assert ran is not None and ran.returncode == 0
    assert [line for line in (ran.stdout + ran.stderr).splitlines() if " WARN " in line] == []
    assert " WARN " in TwinAcceptance.spark_log
    assert receipt.actor == "IAM user ll-demo-alice (the learner's own access key)"
    assert receipt.gold["match"] is True
    assert receipt.gold["cloud"] == receipt.gold["local"]
    assert receipt.gold["cloud"]["rows"] > 0
    assert receipt.leftovers == [] and receipt.ok
    assert receipt.step("sweep").detail == "nothing left"
    assert fake.commands() == [
        "stack ls",
        "stack init",
        "preview",
        "up",
        "stack ls",
        "stack output",
        "destroy",
    ]


def load_bp():
    from lakelab.stackfiles import load_blueprint

    return load_blueprint(STACK)
