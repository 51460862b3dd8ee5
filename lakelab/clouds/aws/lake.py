"""The learner's lake on S3: one bucket per layer, signed with the learner's own keys."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

from lakelab.clouds.aws.clients import Target
from lakelab.clouds.aws.names import s3_uri
from lakelab.clouds.target import ProfileLake
from lakelab.profile import LearnerProfile

TRANSFER_THREADS: Final = 8


class S3Lake(ProfileLake):
    """Layers are buckets; the client signs as the learner (their IAM user's keys)."""

    def __init__(self, profile: LearnerProfile) -> None:
        super().__init__(profile)
        self.client: Any = Target(
            profile.endpoint, profile.key_id, profile.secret, profile.region
        ).client("s3")

    def uri(self, layer: str, key: str = "") -> str:
        return s3_uri(self.location(layer), key)

    def put(self, layer: str, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.location(layer), Key=key, Body=data)

    def get(self, layer: str, key: str) -> bytes:
        body: bytes = self.client.get_object(Bucket=self.location(layer), Key=key)["Body"].read()
        return body

    def versions(self, layer: str, prefix: str = "") -> dict[str, str]:
        found: dict[str, str] = {}
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.location(layer), Prefix=prefix
        ):
            found |= {o["Key"]: str(o.get("ETag", "")) for o in page.get("Contents", [])}
        return found

    def keys(self, layer: str, prefix: str = "") -> list[str]:
        return sorted(self.versions(layer, prefix))

    def delete(self, layer: str, keys: list[str]) -> None:
        # One DeleteObject per key: moto authorises the batch DeleteObjects call against the
        # bucket ARN rather than each object, which a least-privilege learner policy denies.
        bucket = self.location(layer)
        with ThreadPoolExecutor(TRANSFER_THREADS) as pool:
            list(pool.map(lambda k: self.client.delete_object(Bucket=bucket, Key=k), keys))
