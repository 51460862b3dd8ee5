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
from lakelab.clouds.aws.access import (
    CHANGE_OWN_PASSWORD_POLICY_ARN,
    INITIAL_PASSWORD_LENGTH,
    assume_role_policy,
    aws_learner_policy,
    console_sign_in_url,
    glue_role_policy,
)
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
    assumes) whose only policy reaches the learner's own resources.

    A user gets a console password (reset at first sign-in) and, with `access.accessKey`, an
    access key; both are secret stack outputs that `lakelab cohort credentials` hands out.
    """

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
        self.policy_document = document
        self.sign_in: dict[str, pulumi.Input[str]] = {}
        if bp.access.identity == "user":
            self.identity = self._user(bp, document, account_id)
            self.kind = "iam-user"
        else:
            self.identity = self._role(bp, document)
            self.kind = "iam-role"
        self.register_outputs({"arn": self.identity.arn})

    def _user(
        self, bp: Blueprint, document: pulumi.Output[str], account_id: pulumi.Input[str]
    ) -> aws.iam.User:
        user = aws.iam.User(
            "learner",
            aws.iam.UserArgs(name=AwsNames.of(bp).iam_user, force_destroy=True, tags=self.tags),
            opts=self.child(),
        )
        aws.iam.UserPolicy(
            "learner-policy",
            aws.iam.UserPolicyArgs(name="lakelab-learner", user=user.name, policy=document),
            opts=self.child(parent=user),
        )
        if bp.access.console_password:
            aws.iam.UserPolicyAttachment(
                "learner-change-password",
                aws.iam.UserPolicyAttachmentArgs(
                    user=user.name, policy_arn=CHANGE_OWN_PASSWORD_POLICY_ARN
                ),
                opts=self.child(parent=user),
            )
            login = aws.iam.UserLoginProfile(
                "learner-login",
                aws.iam.UserLoginProfileArgs(
                    user=user.name,
                    password_length=INITIAL_PASSWORD_LENGTH,
                    password_reset_required=True,
                ),
                opts=self.child(parent=user),
            )
            self.sign_in["sign_in_url"] = pulumi.Output.from_input(account_id).apply(
                console_sign_in_url
            )
            self.sign_in["initial_password"] = pulumi.Output.secret(login.password)
        if bp.access.access_key:
            key = aws.iam.AccessKey(
                "learner-key",
                aws.iam.AccessKeyArgs(user=user.name),
                opts=self.child(parent=user),
            )
            self.sign_in["access_key_id"] = pulumi.Output.secret(key.id)
            self.sign_in["secret_access_key"] = pulumi.Output.secret(key.secret)
        return user

    def _role(self, bp: Blueprint, document: pulumi.Output[str]) -> aws.iam.Role:
        principal = bp.access.sso_principal_arn or ""
        role = aws.iam.Role(
            "learner",
            aws.iam.RoleArgs(
                name=AwsNames.of(bp).iam_user,
                assume_role_policy=json.dumps(assume_role_policy({"AWS": principal})),
                max_session_duration=4 * 3600,
                tags=self.tags,
            ),
            opts=self.child(),
        )
        aws.iam.RolePolicy(
            "learner-policy",
            aws.iam.RolePolicyArgs(name="lakelab-learner", role=role.id, policy=document),
            opts=self.child(parent=role),
        )
        self.sign_in["assumed_by"] = principal
        return role
