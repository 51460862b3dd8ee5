"""`abfs://<container>/<path>` for engines that read the lake directly (DuckDB), through
adlfs on the blob API (the twin's Azurite has no dfs endpoint)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lakelab.clouds.azure.clients import connection_string
from lakelab.lakefs import ByteCounter, count_reads
from lakelab.profile import LearnerProfile

if TYPE_CHECKING:
    import fsspec


def blob_filesystem(profile: LearnerProfile, counter: ByteCounter) -> fsspec.AbstractFileSystem:
    from adlfs import AzureBlobFileSystem

    conn = connection_string(profile.endpoint, profile.key_id, profile.secret)
    return count_reads(AzureBlobFileSystem(connection_string=conn), counter)
