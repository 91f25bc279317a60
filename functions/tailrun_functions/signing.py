"""Credentials that sign V4 URLs: a generated key locally, the IAM signBlob API in the cloud (no key files).

``google-cloud-storage`` signs a URL with any ``google.auth.credentials.Signing`` object: it asks for
``signer_email`` (the ``X-Goog-Credential`` of the URL) and ``sign_bytes`` (the RSA-SHA256 signature of the string
to sign). Locally that is a service account built from an RSA key generated in this process (gcp-storage-emulator
does not check signatures, but the URLs have the exact shape the cloud would get). In the cloud it is
``IamSigner``: ``google.auth.iam.Signer`` posts each string to
``iamcredentials.googleapis.com/.../serviceAccounts/{email}:signBlob`` with the function's own credentials, which
needs ``roles/iam.serviceAccountTokenCreator`` for the service account on itself (see ``infra/artifacts.tf``).
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import google.auth
import google.auth.credentials
import google.auth.transport.requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth import iam
from google.oauth2 import service_account

from tailrun_functions import schema

logger = logging.getLogger(__name__)

LOCAL_SIGNER_EMAIL = f"tailrun-local-signer@{schema.LOCAL_PROJECT}.iam.gserviceaccount.com"
RSA_KEY_BITS = 2048
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"


@functools.lru_cache(maxsize=1)
def local_key() -> rsa.RSAPrivateKey:
    """An RSA key generated once per process and kept in memory only (never a key file)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)


@functools.lru_cache(maxsize=1)
def local_signer() -> service_account.Credentials:
    """The local stack's signer: a service account made of ``local_key``; nothing checks it but tests."""
    pem = (
        local_key()
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode("ascii")
    )
    info = {
        "type": "service_account",
        "client_email": LOCAL_SIGNER_EMAIL,
        "private_key": pem,
        "token_uri": "https://oauth2.googleapis.com/token",
        "project_id": schema.LOCAL_PROJECT,
    }
    credentials: service_account.Credentials = service_account.Credentials.from_service_account_info(info)  # type: ignore[no-untyped-call]
    return credentials


class IamSigner(google.auth.credentials.Signing):
    """Signs through IAM signBlob as ``email``, authenticated by ``credentials`` (the function's own identity).

    ``request`` is the HTTP transport ``google.auth.iam.Signer`` posts with; tests pass one that records the
    request and answers like signBlob does."""

    def __init__(
        self,
        email: str,
        credentials: google.auth.credentials.Credentials,
        request: Any | None = None,
    ) -> None:
        self._email = email
        transport = request if request is not None else google.auth.transport.requests.Request()
        self._signer = iam.Signer(transport, credentials, email)  # type: ignore[no-untyped-call]

    @property
    def signer_email(self) -> str:
        return self._email

    @property
    def signer(self) -> iam.Signer:
        return self._signer

    def sign_bytes(self, message: bytes) -> bytes:
        return self._signer.sign(message)  # type: ignore[no-any-return]


def default_iam_signer(email: str | None) -> IamSigner:
    """The cloud signer: Application Default Credentials, signing as ``email`` or as their own service account."""
    credentials, _ = google.auth.default(scopes=[CLOUD_PLATFORM_SCOPE])
    if not email:
        # Compute credentials learn their account's email from the metadata server on the first refresh.
        credentials.refresh(google.auth.transport.requests.Request())  # type: ignore[no-untyped-call]
        email = getattr(credentials, "service_account_email", None)
        if not email or email == "default":
            raise RuntimeError("set TAILRUN_SIGNER_EMAIL: the signing service account could not be found")
    logger.info("signing URLs through IAM signBlob as %s", email)
    return IamSigner(email, credentials)
