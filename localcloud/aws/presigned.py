"""Presigned S3 URLs in the twin, with IAM enforced.

A presigned URL carries its signature in the query string and no `Authorization` header:
SigV4 (`X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders`,
`X-Amz-Signature`; boto3 with `signature_version="s3v4"`) or SigV2 (`AWSAccessKeyId`,
`Expires`, `Signature`; boto3's default for `generate_presigned_url` here). moto's IAM
checks read only that header: once enforcement is on, a presigned request failed with `500`
(`KeyError: 'HTTP_AUTHORIZATION'`), and so did any other request without the header.

Installed by the twin's AWS server only, this teaches moto's S3 checks both query-string
forms, as S3 does them:

- the signature is recomputed with the signer's secret (SigV4: S3's canonical request for
  presigned URLs, the signed headers and `UNSIGNED-PAYLOAD`; SigV2: method, `Content-MD5`,
  `Content-Type`, `Expires`, `x-amz-*` headers and the resource) and must match;
- the URL must not have expired (SigV4: `X-Amz-Date` + `X-Amz-Expires`, at most 7 days;
  SigV2: `Expires`), else `403 AccessDenied` (`Request has expired`);
- the signer's policies are then checked against the bucket or object, as for a signed
  request, so a learner's URL reaches only what that learner may reach.

A request with no signature at all is refused (`403 AccessDenied`): the twin's buckets are
never public.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from urllib.parse import parse_qsl, quote, urlsplit

from botocore.auth import HmacV1Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from moto.iam import access_control
from moto.iam.access_control import S3IAMRequest
from moto.s3.exceptions import BucketAccessDeniedError, S3AccessDeniedError, S3ClientError
from werkzeug.datastructures import Headers

ALGORITHM: Final = "AWS4-HMAC-SHA256"
SIGNATURE: Final = "X-Amz-Signature"
REQUIRED: Final = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    SIGNATURE,
)
REQUIRED_V2: Final = ("AWSAccessKeyId", "Expires", "Signature")
MAX_EXPIRES: Final = 7 * 24 * 3600  # S3's limit for SigV4 presigned URLs
_UNRESERVED: Final = "-_.~"


class ExpiredRequest(S3ClientError):
    code = "AccessDenied"

    def __init__(self) -> None:
        super().__init__("AccessDenied", "Request has expired")


def query_auth(query: str) -> dict[str, str] | None:
    """The query-string signature parameters, if `query` carries a complete set (SigV4)."""
    params = dict(parse_qsl(query, keep_blank_values=True))
    if params.get("X-Amz-Algorithm") != ALGORITHM or not all(p in params for p in REQUIRED):
        return None
    return params


def query_auth_v2(query: str) -> dict[str, str] | None:
    """The SigV2 query-string signature parameters, if `query` carries a complete set."""
    params = dict(parse_qsl(query, keep_blank_values=True))
    if not all(params.get(p) for p in REQUIRED_V2):
        return None
    return params


def canonical_query(query: str) -> str:
    """The query without its signature, each name and value URI-encoded as SigV4 wants."""
    pairs = [
        (quote(k, safe=_UNRESERVED), quote(v, safe=_UNRESERVED))
        for k, v in parse_qsl(query, keep_blank_values=True)
        if k != SIGNATURE
    ]
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def signature(
    credentials: Any, method: str, path: str, query: str, headers: Any, params: dict[str, str]
) -> str:
    """The signature S3 expects for a presigned request signed with `credentials`."""
    scope = params["X-Amz-Credential"].split("/")
    auth = S3SigV4QueryAuth(credentials, scope[3], scope[2], int(params["X-Amz-Expires"]))
    signed = {h.strip().lower() for h in params["X-Amz-SignedHeaders"].split(";")}
    request = AWSRequest(
        method=method,
        url=f"{path}?{canonical_query(query)}",
        headers={k: v for k, v in headers.items() if k.lower() in signed},
    )
    request.context["timestamp"] = params["X-Amz-Date"]
    canonical = auth.canonical_request(request)
    return str(auth.signature(auth.string_to_sign(request, canonical), request))


class _V2Signer(HmacV1Auth):  # type: ignore[misc]
    """botocore's SigV2 signer, with the URL's `Expires` in place of the date."""

    def __init__(self, credentials: Any, expires: str) -> None:
        super().__init__(credentials)
        self._expires = expires

    def _get_date(self) -> str:
        return self._expires


def signature_v2(
    credentials: Any, method: str, path: str, query: str, headers: Any, params: dict[str, str]
) -> str:
    """The signature S3 expects for a SigV2 presigned request signed with `credentials`:
    `Content-MD5`, `Content-Type` and `x-amz-*` from the request's headers or, as boto3 puts
    them there, its query."""
    signed = HTTPHeaders()
    for name, value in headers.items():
        lower = name.lower()
        if lower in ("content-md5", "content-type") or lower.startswith("x-amz-"):
            signed[lower] = value
    for name, value in params.items():
        lower = name.lower()
        if (lower in ("content-md5", "content-type") or lower.startswith("x-amz-")) and (
            lower not in signed
        ):
            signed[lower] = value
    rest = "&".join(
        f"{quote(k, safe=_UNRESERVED)}={quote(v, safe=_UNRESERVED)}"
        for k, v in parse_qsl(query, keep_blank_values=True)
        if k not in REQUIRED_V2
    )
    signer = _V2Signer(credentials, params["Expires"])
    return str(signer.get_signature(method, urlsplit(f"{path}?{rest}"), signed))


def expired(params: dict[str, str], now: datetime | None = None) -> bool:
    try:
        signed_at = datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        lifetime = int(params["X-Amz-Expires"])
    except ValueError:
        return True
    if not 0 < lifetime <= MAX_EXPIRES:
        return True
    return (now or datetime.now(UTC)) > signed_at + timedelta(seconds=lifetime)


class TwinS3IAMRequest(S3IAMRequest):
    """moto's S3 IAM request, also for presigned (query-signed) requests."""

    def __init__(
        self,
        account_id: str,
        method: str,
        path: str,
        data: dict[str, str],
        body: bytes,
        headers: Any,
        action: str,
    ) -> None:
        self._presigned: dict[str, str] | None = None
        self._raw_path, _, self._query = path.partition("?")
        self._v2: dict[str, str] | None = None
        if "Authorization" not in headers:
            params = query_auth(self._query)
            v2 = None if params is not None else query_auth_v2(self._query)
            if params is None and v2 is None:
                if "BucketName" in data:
                    raise BucketAccessDeniedError(bucket=data["BucketName"])
                raise S3AccessDeniedError()
            headers = Headers(headers)
            if params is not None:
                self._presigned = params
                credential = params["X-Amz-Credential"]
            else:
                assert v2 is not None
                self._v2 = params = v2
                # moto finds the signer's key in the credential scope: give it one.
                credential = f"{v2['AWSAccessKeyId']}/19700101/us-east-1/s3/aws4_request"
            headers["Authorization"] = (
                f"{ALGORITHM} Credential={credential}, SignedHeaders=host, Signature=query"
            )
            token = params.get("X-Amz-Security-Token", params.get("x-amz-security-token"))
            if token is not None and "X-Amz-Security-Token" not in headers:
                headers["X-Amz-Security-Token"] = token
        super().__init__(account_id, method, path, data, body, headers, action)

    def check_signature(self) -> None:
        if self._v2 is not None:
            self._check_v2(self._v2)
            return
        params = self._presigned
        if params is None:
            super().check_signature()
            return
        if expired(params):
            raise ExpiredRequest()
        self._check_match(signature, params, params[SIGNATURE])

    def _check_v2(self, params: dict[str, str]) -> None:
        try:
            expires = int(params["Expires"])
        except ValueError:
            raise ExpiredRequest() from None
        if datetime.now(UTC).timestamp() > expires:
            raise ExpiredRequest()
        self._check_match(signature_v2, params, params["Signature"])

    def _check_match(self, sign: Callable[..., str], params: dict[str, str], given: str) -> None:
        """Recompute the URL's signature with the caller's key; refuse it when it differs."""
        expected = sign(
            self._access_key.create_credentials(),
            self._method,
            self._raw_path,
            self._query,
            self._headers,
            params,
        )
        if not hmac.compare_digest(expected, given):
            self._raise_signature_does_not_match()


def install() -> None:
    """Use `TwinS3IAMRequest` for every S3 check in this process (the twin's AWS server)."""
    access_control.S3IAMRequest = TwinS3IAMRequest  # type: ignore[misc]
