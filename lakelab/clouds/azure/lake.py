"""The learner's lake on Azure Storage: one container per layer, with the account key.

The blob API is used on purpose: the twin's Azurite has no ADLS Gen2 (dfs) endpoint, and
the blob API works against real ADLS Gen2 accounts too.
"""

from __future__ import annotations

from lakelab.clouds.azure.clients import service
from lakelab.clouds.azure.names import abfs_uri
from lakelab.clouds.target import ProfileLake
from lakelab.profile import LearnerProfile


class BlobLake(ProfileLake):
    """Layers are containers of the learner's storage account."""

    def __init__(self, profile: LearnerProfile) -> None:
        super().__init__(profile)
        self.service = service(profile.endpoint, profile.key_id, profile.secret)

    def uri(self, layer: str, key: str = "") -> str:
        return abfs_uri(self.location(layer), key)

    def put(self, layer: str, key: str, data: bytes) -> None:
        self.service.get_blob_client(self.location(layer), key).upload_blob(data, overwrite=True)

    def get(self, layer: str, key: str) -> bytes:
        return self.service.get_blob_client(self.location(layer), key).download_blob().readall()

    def versions(self, layer: str, prefix: str = "") -> dict[str, str]:
        container = self.service.get_container_client(self.location(layer))
        blobs = container.list_blobs(name_starts_with=prefix or None)
        return {b.name: str(b.etag or "") for b in blobs}

    def keys(self, layer: str, prefix: str = "") -> list[str]:
        return sorted(self.versions(layer, prefix))

    def delete(self, layer: str, keys: list[str]) -> None:
        container = self.service.get_container_client(self.location(layer))
        for start in range(0, len(keys), 256):
            chunk = keys[start : start + 256]
            if chunk:
                # Like S3: deleting a blob that is already gone is not an error.
                container.delete_blobs(*chunk, raise_on_any_failure=False)
