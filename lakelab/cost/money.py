"""Money as lakelab prints it."""

from __future__ import annotations


def usd(value: float) -> str:
    """Dollars to the cent; smaller amounts keep enough digits to be seen."""
    if value == 0:
        return "$0"
    if abs(value) < 0.01:
        return f"${value:.4f}"
    return f"${value:,.2f}"
