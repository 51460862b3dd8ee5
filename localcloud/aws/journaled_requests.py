"""What the twin's AWS server journals (`localcloud.aws.server`): whether a request may change
state and the resource names it touches, the headers kept, what a response adds (a multipart
upload id), and a journaled request turned back into a WSGI environ for the replay."""

from __future__ import annotations

import io
import json
import re
import sys
from typing import Any
from urllib.parse import parse_qs, unquote, unquote_to_bytes

from moto.core.request import (
    PRESERVED_HEADER_NAMES_ENVIRON_KEY,
    EnvironHeaders,
    environ_key_for_header,
    should_preserve_original_header_name,
)

from localcloud.aws import control
from localcloud.aws.journal import Entry

READ_PREFIXES = ("Get", "List", "Describe", "BatchGet", "Search", "Lookup", "Simulate", "Head")
SKIP_HEADERS = {"content-length", "connection", "keep-alive", "transfer-encoding", "expect"}
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
    if is_reset_auth(path):
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


def is_reset_auth(path: str) -> bool:
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


def headers_of(environ: dict[str, Any]) -> dict[str, str]:
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


def result_of(method: str, query: str, response: bytes) -> dict[str, str]:
    """What a later entry refers to but only this response said: a multipart upload id."""
    if method == "POST" and "uploads" in parse_qs(query, keep_blank_values=True):
        match = re.search(rb"<UploadId>([^<]+)</UploadId>", response)
        if match:
            return {"upload_id": match.group(1).decode()}
    return {}
