"""What one scan-priced query bills (Athena, Synapse serverless SQL), from the catalog.

Both round the bytes a query reads up to the next MB and bill at least their per-query
minimum (10 MB), at a price per TB; MB and TB are binary, as in the catalog's `mb_per_tb`.
"""

from __future__ import annotations

import math
from typing import Final

from lakelab.cost.catalog import load_catalog

# The catalog price each query engine of `lakelab sql` bills at.
SCAN_PRICES: Final[dict[str, str]] = {
    "athena": "athena_tb_scanned",
    "synapse-serverless": "synapse_serverless_tb_processed",
}
MB: Final = 1024 * 1024


def billed_bytes(engine: str, bytes_scanned: int) -> int:
    minimum_mb = load_catalog().minimum(SCAN_PRICES[engine])
    mb = max(math.ceil(bytes_scanned / MB), minimum_mb)
    return int(mb * MB)


def query_usd(engine: str, bytes_scanned: int) -> float:
    cat = load_catalog()
    mb_per_tb = cat.value("mb_per_tb")
    return billed_bytes(engine, bytes_scanned) / MB / mb_per_tb * cat.usd(SCAN_PRICES[engine])
