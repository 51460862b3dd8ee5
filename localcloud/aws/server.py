"""The twin's AWS emulator process: moto in server mode, made durable and resource-aware.

Run by `lakelab local up` as `python -m localcloud.aws.server --port N --data DIR`. It serves
moto's full API on 127.0.0.1 (S3, Glue, Athena, IAM/STS, Redshift and the rest of moto) and
adds three things moto does not do on its own:

- Durability. Each request that changed something and succeeded is appended to the journal
  (`localcloud.aws.journal`; what is journaled: `localcloud.aws.journaled_requests`) before
  the client gets its answer; on start the journal is replayed into moto before the port
  opens. Requests are handled one at a time, and moto's random source is seeded per write
  (moto's ids drawn from it: `localcloud.aws.moto_patches`), so a replay makes the same ids,
  keys and versions.
- Resource-level IAM for Glue and Athena (`localcloud.aws.authz`).
- IAM enforcement that survives restarts: with `--enforce`, enforcement is switched on right
  after the replay, so the port never serves a request unchecked.

Not emulated or not kept: STS sessions (`AssumeRole` credentials) do not survive a restart;
timestamps (creation dates, `LastModified`) are those of the replay; `POST /moto-api/reset`
is refused (use `lakelab local rm` or `lakelab local down --purge`).

Control endpoints, for lakelab only: `GET /_lakelab/health` and `POST /_lakelab/forget`
(`{"names": [...]}`: drop a removed learner's entries from the journal). These and moto's own
(`/moto-api/...`) answer only requests that carry the control token (`localcloud.aws.control`);
anyone else gets `403`. moto's `reset-auth` is not journaled, and not replayed from older
journals: the replay runs unchecked, and `--enforce` switches the checks on after it.

Presigned S3 URLs are checked like signed requests (`localcloud.aws.presigned`).
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from moto.moto_api._internal import mock_random
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server
from werkzeug.wsgi import get_input_stream

from localcloud.aws import authz, control, moto_patches, presigned
from localcloud.aws.athena_engine import AthenaEngine
from localcloud.aws.journal import Entry, Journal
from localcloud.aws.journaled_requests import (
    classify,
    headers_of,
    is_reset_auth,
    replay_environ,
    result_of,
)

log = logging.getLogger("lakelab.aws")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

WARM_UP = (
    ("iam", ""),
    ("sts", ""),
    ("s3", ""),
    ("glue", "AWSGlue.GetDatabases"),
    ("athena", "AmazonAthena.ListWorkGroups"),
)


def _call(app: WSGIApp, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured["status"] = status
        captured["headers"] = headers
        return lambda data: None

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return captured.get("status", "500 INTERNAL SERVER ERROR"), captured.get("headers", []), body


class TwinAwsApp:
    """WSGI app: moto behind a journal, one request at a time."""

    def __init__(self, moto_app: WSGIApp, journal: Journal, token: str) -> None:
        self.moto = moto_app
        self.journal = journal
        # The state folder's state.json names each learner's keys and profile.
        self.athena = AthenaEngine(journal.path.parent.parent / "state.json")
        self.token = token
        self.lock = threading.Lock()
        self.replayed = 0
        self.replay_failures = 0

    def warm_up(self) -> None:
        """Load the services the twin uses (moto imports each on its first request), one at a
        time between real requests. Run in the background when there was nothing to replay."""
        for service, target in WARM_UP:
            scope = f"warm-up/20250101/us-east-1/{service}/aws4_request"
            auth = f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=0"
            headers = {
                "Host": "127.0.0.1",
                "Authorization": auth,
                "Content-Type": "application/x-amz-json-1.1"
                if target
                else "application/x-www-form-urlencoded",
            }
            body = b""
            if target:
                headers["X-Amz-Target"] = target
                body = b"{}"
            elif service in ("iam", "sts"):
                body = b"Action=" + (b"ListUsers" if service == "iam" else b"GetCallerIdentity")
                body += b"&Version=" + (b"2010-05-08" if service == "iam" else b"2011-06-15")
            entry = Entry(0, "POST" if body else "GET", "/", headers, body)
            # The slow part, importing the service, runs outside the lock: a stop (SIGTERM)
            # waits on the lock, and must not wait for an import.
            for part in ("models", "responses", "urls"):
                importlib.import_module(f"moto.{service}.{part}")
            with self.lock:
                _call(self.moto, replay_environ(entry))

    def replay(self) -> None:
        started = time.monotonic()
        for entry in self.journal.entries():
            if is_reset_auth(entry.uri.partition("?")[0]):
                continue  # journaled by older versions; `--enforce` decides after the replay
            mock_random.seed(entry.seed)
            status, _, body = _call(self.moto, replay_environ(entry))
            self.replayed += 1
            if not status.startswith("2"):
                self.replay_failures += 1
                log.warning(
                    "replay of %s %s gave %s: %s", entry.method, entry.uri, status, body[:200]
                )
        log.info(
            "replayed %d journal entries (%d failed) in %.2fs",
            self.replayed,
            self.replay_failures,
            time.monotonic() - started,
        )

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO", "")
        method: str = environ["REQUEST_METHOD"]
        if control.is_control(path):
            if not control.presented(environ, self.token):
                return _reply(
                    start_response,
                    "403 FORBIDDEN",
                    {"error": f"forbidden: {path} is a control endpoint of the local twin"},
                )
            environ.pop(control.ENVIRON_KEY, None)  # never journaled
        if path.startswith("/_lakelab/"):
            return self._control(path, environ, start_response)
        if control.normalized(path) == "/moto-api/reset" and method == "POST":
            return _reply(
                start_response,
                "409 CONFLICT",
                {"error": "use `lakelab local rm` or `lakelab local down --purge` to remove data"},
            )
        body = get_input_stream(environ).read()
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["wsgi.input_terminated"] = False
        headers = headers_of(environ)
        query: str = environ.get("QUERY_STRING", "")
        raw_uri: str = environ.get("RAW_URI") or environ.get("REQUEST_URI") or path
        raw_path = raw_uri.split("?", 1)[0]
        uri = raw_path + (f"?{query}" if query else "")
        changes, refs = classify(method, raw_path, query, headers, body)
        with self.lock:
            seed = int.from_bytes(os.urandom(7), "big")
            if changes:
                mock_random.seed(seed)
            status, out_headers, out = _call(self.moto, environ)
            if changes and status.startswith("2"):
                result = result_of(method, query, out)
                self.journal.append(Entry(seed, method, uri, headers, body, refs, result))
        action = AthenaEngine.action(headers)
        if action is not None:
            endpoint = f"http://{environ.get('HTTP_HOST', '127.0.0.1')}"
            status, out = self.athena.after(action, headers, body, status, out, endpoint)
            out_headers = [(k, v) for k, v in out_headers if k.lower() != "content-length"]
            out_headers.append(("Content-Length", str(len(out))))
        start_response(status, out_headers)
        return [out]

    def _control(
        self, path: str, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if path == "/_lakelab/health":
            return _reply(
                start_response,
                "200 OK",
                {
                    "status": "ok",
                    "pid": os.getpid(),
                    "replayed": self.replayed,
                    "replay_failures": self.replay_failures,
                    "enforcing": authz.enforcing(),
                },
            )
        if path == "/_lakelab/forget" and environ["REQUEST_METHOD"] == "POST":
            try:
                names = json.loads(get_input_stream(environ).read())["names"]
            except (ValueError, KeyError, TypeError):
                return _reply(
                    start_response, "400 BAD REQUEST", {"error": "expected {names: [...]}"}
                )
            with self.lock:
                dropped = self.journal.forget(str(n) for n in names)
            return _reply(start_response, "200 OK", {"dropped": dropped})
        return _reply(start_response, "404 NOT FOUND", {"error": f"no such endpoint {path}"})


def _reply(start_response: Callable[..., Any], status: str, payload: dict[str, Any]) -> list[bytes]:
    data = json.dumps(payload).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]


def build(data_dir: Path) -> TwinAwsApp:
    """The app, with a new control token written to `data_dir` (before any port opens)."""
    authz.install()
    presigned.install()
    moto_patches.make_ids_replayable()
    moto_patches.keep_put_bodies()
    moto_app = DomainDispatcherApplication(create_backend_app)
    return TwinAwsApp(moto_app, Journal(data_dir / "journal.jsonl"), control.issue(data_dir))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m localcloud.aws.server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data", type=Path, required=True, help="folder of the journal")
    parser.add_argument("--enforce", action="store_true", help="enforce IAM after the replay")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = build(args.data)
    dropped = app.journal.compact()
    if dropped:
        log.info("compacted the journal: %d superseded writes dropped", dropped)
    app.replay()
    if args.enforce:
        moto_patches.enforce_iam()
    server = make_server(
        args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler
    )

    def stop(signum: int, frame: Any) -> None:
        # Every accepted write is already in the journal; wait for the request in flight,
        # then leave at once (the serving threads hold nothing else worth keeping).
        with app.lock:
            app.journal.close()
            log.info("stopped")
            logging.shutdown()
            os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("serving on http://%s:%d (IAM enforced: %s)", args.host, args.port, authz.enforcing())
    if app.replayed == 0:
        threading.Thread(target=app.warm_up, name="warm-up", daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
