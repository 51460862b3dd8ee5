"""Resource rules that keep a learner's data private and tagged: tags, no public storage,
encryption at rest, firewall ranges, deletable buckets, no wildcard in the learner's IAM.
Each validates one resource as the Pulumi engine sees it (camelCase properties), inside
`pulumi preview` and offline against `lakelab plan` alike."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from pulumi_policy import (
    ResourceValidationArgs,
)

from lakelab.clouds.aws.access import wildcard_resources
from policies.base import (
    BUCKET,
    BUCKET_ACLS,
    BUCKET_POLICY,
    BUCKET_SSE,
    FIREWALL_RULE,
    PUBLIC_ACCESS_BLOCK,
    PUBLIC_CANNED_ACLS,
    PUBLIC_GRANTEES,
    REQUIRED_TAGS,
    TAGGABLE_TYPES,
    Findings,
    known,
    org,
)

# --- resource rules ---------------------------------------------------------------------------


def required_tags(args: ResourceValidationArgs, found: Findings) -> None:
    if args.resource_type not in TAGGABLE_TYPES:
        return
    tags = known(args.props, "tags") or {}
    missing = [t for t in REQUIRED_TAGS if not tags.get(t)]
    if missing:
        found.violation(f"{args.name}: missing required tags {', '.join(missing)}", args.urn)


def _public_statements(document: Any) -> list[str]:
    """Sids (or indexes) of Allow statements whose principal is everyone."""
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    if isinstance(statements, dict):
        statements = [statements]
    out = []
    for index, st in enumerate(statements):
        if st.get("Effect") != "Allow":
            continue
        principal = st.get("Principal")
        values: list[Any] = []
        if principal == "*":
            values = ["*"]
        elif isinstance(principal, dict):
            for v in principal.values():
                values += v if isinstance(v, list) else [v]
        if "*" in values or "NotPrincipal" in st:
            out.append(str(st.get("Sid") or index))
    return out


def no_public_storage(args: ResourceValidationArgs, found: Findings) -> None:
    p, name, urn = args.props, args.name, args.urn
    if args.resource_type == PUBLIC_ACCESS_BLOCK:
        flags = (
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        )
        off = [f for f in flags if known(p, f) is not True]
        if off:
            found.violation(f"{name}: public access block must set {', '.join(off)} to true", urn)
    elif args.resource_type == BUCKET:
        acl = known(p, "acl")
        if acl in PUBLIC_CANNED_ACLS:
            found.violation(f"{name}: bucket ACL {acl} makes objects public", urn)
    elif args.resource_type in BUCKET_ACLS:

        def canned() -> None:
            acl = known(p, "acl")
            if acl in PUBLIC_CANNED_ACLS:
                found.violation(f"{name}: bucket ACL {acl} makes objects public", urn)

        def grants() -> None:
            policy = known(p, "accessControlPolicy") or {}
            for grant in policy.get("grants") or []:
                uri = (grant.get("grantee") or {}).get("uri")
                if uri in PUBLIC_GRANTEES:
                    found.violation(
                        f"{name}: bucket ACL grants {grant.get('permission')} to {uri}", urn
                    )

        found.check(name, urn, canned)
        found.check(name, urn, grants)
    elif args.resource_type == BUCKET_POLICY:
        text = known(p, "policy")
        document = json.loads(text) if isinstance(text, str) else text
        public = _public_statements(document)
        if public:
            found.violation(
                f"{name}: bucket policy allows everyone (Principal *) in statement"
                f" {', '.join(public)}",
                urn,
            )
    elif args.resource_type == "azure-native:storage:StorageAccount":
        if known(p, "allowBlobPublicAccess") is not False:
            found.violation(f"{name}: allowBlobPublicAccess must be false", urn)
    elif args.resource_type == "azure-native:storage:BlobContainer":
        access = known(p, "publicAccess")
        if access not in (None, "None"):
            found.violation(f"{name}: container public access is {access}", urn)


def encryption_at_rest(args: ResourceValidationArgs, found: Findings) -> None:
    p, name, urn = args.props, args.name, args.urn
    if args.resource_type == "azure-native:storage:StorageAccount":

        def blob() -> None:
            if known(p, "encryption", "services", "blob", "enabled") is not True:
                found.violation(f"{name}: blob encryption at rest must be enabled", urn)

        def transport() -> None:
            https, tls = known(p, "enableHttpsTrafficOnly"), known(p, "minimumTlsVersion")
            if https is not True or tls != "TLS1_2":
                found.violation(f"{name}: storage must require HTTPS and TLS 1.2", urn)

        found.check(name, urn, blob)
        found.check(name, urn, transport)
    elif args.resource_type == "aws:redshift/cluster:Cluster":
        if str(known(p, "encrypted")).lower() != "true":
            found.violation(f"{name}: Redshift cluster must be encrypted", urn)
    elif args.resource_type == BUCKET_SSE:
        rules = known(p, "rules") or []
        algorithms = [
            (r.get("applyServerSideEncryptionByDefault") or {}).get("sseAlgorithm") for r in rules
        ]
        if not any(a in ("AES256", "aws:kms", "aws:kms:dsse") for a in algorithms):
            found.violation(f"{name}: no default server-side encryption algorithm", urn)


def firewall_range(args: ResourceValidationArgs, found: Findings) -> None:
    """However a rule is written (one range, any start and end), it admits few addresses."""
    if args.resource_type != FIREWALL_RULE:
        return
    cap = org().network.max_firewall_addresses
    start, end = known(args.props, "startIpAddress"), known(args.props, "endIpAddress")
    try:
        first, last = ipaddress.IPv4Address(start), ipaddress.IPv4Address(end)
    except ValueError:
        found.violation(f"{args.name}: {start}-{end} is not an IPv4 range", args.urn)
        return
    size = int(last) - int(first) + 1
    if size > cap:
        share = size / 2**32
        found.violation(
            f"{args.name}: firewall rule {first}-{last} admits {size} addresses"
            f" ({share:.0%} of the internet); at most {cap}",
            args.urn,
        )


def buckets_force_destroy(args: ResourceValidationArgs, found: Findings) -> None:
    if args.resource_type == BUCKET and known(args.props, "forceDestroy") is not True:
        found.violation(
            f"{args.name}: bucket must set forceDestroy so teardown is never blocked", args.urn
        )


def learner_iam_no_wildcards(args: ResourceValidationArgs, found: Findings) -> None:
    if args.resource_type not in ("aws:iam/userPolicy:UserPolicy", "aws:iam/rolePolicy:RolePolicy"):
        return
    policy = known(args.props, "policy")
    document = json.loads(policy) if isinstance(policy, str) else policy
    hits = wildcard_resources(document or {})
    if hits:
        found.violation(
            f"{args.name}: policy grants wildcard resources {', '.join(sorted(set(hits)))}",
            args.urn,
        )
