"""The lab's source systems, served over HTTP on 127.0.0.1: a file server and the web-orders API.

`lakelab lab run ingest-and-land` starts them inside its own process on a free port for the
duration of each pipeline run. Learners writing their own pipeline start them in a second
terminal and leave them running:

    python -m labs.ingest_and_land.sources --stack demo-alice-aws [--port 8765] [--recovered]

Routes:

    GET /health
    GET /files/store_sales_2026-03.csv          the till export (no auth)
    GET /files/store_sales_2026-03.csv.sha256   its checksum, `<sha256>  <file name>`
    GET /api/v1/orders?page=N                   100 orders a page; `Authorization: Bearer <token>`

Faults, the same on every run (see `generator.FaultPlan`):

- the first CSV download after a complete one stops short, with a 200 and a matching
  Content-Length: only the checksum tells;
- two pages answer 429 with `Retry-After: 1` once; four pages answer 500 once or twice;
- three consecutive pages are in a maintenance window: 503 on every request (the body names the
  window), unless the server runs with `--recovered` (the window is over).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from labs.ingest_and_land.generator import CSV_NAME, ShopSource, api_token, generate

CSV_PATH = f"/files/{CSV_NAME}"
SHA_PATH = f"{CSV_PATH}.sha256"
API_PATH = "/api/v1/orders"
THROTTLE_RETRY_AFTER = 1


@dataclass(frozen=True)
class Endpoint:
    base_url: str
    token: str

    @property
    def csv_url(self) -> str:
        return self.base_url + CSV_PATH

    @property
    def sha_url(self) -> str:
        return self.base_url + SHA_PATH

    @property
    def api_url(self) -> str:
        return self.base_url + API_PATH

    def as_dict(self) -> dict[str, str]:
        return {
            "base_url": self.base_url,
            "csv_url": self.csv_url,
            "sha256_url": self.sha_url,
            "api_url": self.api_url,
            "token": self.token,
        }


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the client logs
        pass

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.server.app.count(self.path, status)

    def _json(self, status: int, doc: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(doc).encode(), "application/json", headers)

    def do_GET(self) -> None:
        app = self.server.app
        url = urlsplit(self.path)
        if url.path == "/health":
            self._json(200, {"status": "ok"})
        elif url.path == CSV_PATH:
            body = app.csv_body()
            self._send(200, body, "text/csv; charset=utf-8", {"ETag": f'"{app.csv_etag}"'})
        elif url.path == SHA_PATH:
            self._send(200, f"{app.source.csv_sha256}  {CSV_NAME}\n".encode(), "text/plain")
        elif url.path == API_PATH:
            self._orders(parse_qs(url.query))
        else:
            self._json(404, {"error": "not found", "path": url.path})

    def _orders(self, query: dict[str, list[str]]) -> None:
        app = self.server.app
        if self.headers.get("Authorization", "") != f"Bearer {app.token}":
            self._json(
                401, {"error": "unauthorized"}, {"WWW-Authenticate": 'Bearer realm="orders"'}
            )
            return
        try:
            page = int(query.get("page", ["1"])[0])
        except ValueError:
            self._json(400, {"error": "page must be an integer"})
            return
        if not 1 <= page <= app.source.total_pages:
            self._json(404, {"error": "page out of range", "total_pages": app.source.total_pages})
            return
        status = app.next_status(page)
        if status == 200:
            self._send(200, app.source.pages[page - 1], "application/json")
        elif status == 429:
            self._json(429, {"error": "rate limited"}, {"Retry-After": str(THROTTLE_RETRY_AFTER)})
        elif status == 503:
            window = app.source.faults.outage_window
            self._json(503, {"error": "maintenance", "window": window})
        else:
            self._json(500, {"error": "internal server error"})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    app: SourceServer


class SourceServer:
    """Both sources on one port. Use as a context manager, or `start()` / `stop()`."""

    def __init__(
        self, source: ShopSource, token: str, *, port: int = 0, recovered: bool = False
    ) -> None:
        self.source = source
        self.token = token
        self.recovered = recovered
        self.csv_etag = source.csv_sha256[:16]
        self.responses: Counter[tuple[str, int]] = Counter()
        self._lock = threading.Lock()
        self._pending: dict[int, int] = {}  # page -> index into its fault list
        self._csv_cut_next = source.faults.csv_truncated_first
        self._httpd = _Server(("127.0.0.1", port), _Handler)
        self._httpd.app = self
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> Endpoint:
        host, port = self._httpd.server_address[:2]
        return Endpoint(f"http://{host!s}:{port}", self.token)

    def start(self) -> Endpoint:
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self.endpoint

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Endpoint:
        return self.start()

    def __exit__(
        self, exc: type[BaseException] | None, val: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- behaviour -------------------------------------------------------------------------
    def count(self, path: str, status: int) -> None:
        kind = "api" if path.startswith(API_PATH) else "files" if path.startswith("/files") else ""
        with self._lock:
            self.responses[(kind, status)] += 1

    def csv_body(self) -> bytes:
        with self._lock:
            cut, self._csv_cut_next = self._csv_cut_next, not self._csv_cut_next
        if not cut:
            return self.source.csv_bytes
        data = self.source.csv_bytes
        return data[: int(len(data) * 0.62)]

    def faults_of(self, page: int) -> list[int]:
        plan = self.source.faults
        if page in plan.outage and not self.recovered:
            return [503]
        return [429] * (page in plan.throttled) + [500] * plan.flaky.get(page, 0)

    def next_status(self, page: int) -> int:
        faults = self.faults_of(page)
        if faults == [503]:
            return 503
        with self._lock:
            i = self._pending.get(page, 0)
            if i < len(faults):
                self._pending[page] = i + 1
                return faults[i]
            self._pending[page] = 0  # served: the next run meets the same faults
            return 200


def default_seed() -> int:
    from lakelab.labs.framework import LabContext

    seed = next(f.default for f in dataclasses.fields(LabContext) if f.name == "seed")
    assert isinstance(seed, int)
    return seed


def serve(stack: str, seed: int, *, port: int = 0, recovered: bool = False) -> SourceServer:
    return SourceServer(generate(seed), api_token(seed, stack), port=port, recovered=recovered)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m labs.ingest_and_land.sources",
        description="Serve the ingest-and-land sources on 127.0.0.1 until interrupted.",
    )
    parser.add_argument("--stack", required=True, help="the learner's stack (sets the token)")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--recovered", action="store_true", help="the outage window is over")
    args = parser.parse_args(argv)
    server = serve(args.stack, default_seed(), port=args.port, recovered=args.recovered)
    endpoint = server.endpoint
    print(f"serving the ingest-and-land sources for {args.stack} (Ctrl-C stops)")
    print(f"export SHOP_FILES_URL={endpoint.base_url}/files")
    print(f"export SHOP_API_URL={endpoint.api_url}")
    print(f"export SHOP_API_TOKEN={endpoint.token}")
    if args.recovered:
        print("the maintenance window is over: every page can be served")
    sys.stdout.flush()  # the URLs must reach a pipe or a log at once
    server.start()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
