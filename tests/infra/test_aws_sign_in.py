"""How an AWS learner gets in: a console password, an optional access key, or their SSO role.

The program runs under Pulumi's mock runtime (the engine and AWS cannot run here); the mocks
return what the provider documents for a create (a login profile's `password`, an access
key's `id` and `secret`, both secret), and the checks read the declared inputs and outputs.
"""

from __future__ import annotations

from pathlib import Path

from lakelab.plan import SECRET, Plan, plan_stack

ACCOUNT = "123456789012"

STACK = """config:
  lakelab:cohort: demo
  lakelab:learner: {learner}
  lakelab:course: end-to-end-pipelines
  lakelab:cloud: aws
  lakelab:region: us-east-1
  lakelab:expires: "2030-06-30"
  lakelab:email: x@example.com
  lakelab:budgetUsd: 40
  lakelab:nameSeed: test-seed
{access}"""


def _plan(home: Path, learner: str, access: str) -> Plan:
    path = home / "stacks" / f"Pulumi.demo-{learner}-aws.yaml"
    path.write_text(STACK.format(learner=learner, access=access))
    return plan_stack(f"demo-{learner}-aws")


def check_login_profile(plan: Plan, user: str) -> None:
    login = plan.named("aws:iam/userLoginProfile:UserLoginProfile", "learner-login")
    assert login.inputs == {"user": user, "passwordLength": 20, "passwordResetRequired": True}
    assert login.parent is not None and login.parent.endswith("aws:iam/user:User::learner")
    # A required reset needs the right to change one's own password.
    attached = plan.named(
        "aws:iam/userPolicyAttachment:UserPolicyAttachment", "learner-change-password"
    )
    assert attached.inputs == {
        "user": user,
        "policyArn": "arn:aws:iam::aws:policy/IAMUserChangePassword",
    }


def check_access_key(plan: Plan, user: str) -> None:
    key = plan.named("aws:iam/accessKey:AccessKey", "learner-key")
    assert key.inputs == {"user": user}


def check_secret_outputs(plan: Plan, *, with_key: bool) -> None:
    identity = plan.outputs["identity"]
    assert identity["sign_in_url"] == f"https://{ACCOUNT}.signin.aws.amazon.com/console"
    assert identity["initial_password"] == SECRET
    if with_key:
        assert identity["access_key_id"] == SECRET
        assert identity["secret_access_key"] == SECRET
    else:
        assert "access_key_id" not in identity and "secret_access_key" not in identity


def test_demo_learner_gets_a_password_and_no_access_key(aws_plan: Plan) -> None:
    check_login_profile(aws_plan, "ll-demo-alice")
    assert aws_plan.of_type("aws:iam/accessKey:AccessKey") == []
    check_secret_outputs(aws_plan, with_key=False)


def test_access_key_is_opt_in(scratch_home: Path) -> None:
    plan = _plan(scratch_home, "carol", "  lakelab:access:\n    accessKey: true\n")
    user = plan.named("aws:iam/user:User", "learner").inputs["name"]
    check_login_profile(plan, user)
    check_access_key(plan, user)
    check_secret_outputs(plan, with_key=True)


def test_no_console_password_when_turned_off(scratch_home: Path) -> None:
    plan = _plan(scratch_home, "dora", "  lakelab:access:\n    consolePassword: false\n")
    assert plan.of_type("aws:iam/userLoginProfile:UserLoginProfile") == []
    assert plan.of_type("aws:iam/userPolicyAttachment:UserPolicyAttachment") == []
    assert "initial_password" not in plan.outputs["identity"]


def test_role_learner_signs_in_through_sso(scratch_home: Path) -> None:
    principal = f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_x"
    access = f"  lakelab:access:\n    identity: role\n    ssoPrincipalArn: {principal}\n"
    plan = _plan(scratch_home, "erin", access)
    assert plan.of_type("aws:iam/user:User") == []
    assert plan.of_type("aws:iam/userLoginProfile:UserLoginProfile") == []
    assert plan.outputs["identity"]["kind"] == "iam-role"
    assert plan.outputs["identity"]["assumed_by"] == principal
