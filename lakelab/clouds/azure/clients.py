"""Azure Storage clients, with the one retry policy lakelab uses on Azure and on its twin.

Every blob client lakelab makes comes from `service`: the learner's lake, the twin's
provisioning and teardown. With no endpoint, the account's public blob endpoint is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from azure.storage.blob import BlobServiceClient


def account_url(endpoint: str | None, account: str) -> str:
    """The blob endpoint of an account: the twin's `<endpoint>/<account>` or Azure's own."""
    return f"{endpoint}/{account}" if endpoint else f"https://{account}.blob.core.windows.net"


def connection_string(endpoint: str | None, account: str, key: str) -> str:
    protocol = "http" if endpoint and endpoint.startswith("http://") else "https"
    return (
        f"DefaultEndpointsProtocol={protocol};AccountName={account};AccountKey={key};"
        f"BlobEndpoint={account_url(endpoint, account)};"
    )


def service(endpoint: str | None, account: str, key: str, *, retries: int = 2) -> BlobServiceClient:
    from azure.storage.blob import BlobServiceClient

    return BlobServiceClient(
        account_url=account_url(endpoint, account),
        credential={"account_name": account, "account_key": key},
        retry_total=retries,
        retry_backoff_factor=0.2,
        connection_timeout=5,
    )
