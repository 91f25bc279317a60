"""Signed URLs: what they bind (type, exact length, MD5, expiry), checked the way Cloud Storage checks them.

gcp-storage-emulator accepts any signature, so these tests verify each V4 signature themselves: rebuild the
canonical request from the URL and the headers a client would send, and verify the RSA-SHA256 signature with the
signer's public key. The cloud signer (IAM signBlob) is tested on the request it sends, answered by a transport
that signs like signBlob with a key the test holds.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import google.oauth2.credentials
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage  # type: ignore[attr-defined]
from tailrun_functions import signing
from tailrun_functions.settings import Settings
from tailrun_functions.storage import Bucket, content_disposition

EMULATOR = "http://127.0.0.1:9"  # never contacted: signing is local


def canonical_query(url: str) -> str:
    """The query as it was signed: every parameter but the signature, as the URL carries it (already sorted)."""
    query = urlsplit(url).query
    return "&".join(part for part in query.split("&") if not part.startswith("X-Goog-Signature="))


def string_to_sign(method: str, url: str, sent_headers: dict[str, str]) -> bytes:
    """GCS V4: the string to sign of a request with these headers (a signed header it lacks is an error)."""
    parts = urlsplit(url)
    params = {key: values[0] for key, values in parse_qs(parts.query).items()}
    names = params["X-Goog-SignedHeaders"].split(";")
    sent = {key.lower(): " ".join(value.split()) for key, value in sent_headers.items()}
    sent.setdefault("host", parts.netloc)
    missing = [name for name in names if name not in sent]
    if missing:
        raise InvalidSignature(f"signed headers not sent: {missing}")
    canonical_headers = "".join(f"{name}:{sent[name]}\n" for name in names)
    request = "\n".join(
        [method, parts.path, canonical_query(url), canonical_headers, ";".join(names), "UNSIGNED-PAYLOAD"]
    )
    scope = params["X-Goog-Credential"].split("/", 1)[1]
    digest = hashlib.sha256(request.encode("ascii")).hexdigest()
    return "\n".join(["GOOG4-RSA-SHA256", params["X-Goog-Date"], scope, digest]).encode("ascii")


def verify(public_key: rsa.RSAPublicKey, method: str, url: str, headers: dict[str, str]) -> None:
    """Raise InvalidSignature unless the URL's signature holds for this request (as Cloud Storage checks it)."""
    signature = bytes.fromhex(parse_qs(urlsplit(url).query)["X-Goog-Signature"][0])
    public_key.verify(signature, string_to_sign(method, url, headers), padding.PKCS1v15(), hashes.SHA256())


def local_public_key() -> rsa.RSAPublicKey:
    return signing.local_key().public_key()


def bucket_signing_with(signer: Any, endpoint: str | None = EMULATOR) -> Bucket:
    settings = Settings(project="p", bucket="bkt", storage_emulator_host=endpoint)
    client = storage.Client(project="p", credentials=AnonymousCredentials())  # type: ignore[no-untyped-call]
    return Bucket(settings.bucket, client, signer, settings.storage_endpoint)


DATA = b"a,b\n1,2\n"
MD5 = base64.b64encode(hashlib.md5(DATA).digest()).decode()


def test_a_put_url_verifies_only_with_the_promised_type_length_and_md5() -> None:
    bucket = bucket_signing_with(signing.local_signer())
    url, headers = bucket.sign_put("incoming/abc/data.csv", "text/csv", len(DATA), MD5, 900)
    key = local_public_key()

    verify(key, "PUT", url, headers)
    params = parse_qs(urlsplit(url).query)
    assert params["X-Goog-SignedHeaders"] == [
        "content-md5;content-type;host;x-goog-content-length-range;x-goog-if-generation-match"
    ]
    assert params["X-Goog-Expires"] == ["900"]
    assert headers["x-goog-content-length-range"] == f"{len(DATA)},{len(DATA)}"
    assert url.startswith(f"{EMULATOR}/bkt/incoming/abc/data.csv?")
    for changed in (
        {"Content-Type": "text/html"},
        {"x-goog-content-length-range": "0,999999"},
        {"Content-MD5": "x"},
        {"x-goog-if-generation-match": "1"},
    ):
        with pytest.raises(InvalidSignature):
            verify(key, "PUT", url, {**headers, **changed})
    with pytest.raises(InvalidSignature):
        verify(key, "GET", url, headers)
    for required in ("Content-Type", "x-goog-if-generation-match"):
        without = {k: v for k, v in headers.items() if k != required}
        with pytest.raises(InvalidSignature):
            verify(key, "PUT", url, without)


def test_names_are_percent_encoded_in_the_signed_path() -> None:
    bucket = bucket_signing_with(signing.local_signer())

    url, headers = bucket.sign_put("incoming/abc/ré port #1.txt", "text/plain", 3, None, 60)

    assert urlsplit(url).path == "/bkt/incoming/abc/r%C3%A9%20port%20%231.txt"
    verify(local_public_key(), "PUT", url, headers)


@dataclass
class FakeResponse:
    status: int
    data: bytes


class SignBlobTransport:
    """Answers ``iamcredentials…:signBlob`` as IAM would, signing with a key the test holds; records requests."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.requests: list[dict[str, Any]] = []

    def __call__(
        self, url: str, method: str = "GET", body: bytes | None = None, headers: Any = None, **_: Any
    ) -> FakeResponse:
        self.requests.append({"url": url, "method": method, "body": body, "headers": dict(headers or {})})
        payload = base64.b64decode(json.loads(body or b"{}")["payload"])
        signature = self.key.sign(payload, padding.PKCS1v15(), hashes.SHA256())
        answer = {"keyId": "k1", "signedBlob": base64.b64encode(signature).decode()}
        return FakeResponse(200, json.dumps(answer).encode())


def test_the_cloud_signer_signs_through_iam_sign_blob_with_the_functions_own_credentials() -> None:
    transport = SignBlobTransport()
    credentials = google.oauth2.credentials.Credentials(token="functions-access-token")  # type: ignore[no-untyped-call]
    email = "tailrun-functions@proj.iam.gserviceaccount.com"
    bucket = bucket_signing_with(signing.IamSigner(email, credentials, transport), endpoint=None)

    url, headers = bucket.sign_put("incoming/abc/data.csv", "text/csv", len(DATA), MD5, 900)

    [call] = transport.requests
    assert call["method"] == "POST"
    assert (
        call["url"] == f"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/{email}:signBlob"
    )
    assert call["headers"]["authorization"] == "Bearer functions-access-token"
    assert url.startswith("https://storage.googleapis.com/bkt/incoming/abc/data.csv?")
    assert parse_qs(urlsplit(url).query)["X-Goog-Credential"][0].startswith(f"{email}/")
    verify(transport.key.public_key(), "PUT", url, headers)
    with pytest.raises(InvalidSignature):
        verify(transport.key.public_key(), "PUT", url, {**headers, "Content-Type": "image/png"})


def test_a_download_url_is_a_signed_get_that_names_the_file() -> None:
    bucket = bucket_signing_with(signing.local_signer())

    url = bucket.sign_get("jobs/j/abc/out/report.md", 'we"ird.md', 600, 1234)

    params = parse_qs(urlsplit(url).query)
    assert params["response-content-disposition"] == [
        "attachment; filename=\"we_ird.md\"; filename*=UTF-8''we%22ird.md"
    ]
    assert params["generation"] == ["1234"], "the URL serves the finalized generation only"
    verify(local_public_key(), "GET", url, {})


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("report.md", 'attachment; filename="report.md"'),
        (
            "résumé 😀.txt",
            "attachment; filename=\"r_sum_ _.txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%F0%9F%98%80.txt",
        ),
        ("a\\b;c.txt", "attachment; filename=\"a_b;c.txt\"; filename*=UTF-8''a%5Cb%3Bc.txt"),
    ],
)
def test_a_download_names_its_file_in_ascii_and_in_rfc_5987_form(name: str, header: str) -> None:
    assert content_disposition(name) == header
    assert header.isascii()


def test_the_local_key_is_generated_once_per_process_and_never_written() -> None:
    first, second = signing.local_signer(), signing.local_signer()

    assert first is second and first.signer_email == signing.LOCAL_SIGNER_EMAIL
    pem = local_public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert pem.startswith(b"-----BEGIN PUBLIC KEY-----")
