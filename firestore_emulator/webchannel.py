"""A WebChannel front for the emulator's Listen, so a browser's Firebase SDK can watch a local stack.

Browsers cannot speak gRPC's bidirectional streams, so the Firebase JS SDK reaches Firestore's ``Listen`` through
WebChannel (Closure's ``BrowserChannel`` protocol, version 8) at ``/google.firestore.v1.Firestore/Listen/channel``.
The embedded emulator speaks gRPC only; this module plays the WebChannel server on the local stack's own port and
relays each channel to one gRPC ``Listen`` stream of the emulator, converting messages with proto3 JSON.

The protocol, as the client (``webchannelbase.js``) reads it:

- **handshake**: ``POST …/channel?VER=8&RID=n&database=…`` with a form body ``count=N&ofs=0&req0___data__=<json>``
  (the first messages ride along). The answer carries ``X-HTTP-Session-Id`` and array 0, ``["c", SID, "", 8]``.
- **forward channel**: ``POST …&SID=…&RID=n`` with more messages; the answer is ``[1, last array id, 0]``.
- **back channel**: ``GET …&SID=…&RID=rpc&AID=a&TYPE=xmlhttp&CI=c``: arrays after ``a``, streamed as they come,
  ``[[id, [ListenResponse]]]`` per message, with a ``["noop"]`` now and then; the request ends after a while (at
  once after data when ``CI=1``, a buffering proxy) and the client opens the next one.
- **terminate**: ``GET …&SID=…&TYPE=terminate``.

Every body chunk is framed as ``<length>\\n<json>``, the length in UTF-16 units (the JSON is ASCII-only here).

**Access.** Who may open a channel is not the protocol's to decide: the bridge is given a ``ListenAccess`` and asks
it. A handshake must carry a bearer credential (``Authorization: Bearer …``).
WebChannel carries a handshake's headers in one of three ways, all read: a real header; the form field ``headers``
of the handshake body (the Firebase SDK sets ``encodeInitMessageHeaders``, which writes
``headers=<encoded "Name:value\\r\\n"…>&`` before the messages, so that the browser sends a CORS-simple request);
or the URL parameter named by ``httpHeadersOverwriteParam`` (``$httpHeaders`` by convention), in the same
``Name:value\\r\\n`` format. No credential is a 401 and one that ``ListenAccess.admit`` refuses a 403; neither opens a
gRPC stream. Later requests of the channel are authorized by its session id (random, known only to the client that
completed the handshake).

**Rules.** Which targets the admitted principal may add is the emulator's security rules' to decide, as in
production: the channel's gRPC Listen carries the principal as the caller, ``authorization: Bearer <unsigned JWT
whose uid is the principal>`` (the token the JS SDK's ``mockUserToken`` makes; an emulator reads the uid from it and
does not check a signature), with ``google-cloud-resource-prefix: <database>``, as the client libraries send it
(Google's emulator answers a Listen without it UNKNOWN). A target the rules refuse comes back from the emulator as
a REMOVE with cause ``PERMISSION_DENIED``, relayed like any other message (the SDK's ``onSnapshot`` then fails with
``permission-denied``). The one check made here is the protocol's: a channel serves one database, so a target that
names a document or parent outside it never reaches the emulator and is answered in the same way.

The emulator's package holds this front because it speaks Firestore's protocol; it imports nothing of the
application (the local stack passes its access check in).
"""

from __future__ import annotations

import base64
import json
import logging
import math
import queue
import re
import secrets
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import flask
import grpc
from google.cloud.firestore_v1.types import firestore as firestore_types
from google.protobuf import json_format

from firestore_emulator.rules import unsigned_jwt

logger = logging.getLogger(__name__)

LISTEN_PATH = "/google.firestore.v1.Firestore/Listen/channel"
LISTEN_METHOD = "/google.firestore.v1.Firestore/Listen"
PROTOCOL_VERSION = 8  # WebChannel wire version the Firebase SDK speaks
KEEPALIVE_S = 10.0  # seconds between noops on an idle back channel (announced to the client)
BACKCHANNEL_S = 25.0  # seconds a streaming back channel stays open before the client is asked to reopen it
SESSION_IDLE_S = 120.0  # seconds without any request after which a channel and its gRPC stream are closed
MAX_FORWARD_BYTES = 1024 * 1024  # bytes of one forward-channel POST body

# the URL parameter of Closure's httpHeadersOverwriteParam convention
HEADERS_OVERWRITE_PARAM = "$httpHeaders"
ENCODED_HEADERS_FIELD = "headers"  # the handshake body's field when the client sets encodeInitMessageHeaders
PERMISSION_DENIED = 7  # google.rpc.Code of a refused target
DENIED_MESSAGE = "Missing or insufficient permissions."  # what Firestore says with it
DATABASE_NAME = re.compile(r"projects/[^/]+/databases/[^/]+")  # a channel's ?database=

ListenRequest = firestore_types.ListenRequest.pb()
ListenResponse = firestore_types.ListenResponse.pb()


class ListenAccess(Protocol):
    """Who may open a channel: the application's part, passed to the bridge (the rules decide the targets)."""

    def admit(self, bearer_tokens: Sequence[str]) -> str | None:
        """The principal (a user id) that one of the handshake's bearer tokens stands for; None refuses them all."""
        ...


def listen_metadata(principal: str, database: str) -> list[tuple[str, str]]:
    """The gRPC metadata of a channel's Listen: ``principal`` as the rules' caller, and the database prefix."""
    project = database.split("/")[1]
    token = unsigned_jwt(mock_user_claims(principal, project))
    return [("authorization", f"Bearer {token}"), ("google-cloud-resource-prefix", database)]


def mock_user_claims(uid: str, project: str) -> dict[str, Any]:
    """The claims the JS SDK's ``mockUserToken`` puts in a token for ``uid`` (``createMockUserToken``), which both
    emulators accept as a signed-in user."""
    return {
        "iss": f"https://securetoken.google.com/{project}",
        "aud": project,
        "iat": 0,
        "exp": 3600,
        "auth_time": 0,
        "sub": uid,
        "user_id": uid,
        "firebase": {"sign_in_provider": "custom", "identities": {}},
    }


def denied(target_id: int) -> dict[str, Any]:
    """The ListenResponse (proto3 JSON) with which Firestore refuses a target."""
    cause = {"code": PERMISSION_DENIED, "message": DENIED_MESSAGE}
    return {"targetChange": {"targetChangeType": "REMOVE", "targetIds": [target_id], "cause": cause}}


def response_json(response: Any) -> dict[str, Any]:
    """A ListenResponse as proto3 JSON, as ``json_format.MessageToDict`` writes it.

    A document change (nearly every message of a large query's first snapshot) is encoded here field by field:
    ``MessageToDict`` walks descriptors in Python at ~0.5 ms a document, which made a 10,000-row listener wait
    seconds on this thread alone; the rest (target changes, deletes, filters) are rare and go through it."""
    if response.WhichOneof("response_type") != "document_change":
        return dict(json_format.MessageToDict(response))
    change = response.document_change
    encoded: dict[str, Any] = {"document": document_json(change.document)}
    if change.target_ids:
        encoded["targetIds"] = list(change.target_ids)
    if change.removed_target_ids:
        encoded["removedTargetIds"] = list(change.removed_target_ids)
    return {"documentChange": encoded}


def document_json(document: Any) -> dict[str, Any]:
    """A Document message as proto3 JSON (fields omitted when unset, as ``MessageToDict`` does)."""
    encoded: dict[str, Any] = {}
    if document.name:
        encoded["name"] = document.name
    if document.fields:
        encoded["fields"] = {key: value_json(value) for key, value in document.fields.items()}
    if document.HasField("create_time"):
        encoded["createTime"] = document.create_time.ToJsonString()
    if document.HasField("update_time"):
        encoded["updateTime"] = document.update_time.ToJsonString()
    return encoded


def value_json(value: Any) -> dict[str, Any]:
    """A Firestore Value as proto3 JSON (int64 as a string, non-finite doubles by name, bytes in base64)."""
    kind = value.WhichOneof("value_type")
    if kind == "string_value":
        return {"stringValue": value.string_value}
    if kind == "integer_value":
        return {"integerValue": str(value.integer_value)}
    if kind == "double_value":
        number = value.double_value
        if math.isfinite(number):
            return {"doubleValue": number}
        return {"doubleValue": "NaN" if math.isnan(number) else ("Infinity" if number > 0 else "-Infinity")}
    if kind == "boolean_value":
        return {"booleanValue": value.boolean_value}
    if kind == "null_value":
        return {"nullValue": None}  # as MessageToDict writes it (the SDK reads only the key)
    if kind == "timestamp_value":
        return {"timestampValue": value.timestamp_value.ToJsonString()}
    if kind == "map_value":
        fields = value.map_value.fields
        return {
            "mapValue": {"fields": {key: value_json(item) for key, item in fields.items()}} if fields else {}
        }
    if kind == "array_value":
        values = value.array_value.values
        return {"arrayValue": {"values": [value_json(item) for item in values]} if values else {}}
    if kind == "reference_value":
        return {"referenceValue": value.reference_value}
    if kind == "bytes_value":
        return {"bytesValue": base64.b64encode(value.bytes_value).decode("ascii")}
    if kind == "geo_point_value":
        return {"geoPointValue": dict(json_format.MessageToDict(value.geo_point_value))}
    return dict(json_format.MessageToDict(value))


def frame(payload: Any) -> str:
    """One length-prefixed WebChannel chunk."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=True)
    return f"{len(text)}\n{text}"


@dataclass
class Channel:
    """One browser channel and the gRPC Listen stream it is relayed to."""

    sid: str
    principal: str
    database: str
    forwarded: set[int] = field(default_factory=set)  # the target ids that reached the emulator
    requests: queue.Queue[Any] = field(default_factory=queue.Queue)
    arrays: list[tuple[int, Any]] = field(default_factory=list)
    next_id: int = 1
    closed: bool = False
    last_seen: float = field(default_factory=time.monotonic)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def push(self, payload: Any) -> None:
        """Queue an array for the back channel."""
        with self.changed:
            self.arrays.append((self.next_id, payload))
            self.next_id += 1
            self.changed.notify_all()

    def acknowledge(self, last_id: int) -> None:
        """Forget arrays the client has seen (ids up to ``last_id``)."""
        with self.changed:
            seen = 0
            while seen < len(self.arrays) and self.arrays[seen][0] <= last_id:
                seen += 1
            if seen:
                del self.arrays[:seen]

    def after(self, last_id: int) -> list[tuple[int, Any]]:
        """The arrays after ``last_id`` (ids are consecutive, so this is a slice: each back-channel wake costs what
        it sends, not every array not yet acknowledged, which made a large first snapshot quadratic)."""
        with self.changed:
            if not self.arrays:
                return []
            start = max(0, last_id + 1 - self.arrays[0][0])
            return self.arrays[start:]

    def close(self) -> None:
        """End the gRPC stream and wake every back channel."""
        with self.changed:
            if self.closed:
                return
            self.closed = True
            self.requests.put(None)
            self.changed.notify_all()

    def outgoing(self) -> Iterator[Any]:
        """The ListenRequests for gRPC, until the channel closes."""
        while (message := self.requests.get()) is not None:
            yield message


class ListenBridge:
    """The WebChannel sessions of one server, relayed to the emulator at ``emulator_host``."""

    def __init__(self, emulator_host: str, *, access: ListenAccess, project: str | None = None) -> None:
        """``access`` admits each handshake (the emulator's rules then decide each target); with ``project`` set,
        only that project's default database can be listened to."""
        self._access = access
        self._database = f"projects/{project}/databases/(default)" if project else None
        self._grpc = grpc.insecure_channel(emulator_host)
        self._listen = self._grpc.stream_stream(
            LISTEN_METHOD,
            request_serializer=ListenRequest.SerializeToString,
            response_deserializer=ListenResponse.FromString,
        )
        self._channels: dict[str, Channel] = {}
        self._lock = threading.Lock()

    def register(self, app: flask.Flask) -> None:
        """Serve the Listen channel on ``app``."""
        app.add_url_rule(
            LISTEN_PATH, endpoint="webchannel_listen", view_func=self.view, methods=["GET", "POST"]
        )

    def close(self) -> None:
        """Close every channel and the gRPC connection."""
        with self._lock:
            channels, self._channels = list(self._channels.values()), {}
        for channel in channels:
            channel.close()
        self._grpc.close()

    def view(self) -> flask.Response:
        """Dispatch one WebChannel request."""
        self._expire_idle()
        request = flask.request
        sid = request.args.get("SID")
        if sid is None:
            return self._handshake()
        channel = self._channels.get(sid)
        if channel is None or channel.closed:
            return flask.Response("Unknown SID", status=400, mimetype="text/plain")
        channel.last_seen = time.monotonic()
        if request.args.get("TYPE") == "terminate":
            self._drop(channel)
            return flask.Response("", mimetype="text/plain")
        if request.method == "POST":
            return self._forward(channel)
        return self._back(channel, int(request.args.get("AID", "-1")), buffered=request.args.get("CI") == "1")

    def _handshake(self) -> flask.Response:
        request = flask.request
        if (request.content_length or 0) > MAX_FORWARD_BYTES:
            return flask.Response("request too large", status=413, mimetype="text/plain")
        principal = self._authenticate()
        if isinstance(principal, flask.Response):
            return principal
        database = request.args.get("database", self._database or "")
        if not DATABASE_NAME.fullmatch(database):
            return flask.Response(
                f"the Listen channel needs database=projects/P/databases/D, got {database!r}",
                status=400,
                mimetype="text/plain",
            )
        if self._database is not None and database != self._database:
            return flask.Response(
                f"this stack serves {self._database} only", status=403, mimetype="text/plain"
            )
        channel = Channel(sid=secrets.token_urlsafe(24), principal=principal, database=database)
        error = self._read_messages(channel)
        if error is not None:
            return error
        with self._lock:
            self._channels[channel.sid] = channel
        threading.Thread(
            target=self._relay, args=(channel,), name=f"webchannel-{channel.sid}", daemon=True
        ).start()
        body = frame([[0, ["c", channel.sid, "", PROTOCOL_VERSION, 0, int(KEEPALIVE_S * 1000)]]])
        response = flask.Response(body, mimetype="text/plain")
        response.headers["X-HTTP-Session-Id"] = channel.sid
        return response

    def _forward(self, channel: Channel) -> flask.Response:
        error = self._read_messages(channel)
        if error is not None:
            return error
        with channel.changed:
            last_id = channel.next_id - 1
        return flask.Response(frame([1, last_id, 0]), mimetype="text/plain")

    def _authenticate(self) -> str | flask.Response:
        """The principal that the handshake's bearer credential (header, encoded headers field or ``$httpHeaders``)
        stands for; a 401 without a credential, a 403 with one that ``access`` refuses."""
        request = flask.request
        offered = [request.headers.get("Authorization")]
        for encoded in (request.args.get(HEADERS_OVERWRITE_PARAM), request.form.get(ENCODED_HEADERS_FIELD)):
            if encoded:
                offered.append(encoded_headers(encoded).get("authorization"))
        tokens = [
            value[len("Bearer ") :].strip() for value in offered if value and value.startswith("Bearer ")
        ]
        if not tokens:
            return flask.Response(
                "the Listen channel needs a credential (Authorization: Bearer …)",
                status=401,
                mimetype="text/plain",
                headers={"WWW-Authenticate": "Bearer"},
            )
        principal = self._access.admit(tokens)
        if principal is not None:
            return principal
        logger.warning("refused a Listen handshake with a wrong token")
        return flask.Response("the Listen channel refused this token", status=403, mimetype="text/plain")

    def _in_database(self, channel: Channel, message: Any) -> bool:
        """Does this ListenRequest's target lie in the channel's database (the one its Listen is prefixed with)?"""
        if (message.database or channel.database) != channel.database:
            return False
        root = f"{channel.database}/documents"
        target = message.add_target
        kind = target.WhichOneof("target_type")
        names = list(target.documents.documents) if kind == "documents" else [target.query.parent]
        return all(name == root or name.startswith(root + "/") for name in names)

    def _read_messages(self, channel: Channel) -> flask.Response | None:
        """Parse the form's ``reqN___data__`` messages onto the gRPC stream; a 400 for a malformed body.

        A target outside the channel's database is answered at once (a REMOVE with cause) and not sent on."""
        request = flask.request
        if (request.content_length or 0) > MAX_FORWARD_BYTES:
            return flask.Response("request too large", status=413, mimetype="text/plain")
        form = request.form
        try:
            count = int(form.get("count", "0"))
            offset = int(form.get("ofs", "0"))
            for index in range(offset, offset + count):
                raw = form.get(f"req{index - offset}___data__")
                if raw is None:
                    continue
                data = json.loads(raw)
                if not isinstance(data, dict):
                    raise ValueError(f"a ListenRequest is a JSON object, got {type(data).__name__}")
                message = json_format.ParseDict(data, ListenRequest())
                self._route(channel, message)
        except (ValueError, json_format.ParseError) as exc:
            logger.warning("bad WebChannel message: %s", exc)
            return flask.Response(f"bad message: {exc}", status=400, mimetype="text/plain")
        return None

    def _route(self, channel: Channel, message: Any) -> None:
        """Send one ListenRequest on, or answer it here when its target lies outside the channel's database."""
        kind = message.WhichOneof("target_change")
        if kind == "add_target":
            target_id = int(message.add_target.target_id)
            if not self._in_database(channel, message):
                logger.info(
                    "refused a Listen target outside %s: %s",
                    channel.database,
                    json.dumps(json_format.MessageToDict(message.add_target))[:300],
                )
                channel.push([denied(target_id)])
                return
            channel.forwarded.add(target_id)
        elif kind == "remove_target":
            if message.remove_target not in channel.forwarded:
                return  # a target refused here: the emulator never had it
            channel.forwarded.discard(message.remove_target)
        channel.requests.put(message)

    def _back(self, channel: Channel, acked: int, *, buffered: bool) -> flask.Response:
        def stream() -> Iterator[str]:
            deadline = time.monotonic() + BACKCHANNEL_S
            last = acked
            channel.acknowledge(acked)
            while time.monotonic() < deadline and not channel.closed:
                pending = channel.after(last)
                if pending:
                    last = pending[-1][0]
                    yield frame([[array_id, payload] for array_id, payload in pending])
                    if buffered:
                        return
                    continue
                with channel.changed:
                    if channel.next_id - 1 <= last and not channel.closed:
                        channel.changed.wait(timeout=KEEPALIVE_S)
                    woke_with_data = channel.next_id - 1 > last
                if not woke_with_data and not channel.closed:
                    channel.push(["noop"])

        return flask.Response(flask.stream_with_context(stream()), mimetype="text/plain")

    def _relay(self, channel: Channel) -> None:
        """Copy the emulator's ListenResponses onto the channel until either side ends."""
        try:
            metadata = listen_metadata(channel.principal, channel.database)
            for response in self._listen(channel.outgoing(), metadata=metadata):
                channel.push([response_json(response)])
        except grpc.RpcError as exc:
            if not channel.closed:
                code = exc.code() if hasattr(exc, "code") else grpc.StatusCode.UNAVAILABLE
                channel.push(
                    [{"error": {"code": code.value[0], "status": code.name, "message": str(exc.details())}}]
                )
        except (
            ValueError
        ):  # the bridge closed its gRPC connection (the stack is stopping) before this stream began
            pass
        finally:
            channel.close()

    def _drop(self, channel: Channel) -> None:
        with self._lock:
            self._channels.pop(channel.sid, None)
        channel.close()

    def _expire_idle(self) -> None:
        now = time.monotonic()
        with self._lock:
            idle = [
                channel for channel in self._channels.values() if now - channel.last_seen > SESSION_IDLE_S
            ]
        for channel in idle:
            self._drop(channel)


def encoded_headers(encoded: str) -> dict[str, str]:
    """Headers in WebChannel's ``Name:value\\r\\n`` encoding, by lower-cased name."""
    headers: dict[str, str] = {}
    for line in encoded.split("\r\n"):
        name, sep, value = line.partition(":")
        if sep and name.strip():
            headers[name.strip().lower()] = value.strip()
    return headers
