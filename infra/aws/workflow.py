"""The pipeline definition (`lakelab/pipeline/medallion.yaml`) as a Glue workflow.

Rendered from the definition and nothing else:

- one trigger per step that has a Glue job (steps are matched to jobs by id: the bronze step
  runs the bronze job). A step with no dependency among them starts on demand; every other
  step has a CONDITIONAL trigger that waits for all of its upstream jobs to succeed;
- the step's timeout becomes the trigger action's `Timeout` (minutes; it overrides the job's);
- the step's retries become the job's `MaxRetries`, set by `glue_retries`, a transformation
  applied to the jobs component (Glue keeps retries on the job, not on the trigger; Glue
  retries at once, so the definition's retry interval and backoff have no Glue equivalent);
- the parameters' defaults become the workflow's default run properties.

The dbt step has a Glue job of its own (`infra/aws/jobs.py` `DbtJob`: `dbt build --target
athena`). Steps with no Glue job (land, catalog, quality gate) are not rendered: the stage
jobs register their own tables, and each step after one of them waits for that step's own
upstreams instead, so the order of the steps Glue does run is kept
(`Definition.restricted`).
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

from infra.component import LabComponent
from lakelab.blueprint import Blueprint
from lakelab.clouds.aws.names import AwsNames
from lakelab.pipeline.definition import Definition

JOB_TYPE = "aws:glue/job:Job"


def glue_retries(definition: Definition) -> pulumi.ResourceTransformation:
    """A transformation that gives each Glue job (matched by its `--stage` argument) the
    retries of the step with that id."""

    def transform(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult:
        if args.type_ != JOB_TYPE:
            return pulumi.ResourceTransformationResult(args.props, args.opts)
        props = dict(args.props)
        arguments = props.get("default_arguments")
        stage = arguments.get("--stage") if isinstance(arguments, dict) else None
        if isinstance(stage, str) and stage in definition.ids:
            props["max_retries"] = definition.policy(stage).retries
        return pulumi.ResourceTransformationResult(props, args.opts)

    return transform


class PipelineWorkflow(LabComponent):
    workflow: aws.glue.Workflow
    triggers: dict[str, aws.glue.Trigger]

    def __init__(
        self,
        name: str,
        bp: Blueprint,
        definition: Definition,
        jobs: Mapping[str, aws.glue.Job],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("lakelab:aws:PipelineWorkflow", name, bp.tags, opts)
        names = AwsNames.of(bp)
        graph = definition.restricted(jobs)
        self.workflow = aws.glue.Workflow(
            definition.pipeline,
            name=names.glue_workflow,
            description=" -> ".join(graph),
            max_concurrent_runs=1,
            default_run_properties={p: definition.default(p) for p in definition.parameters},
            tags=self.tags,
            opts=self.child(),
        )
        self.triggers = {}
        for step, upstream in graph.items():
            action = aws.glue.TriggerActionArgs(
                job_name=jobs[step].name, timeout=definition.policy(step).timeout_min
            )
            conditions = [
                aws.glue.TriggerPredicateConditionArgs(
                    job_name=jobs[u].name, state="SUCCEEDED", logical_operator="EQUALS"
                )
                for u in upstream
            ]
            predicate = (
                aws.glue.TriggerPredicateArgs(
                    conditions=conditions, logical="AND" if len(conditions) > 1 else None
                )
                if conditions
                else None
            )
            self.triggers[step] = aws.glue.Trigger(
                f"{step}-trigger",
                name=names.glue_trigger(step),
                workflow_name=self.workflow.name,
                type="CONDITIONAL" if upstream else "ON_DEMAND",
                start_on_creation=True if upstream else None,
                predicate=predicate,
                actions=[action],
                tags=self.tags,
                opts=self.child(),
            )
        self.register_outputs({"workflow": self.workflow.name})
