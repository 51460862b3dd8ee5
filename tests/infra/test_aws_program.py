"""The AWS program, run under Pulumi's mock runtime (the engine and AWS cannot run here).

Each `check_*` names the resource it asserts, in the style of pulumi/examples testing-unit-py.
"""

from __future__ import annotations

import json

from lakelab.clouds.aws.access import reach, wildcard_resources
from lakelab.plan import Plan

STANDARD_TAGS = {
    "cohort": "demo",
    "learner": "alice",
    "course": "end-to-end-pipelines",
    "expires": "2030-06-30",
    "managed-by": "lakelab",
}
SUFFIX = "f9ebc2"
PURPOSES = ("landing", "bronze", "silver", "gold", "quarantine", "query-results", "artifacts")


def check_buckets(plan: Plan) -> None:
    buckets = {r.name: r.inputs for r in plan.of_type("aws:s3/bucket:Bucket")}
    assert sorted(buckets) == sorted(PURPOSES)
    for purpose, inputs in buckets.items():
        assert inputs["bucket"] == f"ll-demo-alice-{purpose}-{SUFFIX}"
        assert inputs["forceDestroy"] is True
        assert inputs["tags"] == {**STANDARD_TAGS, "layer": purpose}


def check_bucket_guards(plan: Plan) -> None:
    for purpose in PURPOSES:
        sse = plan.named(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            f"{purpose}-sse",
        )
        rule = sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]
        assert rule == {"sseAlgorithm": "AES256"}
        pab = plan.named(
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", f"{purpose}-public-access"
        )
        assert [
            pab.inputs[k]
            for k in (
                "blockPublicAcls",
                "blockPublicPolicy",
                "ignorePublicAcls",
                "restrictPublicBuckets",
            )
        ] == [True] * 4
        assert pab.parent is not None and pab.parent.endswith(f"::{purpose}")


def check_versioning_and_lifecycle(plan: Plan) -> None:
    versioned = sorted(r.name for r in plan.of_type("aws:s3/bucketVersioning:BucketVersioning"))
    assert versioned == ["bronze-versioning", "landing-versioning"]
    for r in plan.of_type("aws:s3/bucketVersioning:BucketVersioning"):
        assert r.inputs["versioningConfiguration"] == {"status": "Enabled"}
    for purpose in PURPOSES:
        rules = plan.named(
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            f"{purpose}-lifecycle",
        ).inputs["rules"]
        ids = [r["id"] for r in rules]
        assert ids[0] == "abort-incomplete-multipart-uploads"
        assert rules[0]["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 1}
        if purpose == "query-results":
            assert rules[1] == {
                "id": "expire-query-results",
                "status": "Enabled",
                "filter": {"prefix": ""},
                "expiration": {"days": 7},
            }


def check_glue(plan: Plan) -> None:
    dbs = {r.inputs["name"]: r for r in plan.of_type("aws:glue/catalogDatabase:CatalogDatabase")}
    assert sorted(dbs) == [
        "demo_alice_bronze",
        "demo_alice_dbt",  # dbt's marts, apart from the gold stage's tables of the same names
        "demo_alice_gold",
        "demo_alice_silver",
    ]
    assert dbs["demo_alice_bronze"].inputs["locationUri"] == f"s3://ll-demo-alice-bronze-{SUFFIX}/"
    # dbt's files go under `_dbt/` in the gold bucket, a folder the stages' catalog skips.
    assert dbs["demo_alice_dbt"].inputs["locationUri"] == f"s3://ll-demo-alice-gold-{SUFFIX}/_dbt/"
    assert dbs["demo_alice_dbt"].inputs["tags"] == STANDARD_TAGS
    # No crawler: each job registers its tables in <catalog_prefix>_<layer>.
    assert plan.of_type("aws:glue/crawler:Crawler") == []
    jobs = {r.inputs["name"]: r.inputs for r in plan.of_type("aws:glue/job:Job")}
    assert sorted(jobs) == [
        "demo_alice_bronze_job",
        "demo_alice_dbt_job",  # the dbt step (tests/workloads_dbt/test_dbt_athena.py)
        "demo_alice_gold_job",
        "demo_alice_silver_job",
    ]
    for stage in ("bronze", "silver", "gold"):
        job = jobs[f"demo_alice_{stage}_job"]
        assert job["glueVersion"] == "5.0"
        assert (job["workerType"], job["numberOfWorkers"]) == ("G.1X", 2)
        assert (
            job["command"]["scriptLocation"]
            == f"s3://ll-demo-alice-artifacts-{SUFFIX}/jobs/glue_job.py"
        )
        assert job["defaultArguments"]["--stage"] == stage
        assert job["defaultArguments"]["--catalog_prefix"] == "demo_alice"
        assert "--enable-continuous-cloudwatch-log" not in job["defaultArguments"]
        assert (
            job["defaultArguments"]["--extra-py-files"]
            == f"s3://ll-demo-alice-artifacts-{SUFFIX}/jobs/lakelab_jobs.zip"
        )
        assert job["defaultArguments"]["--silver_uri"] == f"s3://ll-demo-alice-silver-{SUFFIX}/"


def check_artifacts_uploaded(plan: Plan) -> None:
    objects = {
        r.inputs["key"]: r.inputs for r in plan.of_type("aws:s3/bucketObjectv2:BucketObjectv2")
    }
    assert sorted(objects) == [
        "dbt/lakelab_dbt.zip",
        "jobs/glue_dbt_job.py",
        "jobs/glue_job.py",
        "jobs/lakelab_jobs.zip",
    ]
    assert objects["jobs/glue_job.py"]["source"] == {
        "asset": "workloads/spark/entrypoints/glue_job.py"
    }
    package = objects["jobs/lakelab_jobs.zip"]["source"]["archive"]
    assert "lakelab_jobs/__init__.py" in package
    assert all(p.startswith("lakelab_jobs/") and "__pycache__" not in p for p in package)
    assert "dbt_project.yml" in objects["dbt/lakelab_dbt.zip"]["source"]["archive"]


def check_workflow_triggers(plan: Plan) -> None:
    wf = plan.named("aws:glue/workflow:Workflow", "medallion").inputs
    assert wf["name"] == "demo_alice_medallion"
    triggers = {r.name: r.inputs for r in plan.of_type("aws:glue/trigger:Trigger")}
    assert triggers["bronze-trigger"]["type"] == "ON_DEMAND"
    # Timeouts come from the pipeline definition (tests/pipeline/test_renderings.py).
    assert triggers["bronze-trigger"]["actions"] == [
        {"jobName": "demo_alice_bronze_job", "timeout": 30}
    ]
    for stage, before, timeout in (("silver", "bronze", 45), ("gold", "silver", 30)):
        t = triggers[f"{stage}-trigger"]
        assert t["type"] == "CONDITIONAL" and t["workflowName"] == "demo_alice_medallion"
        assert t["predicate"]["conditions"] == [
            {
                "jobName": f"demo_alice_{before}_job",
                "state": "SUCCEEDED",
                "logicalOperator": "EQUALS",
            }
        ]
        assert t["actions"] == [{"jobName": f"demo_alice_{stage}_job", "timeout": timeout}]


def check_athena(plan: Plan) -> None:
    wg = plan.named("aws:athena/workgroup:Workgroup", "workgroup").inputs
    assert wg["name"] == "demo_alice_wg"
    conf = wg["configuration"]
    assert conf["enforceWorkgroupConfiguration"] is True
    assert conf["bytesScannedCutoffPerQuery"] == 1024 * 1024 * 1024
    assert conf["resultConfiguration"] == {
        "outputLocation": f"s3://ll-demo-alice-query-results-{SUFFIX}/athena/",
        "encryptionConfiguration": {"encryptionOption": "SSE_S3"},
    }


def check_redshift_serverless(plan: Plan) -> None:
    ns = plan.named("aws:redshiftserverless/namespace:Namespace", "namespace").inputs
    assert ns["namespaceName"] == "ll-demo-alice-ns"
    assert ns["adminUserPassword"] == "[secret]"
    wg = plan.named("aws:redshiftserverless/workgroup:Workgroup", "workgroup").inputs
    assert (wg["workgroupName"], wg["baseCapacity"], wg["maxCapacity"]) == (
        "ll-demo-alice-wg",
        4,  # the smallest base capacity: the lab's warehouse holds megabytes, not 32 TB
        4,
    )
    assert wg["publiclyAccessible"] is False
    limit = plan.named("aws:redshiftserverless/usageLimit:UsageLimit", "usage-limit").inputs
    assert (limit["usageType"], limit["amount"], limit["period"], limit["breachAction"]) == (
        "serverless-compute",
        24,
        "weekly",
        "deactivate",
    )
    assert plan.of_type("random:index/randomPassword:RandomPassword")[0].name == "admin-password"


def check_iam(plan: Plan) -> None:
    user = plan.named("aws:iam/user:User", "learner").inputs
    assert user["name"] == "ll-demo-alice" and user["tags"] == STANDARD_TAGS
    doc = json.loads(plan.named("aws:iam/userPolicy:UserPolicy", "learner-policy").inputs["policy"])
    assert wildcard_resources(doc) == []
    resources = {res for s in doc["Statement"] for res in s["Resource"]}
    assert f"arn:aws:s3:::ll-demo-alice-gold-{SUFFIX}/*" in resources
    assert "arn:aws:athena:us-east-1:123456789012:workgroup/demo_alice_wg" in resources
    assert any(
        r.startswith("arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/")
        for r in resources
    )
    assert not any("bob" in r for r in resources)
    role = plan.named("aws:iam/role:Role", "glue-role").inputs
    trust = json.loads(role["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "glue.amazonaws.com"}
    glue_doc = json.loads(
        plan.named("aws:iam/rolePolicy:RolePolicy", "glue-role-policy").inputs["policy"]
    )
    assert wildcard_resources(glue_doc) == []
    # The learner and the Glue role (the dbt job's) reach dbt's marts as they reach gold: the
    # same Catalog statement, the database and its tables; the marts' files are under `_dbt/`
    # in the gold bucket, whose objects both may write.
    glue = "arn:aws:glue:us-east-1:123456789012"
    for document in (doc, glue_doc):
        granted = reach(document)
        assert granted.databases == {f"demo_alice_{x}" for x in ("bronze", "silver", "gold", "dbt")}
        assert f"ll-demo-alice-gold-{SUFFIX}" in granted.writable_buckets
        catalog = next(st for st in document["Statement"] if st["Sid"] == "Catalog")
        for db in ("demo_alice_gold", "demo_alice_dbt"):
            assert {f"{glue}:database/{db}", f"{glue}:table/{db}/*"} <= set(catalog["Resource"])
        assert {"glue:CreateTable", "glue:DeleteTable", "glue:GetTableVersions"} <= set(
            catalog["Action"]
        )


def check_budget(plan: Plan) -> None:
    budget = plan.named("aws:budgets/budget:Budget", "budget").inputs
    assert (budget["limitAmount"], budget["limitUnit"], budget["timeUnit"]) == (
        "40.00",
        "USD",
        "MONTHLY",
    )
    assert budget["filterExpression"] == {
        "ands": [
            {"tags": {"key": "cohort", "values": ["demo"]}},
            {"tags": {"key": "learner", "values": ["alice"]}},
        ]
    }
    thresholds = sorted((n["notificationType"], n["threshold"]) for n in budget["notifications"])
    assert thresholds == [
        ("ACTUAL", 50.0),
        ("ACTUAL", 80.0),
        ("ACTUAL", 100.0),
        ("FORECASTED", 100.0),
    ]
    assert all(
        n["subscriberEmailAddresses"] == ["alice@example.com"] for n in budget["notifications"]
    )


def check_provider_and_components(plan: Plan) -> None:
    provider = plan.named("pulumi:providers:aws", "aws").inputs
    assert provider["region"] == "us-east-1"
    components = sorted(r.type for r in plan.resources if not r.custom)
    assert components == sorted(
        f"lakelab:aws:{c}"
        for c in (
            "LearnerLab",
            "LakeStorage",
            "GlueServiceRole",
            "Catalog",
            "MedallionJobs",
            "DbtJob",
            "PipelineWorkflow",
            "QueryWorkgroup",
            "Warehouse",
            "LearnerIdentity",
            "LearnerBudget",
        )
    )


def check_outputs(plan: Plan) -> None:
    out = plan.outputs
    assert out["lake"]["bronze"] == {
        "name": f"ll-demo-alice-bronze-{SUFFIX}",
        "uri": f"s3://ll-demo-alice-bronze-{SUFFIX}/",
    }
    assert out["catalogs"] == {
        "bronze": "demo_alice_bronze",
        "silver": "demo_alice_silver",
        "gold": "demo_alice_gold",
        "dbt": "demo_alice_dbt",
    }
    assert out["query"]["workgroup"] == "demo_alice_wg"
    assert out["warehouse"]["endpoint"].endswith(".redshift-serverless.amazonaws.com:5439")
    assert out["identity"]["arn"] == "arn:aws:iam::123456789012:user/ll-demo-alice"
    assert out["cost_inputs"]["glue_workers"] == 2


def test_aws_lab(aws_plan: Plan) -> None:
    for check in (
        check_buckets,
        check_bucket_guards,
        check_versioning_and_lifecycle,
        check_glue,
        check_artifacts_uploaded,
        check_workflow_triggers,
        check_athena,
        check_redshift_serverless,
        check_iam,
        check_budget,
        check_provider_and_components,
        check_outputs,
    ):
        check(aws_plan)


def test_aws_resource_count(aws_plan: Plan) -> None:
    # Among them 4 Glue databases: one per catalog layer and dbt's marts (check_glue).
    assert aws_plan.to_json()["summary"]["resources"] == 69


def test_every_taggable_aws_resource_is_tagged(aws_plan: Plan) -> None:
    tagged = [r for r in aws_plan.resources if r.custom and "tags" in r.inputs]
    assert len(tagged) == 31
    for r in tagged:
        assert STANDARD_TAGS.items() <= r.inputs["tags"].items(), r.urn
