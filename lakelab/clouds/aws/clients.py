"""boto3 clients, with the one retry policy lakelab uses on AWS and on its twin.

Every boto3 client lakelab makes comes from `Target.client`: the learner's lake, the catalog
registration, the twin's provisioning and the cohort sweep. A `Target` with no endpoint
reaches AWS itself.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import Any, Final

ACCOUNT: Final = "123456789012"
"""The account moto serves (its default)."""

_lock = threading.Lock()


@dataclass(frozen=True)
class Target:
    """An AWS endpoint, the credentials to use there, and the region."""

    endpoint: str | None
    access_key_id: str
    secret_access_key: str
    region: str = "us-east-1"

    def client(self, service: str) -> Any:
        return _client(
            service, self.endpoint, self.access_key_id, self.secret_access_key, self.region
        )

    def in_region(self, region: str) -> Target:
        return Target(self.endpoint, self.access_key_id, self.secret_access_key, region)


@functools.lru_cache(maxsize=256)
def _client(service: str, endpoint: str | None, key: str, secret: str, region: str) -> Any:
    from botocore.config import Config

    config = Config(
        retries={"max_attempts": 3, "mode": "standard"},
        # Lakes transfer with 8 threads; leave room for listing beside them.
        max_pool_connections=16,
        connect_timeout=3,
        read_timeout=60,
        s3={"addressing_style": "path"},
    )
    with _lock:  # creating clients from one session is not thread-safe
        return _session().client(
            service,
            endpoint_url=endpoint or None,
            # No key: boto3's own chain (environment, profile, SSO, instance role).
            aws_access_key_id=key or None,
            aws_secret_access_key=secret or None,
            region_name=region,
            config=config,
        )


@functools.lru_cache(maxsize=1)
def _session() -> Any:
    import boto3

    return boto3.session.Session()


def warm_up(
    endpoint: str, services: tuple[str, ...] = ("s3", "glue", "athena", "iam", "sts")
) -> None:
    """Load boto3 and the services' API models (the slow part of a first client)."""
    for service in services:
        _client(service, endpoint, "warm-up", "warm-up", "us-east-1")


def _response(exc: Exception) -> dict[str, Any]:
    response = getattr(exc, "response", None)
    return response if isinstance(response, dict) else {}


def error_code(exc: Exception) -> str:
    return str(_response(exc).get("Error", {}).get("Code", ""))


def status_code(exc: Exception) -> int:
    return int(_response(exc).get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)


def is_missing(exc: Exception) -> bool:
    return status_code(exc) == 404 or error_code(exc) in {
        "NoSuchBucket",
        "NoSuchEntity",
        "EntityNotFoundException",
        "InvalidRequestException",
        "NoSuchTagSet",
        "NoSuchPublicAccessBlockConfiguration",
        "ServerSideEncryptionConfigurationNotFoundError",
        "ResourceNotFoundException",
    }
