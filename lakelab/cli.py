"""The `lakelab` console script's entry point (the app itself is `lakelab.app`)."""

from __future__ import annotations

from lakelab.app.main import app, main

__all__ = ["app", "main"]
