"""The pipeline definition (`lakelab/pipeline/medallion.yaml`) as an Apache Airflow 3 DAG file.

Rendered from the definition and nothing else (plus the stack it runs for and the lakelab
command that runs a step):

- one `BashOperator` per step, named after it, running `lakelab pipeline step --stack S
  --step ID ...` (one attempt of that step of the local runner, on the twin). The DAG calls
  lakelab as a command and never imports it, so Airflow's environment (`.venv-airflow`) and
  lakelab's stay apart;
- `upstream >> step` for every dependency;
- the step's policy as the operator's `retries`, `retry_delay` (the retry interval),
  `retry_exponential_backoff` (the backoff multiplier; 0 when the definition's is 1, i.e.
  constant) and `execution_timeout` (the timeout). Airflow waits `interval x backoff^(n-1)`
  before retry n plus a deterministic jitter of up to as much again (docs/orchestration.md);
- the parameters as DAG params (`run_date`: empty means the run's logical date; `mode` with
  its choices), and `land` (false): the optional steps run only when it is true, as the
  local runner's `--land`. A step after an optional one waits with `none_failed`, so a
  skipped optional step does not skip the pipeline;
- the definition's alerts as `on_failure_callback` / `on_retry_callback` on the steps they
  cover: the alert is written to the task's log at ERROR level (`ALERT (failure) ...`).

The definition has no schedule, so the DAG has none (`schedule=None`): runs are triggered,
tested (`airflow dags test`) or backfilled.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from lakelab.pipeline.definition import Definition

REPO_ROOT: Final = Path(__file__).resolve().parents[2]
SKIP_EXIT_CODE: Final = 99  # BashOperator's default `skip_on_exit_code`

HEADER: Final = '''"""Airflow DAG of the lakelab pipeline `{pipeline}` for the stack {stack}.

Written by `lakelab pipeline airflow-dag --stack {stack}` from the pipeline definition
{source}: do not edit it; change the definition and write it again.
Each task runs one step on the local twin with `lakelab pipeline step`; retries, delays and
timeouts are the definition's.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, Param

STACK = {stack_lit}
# The lakelab that runs each step (the Python that wrote this file), run from its checkout.
LAKELAB = {lakelab_lit}
CHECKOUT = {checkout_lit}
# step -> the definition's alert descriptions, per kind of alert.
ALERTS = {alerts_lit}
ENV = {{
    # Airflow run ids may hold ':' and '+'; lakelab run ids are letters, digits, '.', '_', '-'.
    "PIPELINE_RUN_ID": "airflow-{{{{ run_id | replace(':', '') | replace('+', '_') }}}}",
    "PIPELINE_RUN_DATE": (
        "{{{{ params.run_date or (logical_date or dag_run.run_after).strftime('%Y-%m-%d') }}}}"
    ),
    "PIPELINE_MODE": "{{{{ params.mode }}}}",
    "PIPELINE_LAND": "{{{{ params.land }}}}",
    # This checkout's lakelab and Spark jobs, whatever the Airflow process was started with.
    "PYTHONPATH": CHECKOUT + ":" + CHECKOUT + "/workloads/spark",
}}
log = logging.getLogger(__name__)


def alert(when):
    """The definition's alerts of this kind, raised for the failed or retried task."""

    def callback(context):
        step = context["ti"].task_id
        for description in ALERTS[when].get(step, []):
            log.error("ALERT (%s) %s: %s: %s", when, step, description, context.get("exception"))

    return callback


def step(step_id, optional=False):
    """The command that runs one attempt of the step on the twin."""
    command = (
        f"{{LAKELAB}} pipeline step --stack {{STACK}} --step {{step_id}}"
        ' --date "$PIPELINE_RUN_DATE" --mode "$PIPELINE_MODE" --run-id "$PIPELINE_RUN_ID"'
    )
    if optional:  # exit {skip} marks the task skipped
        return f'if [ "$PIPELINE_LAND" != "True" ]; then exit {skip}; fi; {{command}}'
    return command
'''

DAG_OPEN: Final = """

with DAG(
    dag_id={dag_id_lit},
    description={description_lit},
    schedule=None,
    catchup=False,
    tags=["lakelab", {pipeline_lit}],
    params={{
{params}
    }},
) as dag:"""

TASK: Final = """
    {var} = BashOperator(
        task_id={step_lit},
        doc_md={doc_lit},
        bash_command=step({step_lit}{optional}),
        env=ENV,
        append_env=True,
        cwd=CHECKOUT,
        retries={retries},
        retry_delay=timedelta(seconds={interval}),
        retry_exponential_backoff={backoff},
        execution_timeout=timedelta(minutes={timeout}),{extra}
    )"""


def dag_id(definition: Definition, stack: str) -> str:
    return f"lakelab_{definition.pipeline}_{stack}"


def lakelab_command(python: str | None = None) -> str:
    return f"{shlex.quote(python or sys.executable)} -m lakelab"


def _params(definition: Definition) -> str:
    lines: list[str] = []
    for name, p in definition.parameters.items():
        extra = f", enum={list(p.choices)!r}" if p.choices else ""
        if name == "run_date":
            extra += r', pattern=r"^(\d{4}-\d{2}-\d{2})?$"'
        default = definition.default(name)
        lines.append(
            f'        "{name}": Param({default!r}, type="string"{extra},'
            f" description={p.description!r}),"
        )
    lines.append(
        '        "land": Param(False, type="boolean", description="run the optional steps'
        " too (on the twin: land the day's sample sources)\"),"
    )
    return "\n".join(lines)


def _task(definition: Definition, step_id: str) -> str:
    step, policy = definition.step(step_id), definition.policy(step_id)
    extra = ""
    if any(definition.step(u).optional for u in step.depends_on):
        extra += '\n        trigger_rule="none_failed",'
    for when, hook in (("failure", "on_failure_callback"), ("retry", "on_retry_callback")):
        if definition.alerts_for(step_id, when):
            extra += f'\n        {hook}=alert("{when}"),'
    # 0 is Airflow's "no backoff"; 1.0 would mean the same.
    backoff = policy.retry_backoff if policy.retry_backoff != 1.0 else 0
    return TASK.format(
        var=f"{step_id}_task",
        step_lit=json.dumps(step_id),
        doc_lit=json.dumps(step.description),
        optional=", optional=True" if step.optional else "",
        retries=policy.retries,
        interval=policy.retry_interval_s,
        backoff=backoff,
        timeout=policy.timeout_min,
        extra=extra,
    )


def _alerts(definition: Definition) -> dict[str, dict[str, list[str]]]:
    return {
        when: {
            s: [a.description for a in definition.alerts_for(s, when)]
            for s in definition.ids
            if definition.alerts_for(s, when)
        }
        for when in ("failure", "retry")
    }


def render(
    definition: Definition,
    stack: str,
    *,
    source: str = "lakelab/pipeline/medallion.yaml",
    lakelab: str | None = None,
    checkout: Path = REPO_ROOT,
) -> str:
    """The DAG file's text: self-contained, importing only Airflow."""
    parts: Sequence[str] = [
        HEADER.format(
            pipeline=definition.pipeline,
            stack=stack,
            source=source,
            stack_lit=json.dumps(stack),
            lakelab_lit=json.dumps(lakelab or lakelab_command()),
            checkout_lit=json.dumps(str(checkout)),
            alerts_lit=json.dumps(_alerts(definition)),
            skip=SKIP_EXIT_CODE,
        ),
        DAG_OPEN.format(
            dag_id_lit=json.dumps(dag_id(definition, stack)),
            description_lit=json.dumps(definition.description),
            pipeline_lit=json.dumps(definition.pipeline),
            params=_params(definition),
        ),
        *(_task(definition, s) for s in definition.order()),
        "",
        *(f"    {u}_task >> {d}_task" for u, d in _ordered_edges(definition)),
    ]
    return "\n".join(parts) + "\n"


def _ordered_edges(definition: Definition) -> list[tuple[str, str]]:
    order = definition.order()
    return sorted(definition.edges(), key=lambda e: (order.index(e[1]), order.index(e[0])))
