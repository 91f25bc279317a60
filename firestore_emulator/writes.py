"""Applying ``Write`` messages: set, update with a mask, delete, preconditions and field transforms.

A ``PendingCommit`` applies writes one after the other to a working copy of the documents they touch (so two
writes to one document in a commit see each other, as in Firestore) and touches the store only when the caller
commits the final states: a failing write leaves the database unchanged, which makes Commit atomic.
"""

from __future__ import annotations

from firestore_emulator import values
from firestore_emulator.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from firestore_emulator.names import check_in_database
from firestore_emulator.protos import Document, Pb, WriteResult, micros, timestamp
from firestore_emulator.store import Database

MAX_WRITES_PER_COMMIT = 500


def check_write_count(count: int) -> None:
    """Firestore refuses a commit or batch of more than 500 writes."""
    if count > MAX_WRITES_PER_COMMIT:
        raise InvalidArgument(f"maximum {MAX_WRITES_PER_COMMIT} writes allowed per request")


def write_target(write: Pb) -> str:
    """The document name a write applies to."""
    kind = write.WhichOneof("operation")
    if kind == "update":
        return str(write.update.name)
    if kind == "delete":
        return str(write.delete)
    if kind == "transform":
        return str(write.transform.document)
    raise InvalidArgument("A write must set one of update, delete or transform.")


class PendingCommit:
    """Writes applied in order at one commit time, kept aside until ``documents`` are committed to the store."""

    def __init__(self, db: Database, time: int) -> None:
        self._db = db
        self.time = time
        self._timestamp = timestamp(time)
        self._database = (db.id.project, db.id.database)
        # The result of every write that stored a document without transforms: one message per commit (the
        # responses' repeated fields copy it), not one WriteResult and one timestamp copy per write.
        self._written = WriteResult(update_time=self._timestamp)
        self.documents: dict[str, Pb | None] = {}

    def current(self, name: str) -> Pb | None:
        """The document as the writes so far leave it."""
        return self.documents[name] if name in self.documents else self._db.get(name)

    def apply(self, write: Pb, name: str | None = None) -> Pb:
        """Apply one write (to the document ``name``, its :func:`write_target` if the caller has it) to the working
        copy; returns its ``WriteResult`` (not to be modified: it may be shared by the commit's writes)."""
        if name is None:
            name = write_target(write)
        if (
            write.WhichOneof("operation") == "update"
            and not write.update_transforms
            and not write.HasField("update_mask")
            and not write.HasField("current_document")
        ):
            plain = values.plain_document_name(name)
            if plain is not None and plain == self._database:
                stored = self._plain_set(write, name)
                if stored is not None:
                    return stored
        check_in_database(name, self._db.id)
        existing = self.current(name)
        _check_precondition(write, existing, name, self.time)
        kind = write.WhichOneof("operation")
        if kind == "delete":
            if write.update_transforms:
                raise InvalidArgument("A delete cannot carry field transforms.")
            self.documents[name] = None
            return WriteResult()
        doc = self._new_fields(write, existing, name)
        transforms = write.transform.field_transforms if kind == "transform" else write.update_transforms
        results = [self._transform(doc, t) for t in transforms]
        values.truncate_timestamps(doc.fields)  # Firestore keeps timestamps to the microsecond
        values.validate_document(doc)
        return self._store(doc, existing, results)

    def _plain_set(self, write: Pb, name: str) -> Pb | None:
        """The common write, a set without mask, transforms or precondition of a plain name (checked by the
        caller): the request's document copied whole (one call), then its fields checked and its timestamps
        truncated in one walk; None, having changed nothing, when a field needs the full checks of
        ``validate_document`` (a map, an array, bytes, a reference, a string that is not short ASCII, a long,
        empty or ``__`` name), which the caller then runs."""
        doc = Document()
        doc.CopyFrom(write.update)
        for field, value in doc.fields.items():
            if not field or len(field) > values.PLAIN_FIELD_NAME_CHARS or field.startswith("__"):
                return None
            kind = value.WhichOneof("value_type")
            if kind == "timestamp_value":
                value.timestamp_value.nanos -= value.timestamp_value.nanos % 1000
            elif kind not in values.PLAIN_KINDS and (
                kind != "string_value"
                or len(value.string_value) > values.MAX_FIELD_VALUE_SIZE
                or not value.string_value.isascii()  # then valid UTF-8 of one byte a character
            ):
                return None
        if doc.ByteSize() * values.SIZE_BOUND_FACTOR + values.SIZE_BOUND_EXTRA > values.MAX_DOCUMENT_SIZE:
            values.validate_document(doc)
        existing = self.current(name)
        if existing is not None and existing.fields == doc.fields:
            return self._store(doc, existing, [])
        doc.create_time.CopyFrom(existing.create_time if existing is not None else self._timestamp)
        doc.update_time.CopyFrom(self._timestamp)
        self.documents[name] = doc
        return self._written

    def _new_fields(self, write: Pb, existing: Pb | None, name: str) -> Pb:
        """The document's fields after the write's data: replaced (set), merged by mask (update), or kept (transform)."""
        doc = Document(name=name)
        if (
            write.WhichOneof("operation") == "transform" or write.HasField("update_mask")
        ) and existing is not None:
            doc.fields.MergeFrom(existing.fields)
        if write.WhichOneof("operation") == "transform":
            return doc
        if not write.HasField("update_mask"):
            doc.fields.MergeFrom(write.update.fields)
            return doc
        for path in write.update_mask.field_paths:
            parts = values.parse_field_path(path)
            value = values.get_field(write.update.fields, parts)
            if value is None:
                values.delete_field(doc.fields, parts)
            else:
                values.set_field(doc.fields, parts, value)
        return doc

    def _transform(self, doc: Pb, transform: Pb) -> Pb:
        parts = values.parse_field_path(transform.field_path)
        new_value = values.apply_transform(values.get_field(doc.fields, parts), transform, self._timestamp)
        values.set_field(doc.fields, parts, new_value)
        return values.transform_result(transform, new_value)

    def _store(self, doc: Pb, existing: Pb | None, transform_results: list[Pb]) -> Pb:
        """Record the written document in the working copy, unless the write changed nothing."""
        result = WriteResult(transform_results=transform_results)
        if existing is not None and existing.fields == doc.fields:
            # write.proto: "If the write did not actually change the document, this will be the previous
            # update_time." The document keeps its version and listeners see nothing.
            result.update_time.CopyFrom(existing.update_time)
            return result
        doc.create_time.CopyFrom(existing.create_time if existing is not None else self._timestamp)
        doc.update_time.CopyFrom(self._timestamp)
        self.documents[doc.name] = doc
        result.update_time.CopyFrom(self._timestamp)
        return result


def _partition(name: str) -> str:
    """The official emulator's partition of a document: ``dev~<project>``."""
    return f"dev~{name.split('/')[1]}"


def _text_string(text: str) -> str:
    """A string as protobuf text format (Java's TextFormat) writes it: escapes, non-ASCII bytes in octal."""
    escapes = {
        7: "\\a",
        8: "\\b",
        9: "\\t",
        10: "\\n",
        11: "\\v",
        12: "\\f",
        13: "\\r",
        34: '\\"',
        39: "\\'",
        92: "\\\\",
    }
    out = []
    for byte in text.encode("utf-8", "surrogatepass"):
        if byte in escapes:
            out.append(escapes[byte])
        elif 0x20 <= byte < 0x7F:
            out.append(chr(byte))
        else:
            out.append(f"\\{byte:03o}")
    return '"' + "".join(out) + '"'


def _path_elements(name: str) -> str:
    """A document's path as the Datastore key elements of the official emulator's messages."""
    ids = values.relative_name(name).split("/")
    elements = []
    for kind, key in zip(ids[::2], ids[1::2], strict=True):
        number = values.numeric_id(key)
        key_line = f"id: {number}" if number is not None else f"name: {_text_string(key)}"
        elements.append(f"  Element {{\n    type: {_text_string(kind)}\n    {key_line}\n  }}\n")
    return "".join(elements)


def no_entity_to_update(name: str) -> str:
    """The official emulator's NOT_FOUND for a write whose precondition wants an existing document."""
    return f'no entity to update: app: "{_partition(name)}"\npath <\n{_path_elements(name)}>\n'


def entity_already_exists(name: str) -> str:
    """The official emulator's ALREADY_EXISTS for a create of an existing document."""
    return f"entity already exists: EntityRef[partitionRef={_partition(name)}, path=/{values.relative_name(name)}]"


def _check_precondition(write: Pb, existing: Pb | None, name: str, now: int) -> None:
    """Enforce a write's precondition: exists (NOT_FOUND / ALREADY_EXISTS) or update_time (FAILED_PRECONDITION)."""
    if not write.HasField("current_document"):
        return
    condition = write.current_document
    kind = condition.WhichOneof("condition_type")
    if kind == "exists":
        if condition.exists and existing is None:
            raise NotFound(no_entity_to_update(name))
        if not condition.exists and existing is not None:
            raise AlreadyExists(entity_already_exists(name))
    elif kind == "update_time":
        if micros(condition.update_time) > now:  # no document can have been written then: a malformed request
            raise InvalidArgument(
                f"The precondition update_time {condition.update_time.ToJsonString()} of {name} is in the future."
            )
        stored = 0 if existing is None else micros(existing.update_time)
        if stored != micros(condition.update_time):
            # Firestore's wording; its versions are the update times in microseconds (0: no document).
            raise FailedPrecondition(
                f"the stored version ({stored}) does not match the required base version "
                f"({micros(condition.update_time)})"
            )
