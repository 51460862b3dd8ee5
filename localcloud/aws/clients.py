"""boto3 clients for the twin's AWS endpoint."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Final

import boto3  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

ACCOUNT: Final = "123456789012"
"""The account moto serves (its default)."""

_CONFIG: Final = Config(
    retries={"max_attempts": 3, "mode": "standard"},
    connect_timeout=3,
    read_timeout=60,
    s3={"addressing_style": "path"},
)


@dataclass(frozen=True)
class Target:
    """An AWS endpoint, the credentials to use there, and the region."""

    endpoint: str
    access_key_id: str
    secret_access_key: str
    region: str = "us-east-1"

    def client(self, service: str) -> Any:
        return _client(service, self.endpoint, self.access_key_id, self.secret_access_key, self.region)

    def in_region(self, region: str) -> Target:
        return Target(self.endpoint, self.access_key_id, self.secret_access_key, region)


@functools.lru_cache(maxsize=256)
def _client(service: str, endpoint: str, key: str, secret: str, region: str) -> Any:
    return _session().client(
        service,
        endpoint_url=endpoint,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        region_name=region,
        config=_CONFIG,
    )


@functools.lru_cache(maxsize=1)
def _session() -> Any:
    return boto3.session.Session()


def error_code(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def status_code(exc: Exception) -> int:
    if isinstance(exc, ClientError):
        return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
    return 0


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
