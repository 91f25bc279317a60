"""Resource names: ``projects/P/databases/D`` and the document and collection paths below ``…/documents``.

Every name a request carries is checked here, so a malformed one is an INVALID_ARGUMENT before it reaches the
store, as Firestore answers it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from firestore_emulator import values
from firestore_emulator.errors import InvalidArgument

_DATABASE = re.compile(r"^projects/([^/]+)/databases/([^/]+)$")
_UNDER_DATABASE = re.compile(r"^(projects/[^/]+/databases/[^/]+)/documents(?:/(.*))?$", re.DOTALL)


@dataclass(frozen=True, order=True)
class DatabaseId:
    """One database of one project: the unit of isolation (documents, commit clock, transactions)."""

    project: str
    database: str

    @property
    def name(self) -> str:
        """``projects/P/databases/D``."""
        return f"projects/{self.project}/databases/{self.database}"

    @property
    def root(self) -> str:
        """``projects/P/databases/D/documents``: the parent of top-level collections."""
        return f"{self.name}/documents"


def parse_database(name: str) -> DatabaseId:
    """The database of a ``projects/P/databases/D`` name."""
    match = _DATABASE.match(name or "")
    if not match:
        if len(name.split("/")) < 4:  # the official emulator's wording for a name cut short
            raise InvalidArgument(f'Database name "{name}" lacks "/" at index {len(name)}.')
        raise InvalidArgument(f"Invalid database name {name!r}: expected projects/{{project}}/databases/{{database}}.")
    return DatabaseId(match.group(1), match.group(2))


def _split(name: str, what: str) -> tuple[DatabaseId, list[str]]:
    match = _UNDER_DATABASE.match(name or "")
    if not match:
        raise InvalidArgument(
            f"Invalid {what} name {name!r}: expected projects/{{project}}/databases/{{database}}/documents/…"
        )
    database = parse_database(match.group(1))
    rest = match.group(2)
    if rest is None:
        return database, []
    segments = rest.split("/")
    if any(not segment for segment in segments):
        raise InvalidArgument(f"Invalid {what} name {name!r}: empty path segment.")
    return database, segments


def parse_document(name: str) -> DatabaseId:
    """The database of a document name, after checking that it names a document (``…/documents/c/d[/c/d…]``)."""
    database, segments = _split(name, "document")
    if not segments or len(segments) % 2:
        raise InvalidArgument(f"Invalid document name {name!r}: a document path has an even number of segments.")
    values.validate_document_name(name)
    return database


def parse_parent(name: str) -> DatabaseId:
    """The database of a query/list parent: the documents root or a document under it."""
    database, segments = _split(name, "parent")
    if len(segments) % 2:  # a collection: the official emulator's wording
        raise InvalidArgument(f'Document parent name "{name}" lacks "/" at index {len(name)}.')
    if segments:
        parse_document(name)
    return database


def check_collection_id(collection_id: str) -> None:
    """A collection id names one collection: no ``/`` (a path would silently address another collection), not
    reserved (``__.*__``); the official emulator's wording."""
    if "/" in collection_id:
        raise InvalidArgument(f'Collection id "{collection_id}" is invalid because it contains "/".')
    if values.is_reserved_id(collection_id):
        raise InvalidArgument(f'Collection id "{collection_id}" is invalid because it is reserved.')


def collection_of(document_name: str) -> str:
    """The collection a document belongs to: its name without the last segment."""
    return document_name.rsplit("/", 1)[0]


def check_in_database(name: str, database: DatabaseId) -> None:
    """A document name must belong to the database the request names."""
    if parse_document(name) != database:
        raise InvalidArgument(f"Document {name!r} is not in database {database.name!r}.")
