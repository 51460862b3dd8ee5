"""The sources' side of the failure drills: the catalogue API and the export outbox.

**Catalogue API.** `GET /v1/catalogue?as_of=YYYY-MM-DD` answers with the products on sale that
day as JSON. The daily job serves it in-process on a free local port (`CatalogueApi`), so the
lab needs no network. The provider's status lives in the lab's work folder
(`provider.json`): while it is *down*, the endpoint the job is given refuses connections, like
a service whose load balancer has no healthy target.

**Outbox.** The exporters keep what they sent; `redeliver` lands a day's file again, byte for
byte (the generator is deterministic, so the outbox is the generator).

From a shell, as the sources' side:

    python -m labs.failure_drills source status  --stack S
    python -m labs.failure_drills source restore --stack S    # the API outage is over
    python -m labs.failure_drills source redeliver --stack S --file orders/2026-05-06-pos.csv
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qs, urlparse

from labs.failure_drills.generator import Source
from labs.medallion.generator import product_text

PROVIDER_FILE: Final = "provider.json"


def provider_state(work_dir: Path) -> dict[str, Any]:
    path = work_dir / PROVIDER_FILE
    return json.loads(path.read_text()) if path.is_file() else {"catalogue_api": "up"}


def provider_up(work_dir: Path) -> bool:
    return provider_state(work_dir).get("catalogue_api") != "down"


def set_provider(work_dir: Path, up: bool, note: str = "") -> dict[str, Any]:
    state = {
        "catalogue_api": "up" if up else "down",
        "since": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "note": note,
    }
    (work_dir / PROVIDER_FILE).write_text(json.dumps(state, indent=2))
    return state


def _closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class _Handler(BaseHTTPRequestHandler):
    source: Source

    def do_GET(self) -> None:
        url = urlparse(self.path)
        if url.path != "/v1/catalogue":
            self._send(404, {"error": "not found"})
            return
        try:
            as_of = date.fromisoformat(parse_qs(url.query)["as_of"][0])
        except (KeyError, ValueError):
            self._send(400, {"error": "as_of=YYYY-MM-DD is required"})
            return
        products = [product_text(p) for p in self.source.catalogue(as_of)]
        self._send(200, {"as_of": as_of.isoformat(), "products": products})

    def _send(self, status: int, doc: dict[str, Any]) -> None:
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return


@contextmanager
def catalogue_api(source: Source, work_dir: Path) -> Iterator[str]:
    """The API's base URL for the length of the block: served when the provider is up, a
    refusing port when it is down."""
    if not provider_up(work_dir):
        yield f"http://127.0.0.1:{_closed_port()}"
        return
    handler = type("Handler", (_Handler,), {"source": source})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
