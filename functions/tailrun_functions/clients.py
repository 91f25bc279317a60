"""Google clients pointed at production or at an emulator by argument, never through ``os.environ``.

The client libraries find emulators through environment variables (``FIRESTORE_EMULATOR_HOST``,
``STORAGE_EMULATOR_HOST``). A process that plays several parts (the local stack, a test) must not configure one
part by writing the environment that another reads, so these factories take the emulator's address explicitly.
"""

from __future__ import annotations

from google.auth.credentials import AnonymousCredentials, Credentials
from google.cloud import firestore, storage  # type: ignore[attr-defined]


def firestore_client(
    project: str, emulator_host: str | None = None, credentials: Credentials | None = None
) -> firestore.Client:
    """A Firestore client of ``project``: on ``emulator_host`` (HOST:PORT, plain gRPC) when given, else Google's
    with ``credentials`` (default: the application's).

    Against an emulator the client sends ``Authorization: Bearer owner``, as the library does for any emulator
    (server access: the emulator applies no security rules to it).
    """
    if emulator_host is None:
        return firestore.Client(project=project, credentials=credentials)
    client = firestore.Client(project=project, credentials=AnonymousCredentials())  # type: ignore[no-untyped-call]
    # The library reads FIRESTORE_EMULATOR_HOST in __init__ only to set this attribute, from which it decides the
    # plain channel, the target and the "owner" metadata lazily, on first use: the same configuration, by argument.
    client._emulator_host = emulator_host
    return client


def storage_client(project: str, emulator_endpoint: str | None = None) -> storage.Client:
    """A Cloud Storage client of ``project``: against ``emulator_endpoint`` (a URL such as gcp-storage-emulator's)
    with anonymous credentials when given, else Cloud Storage with the application's default credentials."""
    if emulator_endpoint is None:
        return storage.Client(project=project)
    return storage.Client(
        project=project,
        credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
        client_options={"api_endpoint": emulator_endpoint},
    )
