"""What the twin's AWS server changes in moto (`localcloud.aws.server`): ids drawn from the
seeded random source, so a replay makes the same ones; PUT bodies kept raw; IAM enforcement
switched on without a request."""

from __future__ import annotations

import os
from typing import Any

from moto import settings
from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.request import Request as MotoRequest
from moto.moto_api._internal import mock_random


class _DeterministicOs:
    """`os` as moto's S3 module sees it: `urandom` (multipart upload ids) drawn from moto's
    seeded random source, so a replayed upload keeps its id."""

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    @staticmethod
    def urandom(size: int) -> bytes:
        return int(mock_random.getrandbits(8 * size)).to_bytes(size, "little")


def make_ids_replayable() -> None:
    import moto.s3.models as s3_models

    vars(s3_models)["os"] = _DeterministicOs()


def keep_put_bodies() -> None:
    """S3 stores a PUT body byte for byte whatever its `Content-Type`. werkzeug parses a
    form-encoded body (curl's `--data-binary` sends that type) into form fields, and moto then
    stored an empty object; no AWS API takes form fields in a PUT, so PUT bodies stay raw."""
    parsed = MotoRequest.want_form_data_parsed
    assert isinstance(parsed, property) and parsed.fget is not None
    default = parsed.fget

    def want_form_data_parsed(request: MotoRequest) -> bool:
        return request.method != "PUT" and bool(default(request))

    MotoRequest.want_form_data_parsed = property(want_form_data_parsed)


def enforce_iam() -> None:
    """What `POST /moto-api/reset-auth` with body `0` does: check every request from now on."""
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    ActionAuthenticatorMixin.request_count = 0
