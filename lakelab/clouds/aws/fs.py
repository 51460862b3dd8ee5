"""`s3://` for engines that read the lake directly (DuckDB), signed with the learner's keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lakelab.lakefs import ByteCounter, count_reads
from lakelab.profile import LearnerProfile

if TYPE_CHECKING:
    import fsspec


def s3_filesystem(profile: LearnerProfile, counter: ByteCounter) -> fsspec.AbstractFileSystem:
    """pyarrow's own S3 client (no DuckDB extension needed), counting bytes read."""
    from fsspec.implementations.arrow import ArrowFSWrapper
    from pyarrow import fs as pafs

    endpoint = profile.endpoint
    s3 = pafs.S3FileSystem(
        access_key=profile.key_id,
        secret_key=profile.secret,
        region=profile.region,
        endpoint_override=endpoint,
        scheme="http" if endpoint and endpoint.startswith("http://") else "https",
    )

    class S3(ArrowFSWrapper):  # type: ignore[misc]
        protocol = "s3"

    return count_reads(S3(s3), counter)
