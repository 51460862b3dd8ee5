"""IAM: the Glue service role and the learner's own identity, both least privilege.

The policy documents come from `lakelab.clouds.aws.access`, the same documents the local twin
enforces.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from infra.component import LabComponent
from lakelab.blueprint import Blueprint
from lakelab.clouds.aws.access import assume_role_policy, aws_learner_policy, glue_role_policy
from lakelab.clouds.aws.names import AwsNames


class GlueServiceRole(LabComponent):
    """The role Glue jobs and the crawler run as: the learner's lake and catalog only."""

    def __init__(
        self,
        name: str,
        bp: Blueprint,
        account_id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("lakelab:aws:GlueServiceRole", name, bp.tags, opts)
        self.role = aws.iam.Role(
            "glue-role",
            name=AwsNames.of(bp).glue_role,
            assume_role_policy=json.dumps(assume_role_policy({"Service": "glue.amazonaws.com"})),
            tags=self.tags,
            opts=self.child(),
        )
        aws.iam.RolePolicy(
            "glue-role-policy",
            name="lakelab-glue",
            role=self.role.id,
            policy=pulumi.Output.from_input(account_id).apply(
                lambda account: json.dumps(glue_role_policy(bp, account))
            ),
            opts=self.child(parent=self.role),
        )
        self.register_outputs({"arn": self.role.arn})


class LearnerIdentity(LabComponent):
    """An IAM user (or, with `access.identity: role`, a role the learner's SSO principal
    assumes) whose only policy reaches the learner's own resources."""

    identity: aws.iam.User | aws.iam.Role

    def __init__(
        self,
        name: str,
        bp: Blueprint,
        account_id: pulumi.Input[str],
        warehouse_arns: Sequence[pulumi.Input[str]],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("lakelab:aws:LearnerIdentity", name, bp.tags, opts)
        document = pulumi.Output.all(account_id, *warehouse_arns).apply(
            lambda values: json.dumps(aws_learner_policy(bp, values[0], values[1:]))
        )
        if bp.access.identity == "user":
            user = aws.iam.User(
                "learner",
                name=AwsNames.of(bp).iam_user,
                force_destroy=True,
                tags=self.tags,
                opts=self.child(),
            )
            aws.iam.UserPolicy(
                "learner-policy",
                name="lakelab-learner",
                user=user.name,
                policy=document,
                opts=self.child(parent=user),
            )
            self.identity = user
            self.kind = "iam-user"
        else:
            principal = bp.access.sso_principal_arn or ""
            role = aws.iam.Role(
                "learner",
                name=AwsNames.of(bp).iam_user,
                assume_role_policy=json.dumps(assume_role_policy({"AWS": principal})),
                max_session_duration=4 * 3600,
                tags=self.tags,
                opts=self.child(),
            )
            aws.iam.RolePolicy(
                "learner-policy",
                name="lakelab-learner",
                role=role.id,
                policy=document,
                opts=self.child(parent=role),
            )
            self.identity = role
            self.kind = "iam-role"
        self.policy_document = document
        self.register_outputs({"arn": self.identity.arn})
