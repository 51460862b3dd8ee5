"""The L1 templates run against a real lake and fail exactly the checks their guides say they
fail, until the learner does the TODOs; the sources server runs as a command."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests
from lab_harness import ALICE, check_json, failing, lakelab, reset
from twin_harness import TwinEnv

from labs.ingest_and_land.generator import api_token, generate
from labs.ingest_and_land.sources import SourceServer

STACK = ALICE[0]


def _started(lab: str) -> None:
    reset(lab, STACK)
    assert lakelab("lab", "start", lab, "--stack", STACK).exit_code == 0


def test_ingest_template(lab_env: TwinEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    from labs.ingest_and_land import template

    lab = "ingest-and-land"
    _started(lab)
    try:
        seed = 20261122
        with SourceServer(generate(seed), api_token(seed, STACK)) as endpoint:
            monkeypatch.setenv("SHOP_FILES_URL", f"{endpoint.base_url}/files")
            monkeypatch.setenv("SHOP_API_URL", endpoint.api_url)
            monkeypatch.setenv("SHOP_API_TOKEN", endpoint.token)
            template.main(["--stack", STACK])
        _, doc = check_json(lab, STACK)
        assert {"csv-landed", "api-pages", "dead-letters", "idempotent"} <= set(failing(doc))
    finally:
        reset(lab, STACK)


def test_incremental_template(lab_env: TwinEnv) -> None:
    from labs.incremental_vs_full import template

    lab = "incremental-vs-full"
    _started(lab)
    try:
        template.main(["--stack", STACK])
        _, doc = check_json(lab, STACK)
        bad = set(failing(doc))
        assert {"incremental-table", "late-changes", "deletes", "watermark"} <= bad
        assert "full-table" not in bad  # the full reload is given, and right
    finally:
        reset(lab, STACK)


def test_multi_source_template(lab_env: TwinEnv) -> None:
    from labs.multi_source_integration import template

    lab = "multi-source-integration"
    _started(lab)
    try:
        template.main(["--stack", STACK])
        _, doc = check_json(lab, STACK)
        assert set(failing(doc)) == {"status-rule", "email-rule", "known-customers", "confidence"}
    finally:
        reset(lab, STACK)


def test_sources_command_serves_until_stopped() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "labs.ingest_and_land.sources", "--stack", STACK, "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        exports = {}
        while len(exports) < 3:
            line = proc.stdout.readline()
            assert line, "the server exited before printing its URLs"
            if line.startswith("export "):
                name, _, value = line[len("export ") :].strip().partition("=")
                exports[name] = value
        assert exports["SHOP_API_TOKEN"] == api_token(20261122, STACK)
        base = exports["SHOP_FILES_URL"].removesuffix("/files")
        assert requests.get(f"{base}/health", timeout=5).json() == {"status": "ok"}
        page = requests.get(
            f"{exports['SHOP_API_URL']}?page=1",
            headers={"Authorization": f"Bearer {exports['SHOP_API_TOKEN']}"},
            timeout=5,
        )
        assert page.status_code == 200 and page.json()["total_pages"] == 24
    finally:
        proc.terminate()
        proc.wait(timeout=10)
