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
    match = _DATABASE.fullmatch(name or "")
    if not match:
        if len(name.split("/")) < 4:  # the official emulator's wording for a name cut short
            raise InvalidArgument(f'Database name "{name}" lacks "/" at index {len(name)}.')
        raise InvalidArgument(
            f"Invalid database name {name!r}: expected projects/{{project}}/databases/{{database}}."
        )
    return DatabaseId(match.group(1), match.group(2))


class _NameReader:
    """Reads a resource name left to right, answering a malformed one as the official emulator does: with what
    it lacks (or the empty id it found) and the index where it stopped."""

    def __init__(self, name: str, what: str) -> None:
        self.name = name
        self.what = what
        self.pos = 0

    def lacks(self, expected: str) -> InvalidArgument:
        return InvalidArgument(f'{self.what} "{self.name}" lacks "{expected}" at index {self.pos}.')

    def literal(self, expected: str) -> None:
        if not self.name.startswith(expected, self.pos):
            raise self.lacks(expected)
        self.pos += len(expected)

    def segment(self) -> str:
        end = self.name.find("/", self.pos)
        end = len(self.name) if end < 0 else end
        if end == self.pos:
            raise InvalidArgument(f'{self.what} "{self.name}" has an empty resource id at index {self.pos}.')
        segment, self.pos = self.name[self.pos : end], end
        return segment


def _split(name: str, what: str, document: bool) -> tuple[DatabaseId, list[str]]:
    """The database and the path segments of a name under ``…/documents``; a document needs an even, non-zero
    number of segments, a parent an even number (the root included)."""
    reader = _NameReader(name or "", what)
    for expected in ("projects", "/"):
        reader.literal(expected)
    project = reader.segment()
    for expected in ("/", "databases", "/"):
        reader.literal(expected)
    database = reader.segment()
    for expected in ("/", "documents"):
        reader.literal(expected)
    segments: list[str] = []
    while reader.pos < len(reader.name):
        reader.literal("/")
        segments.append(reader.segment())
    if len(segments) % 2 or (document and not segments):
        raise reader.lacks("/")
    return DatabaseId(project, database), segments


def parse_document(name: str) -> DatabaseId:
    """The database of a document name, after checking that it names a document (``…/documents/c/d[/c/d…]``)."""
    plain = values.plain_document_name(name)
    if plain is not None:  # valid: what the checks below would find, in one regular expression
        return DatabaseId(*plain)
    database, _ = _split(name, "Document name", document=True)
    values.validate_document_name(name)
    return database


def parse_parent(name: str) -> DatabaseId:
    """The database of a query/list parent: the documents root or a document under it."""
    database, segments = _split(name, "Document parent name", document=False)
    if segments:
        values.validate_document_name(name)
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
    """A document name must belong to the database the request names (the official emulator's wording)."""
    if parse_document(name) != database:
        raise InvalidArgument(f'Document "{name}" is not in database "{database.name}".')
