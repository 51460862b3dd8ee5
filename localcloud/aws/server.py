"""The twin's AWS emulator process: moto in server mode, made durable and resource-aware.

Run by `lakelab local up` as `python -m localcloud.aws.server --port N --data DIR`. It serves
moto's full API on 127.0.0.1 (S3, Glue, Athena, IAM/STS, Redshift and the rest of moto) and
adds three things moto does not do on its own:

- Durability. Each request that changed something and succeeded is appended to the journal
  (`localcloud.aws.journal`) before the client gets its answer; on start the journal is
  replayed into moto before the port opens. Requests are handled one at a time, and moto's
  random source is seeded per write, so a replay makes the same ids, keys and versions.
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
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, unquote_to_bytes

from moto import settings
from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.request import (
    PRESERVED_HEADER_NAMES_ENVIRON_KEY,
    EnvironHeaders,
    environ_key_for_header,
    should_preserve_original_header_name,
)
from moto.core.request import (
    Request as MotoRequest,
)
from moto.moto_api._internal import mock_random
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server
from werkzeug.wsgi import get_input_stream

from localcloud.aws import authz, control, presigned
from localcloud.aws.athena_engine import AthenaEngine
from localcloud.aws.journal import Entry, Journal

log = logging.getLogger("lakelab.aws")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

READ_PREFIXES = ("Get", "List", "Describe", "BatchGet", "Search", "Lookup", "Simulate", "Head")
SKIP_HEADERS = {"content-length", "connection", "keep-alive", "transfer-encoding", "expect"}
WARM_UP = (
    ("iam", ""),
    ("sts", ""),
    ("s3", ""),
    ("glue", "AWSGlue.GetDatabases"),
    ("athena", "AmazonAthena.ListWorkGroups"),
)
# Services whose calls are never journaled: STS sessions are short-lived by design.
UNJOURNALED_SERVICES = {"sts"}


def _service_of(headers: dict[str, str]) -> str:
    auth = headers.get("Authorization", "")
    if "Credential=" in auth:
        scope = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")
        if len(scope) >= 4:
            return scope[3]
    return ""


def _arn_tail(value: str) -> list[str]:
    tail = value.rsplit(":", 1)[-1]
    return [value, tail, tail.rsplit("/", 1)[-1]]


def classify(
    method: str, path: str, query: str, headers: dict[str, str], body: bytes
) -> tuple[bool, list[str]]:
    """Whether a request may change state, and the resource names it touches."""
    if method in ("GET", "HEAD", "OPTIONS"):
        return False, []
    if _is_reset_auth(path):
        return False, []
    service = _service_of(headers)
    if service in UNJOURNALED_SERVICES:
        return False, []
    target = headers.get("X-Amz-Target", "")
    if target:
        operation = target.rsplit(".", 1)[-1]
        if operation.startswith(READ_PREFIXES):
            return False, []
        return True, _json_refs(body)
    form: dict[str, list[str]] = {}
    if headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
        form = parse_qs(body.decode("utf-8", "replace"))
    action = (form.get("Action") or parse_qs(query).get("Action") or [""])[0]
    if action:
        if action.startswith(READ_PREFIXES):
            return False, []
        return True, sorted({v for values in form.values() for v in values if len(v) < 256})
    if (
        service in ("s3", "")
        and method == "POST"
        and "select" in parse_qs(query, keep_blank_values=True)
    ):
        return False, []
    segment = unquote(path.lstrip("/").split("/", 1)[0])
    return True, [segment] if segment else []


def _is_reset_auth(path: str) -> bool:
    return control.normalized(unquote(path)) == "/moto-api/reset-auth"


def _json_refs(body: bytes) -> list[str]:
    try:
        params = json.loads(body or b"{}")
    except ValueError:
        return []
    refs: list[str] = []
    if not isinstance(params, dict):
        return refs
    for value in params.values():
        if isinstance(value, str):
            refs += _arn_tail(value) if value.startswith("arn:") else [value]
        elif isinstance(value, dict) and isinstance(value.get("Name"), str):
            refs.append(value["Name"])
    return refs


def _headers_of(environ: dict[str, Any]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in EnvironHeaders(environ):
        if name.lower() not in SKIP_HEADERS:
            headers[name] = value
    return headers


def replay_environ(entry: Entry) -> dict[str, Any]:
    """A WSGI environ equivalent to the journaled request."""
    path, _, query = entry.uri.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": entry.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
        "QUERY_STRING": query,
        "RAW_URI": entry.uri,
        "REQUEST_URI": entry.uri,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(entry.body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(entry.body)),
    }
    preserved: dict[str, str] = {}
    for name, value in entry.headers.items():
        key = environ_key_for_header(name)
        environ[key] = value
        if should_preserve_original_header_name(name):
            preserved[key] = name
    environ[PRESERVED_HEADER_NAMES_ENVIRON_KEY] = preserved
    return environ


class _DeterministicOs:
    """`os` as moto's S3 module sees it: `urandom` (multipart upload ids) drawn from moto's
    seeded random source, so a replayed upload keeps its id."""

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    @staticmethod
    def urandom(size: int) -> bytes:
        return int(mock_random.getrandbits(8 * size)).to_bytes(size, "little")


def _make_ids_replayable() -> None:
    import moto.s3.models as s3_models

    vars(s3_models)["os"] = _DeterministicOs()


def _keep_put_bodies() -> None:
    """S3 stores a PUT body byte for byte whatever its `Content-Type`. werkzeug parses a
    form-encoded body (curl's `--data-binary` sends that type) into form fields, and moto then
    stored an empty object; no AWS API takes form fields in a PUT, so PUT bodies stay raw."""
    parsed = MotoRequest.want_form_data_parsed
    assert isinstance(parsed, property) and parsed.fget is not None
    default = parsed.fget

    def want_form_data_parsed(request: MotoRequest) -> bool:
        return request.method != "PUT" and bool(default(request))

    MotoRequest.want_form_data_parsed = property(want_form_data_parsed)


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
            if _is_reset_auth(entry.uri.partition("?")[0]):
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
        headers = _headers_of(environ)
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
                result = _result_of(method, query, out)
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


def _result_of(method: str, query: str, response: bytes) -> dict[str, str]:
    """What a later entry refers to but only this response said: a multipart upload id."""
    if method == "POST" and "uploads" in parse_qs(query, keep_blank_values=True):
        match = re.search(rb"<UploadId>([^<]+)</UploadId>", response)
        if match:
            return {"upload_id": match.group(1).decode()}
    return {}


def _reply(start_response: Callable[..., Any], status: str, payload: dict[str, Any]) -> list[bytes]:
    data = json.dumps(payload).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]


def enforce_iam() -> None:
    """What `POST /moto-api/reset-auth` with body `0` does: check every request from now on."""
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    ActionAuthenticatorMixin.request_count = 0


def build(data_dir: Path) -> TwinAwsApp:
    """The app, with a new control token written to `data_dir` (before any port opens)."""
    authz.install()
    presigned.install()
    _make_ids_replayable()
    _keep_put_bodies()
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
        enforce_iam()
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
