"""Invariant 5 at every entrypoint: bad, oversized or unauthorised requests get a 4xx JSON error and write nothing."""

from __future__ import annotations

import base64
import hashlib
import json
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import functions_framework
import pytest
import requests
from artifacts.conftest import BUCKET, storage_emulator  # noqa: F401 - the storage emulator fixture, shared
from google.cloud import firestore
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from tailrun_functions import defaults, models
from tailrun_functions.artifacts import models as artifact_models

from .conftest import DEV_TOKEN, TARGETS, Api, Reply
from .helpers import PlayedRunner, launched
from .shared import MAIN, dump_all

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
wrong_for_int = st.one_of(
    st.none(),
    st.text(max_size=5),
    st.floats(allow_nan=False),
    st.integers(max_value=-1),
    st.lists(st.integers(), max_size=2),
)
wrong_for_text = st.one_of(
    st.none(),
    st.integers(),
    st.lists(st.text(max_size=3), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
hypothesis_settings = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def played(api: Api, captured: Path) -> PlayedRunner:
    runner = PlayedRunner(api, launched(captured, api.create(argv=["sleep", "1"])))
    runner.started()
    return runner


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        pytest.param(b"", 400, "empty_body", id="empty"),
        pytest.param(b"{not json", 400, "invalid_body", id="not-json"),
        pytest.param(b"\xff\xfe\x00", 400, "invalid_body", id="not-utf8"),
        pytest.param(b"[1, 2]", 400, "invalid_body", id="array"),
        pytest.param(b'"text"', 400, "invalid_body", id="string"),
        pytest.param(b'{"unexpected": true}', 400, "invalid_body", id="unknown-field"),
        pytest.param(b" " * 2_000_000, 413, "payload_too_large", id="oversized"),
    ],
)
def test_malformed_bodies_get_a_4xx_and_write_nothing(
    target: str,
    raw: bytes,
    status: int,
    code: str,
    api: Api,
    played: PlayedRunner,
    firestore_client: firestore.Client,
) -> None:
    before = dump_all(firestore_client)
    reply = api.post(target, raw=raw, token=played.token if target == "job_callback" else DEV_TOKEN)

    expected = 200 if target == "reap_sandboxes" and raw == b"" else status
    assert reply.status == expected, reply.body
    if expected != 200:
        assert set(reply.body["error"]) == {"code", "message"}
        assert reply.body["error"]["code"] == code
        assert dump_all(firestore_client) == before


@pytest.mark.parametrize("target", TARGETS)
def test_other_methods_and_missing_credentials_are_refused(
    target: str, api: Api, played: PlayedRunner
) -> None:
    body = played.message("heartbeat") if target == "job_callback" else {"job_id": played.job_id}
    # A runner's wrong token is not its attempt's; a user's is not the development token (nor an ID token).
    wrong = "bad_token" if target == "job_callback" else "unauthorized"
    assert answer(api.post(target, body, method="GET")) == (405, "method_not_allowed")
    assert answer(api.post(target, body, token=None)) == (401, "missing_token")
    assert answer(api.post(target, body, token="wrong")) == (401, wrong)


def answer(reply: Reply) -> tuple[int, str]:
    """A refusal's status and error code."""
    return reply.status, reply.body["error"]["code"]


@pytest.mark.parametrize(
    ("spec", "code"),
    [
        ({"argv": []}, "invalid_body"),
        ({"argv": ["x"], "prompt": "y"}, "invalid_body"),
        ({"argv": "echo hi"}, "invalid_body"),
        ({"argv": ["x"], "timeout_s": 0}, "invalid_body"),
        ({"argv": ["x"], "timeout_s": "60"}, "invalid_body"),
        ({"argv": ["x"], "max_attempts": 11}, "invalid_body"),
        ({"argv": ["x"], "env": {"1BAD": "x"}}, "invalid_body"),
        ({"argv": ["x"], "env": {"A": 1}}, "invalid_body"),
        ({"argv": ["x"], "labels": {"Bad Key": "x"}}, "invalid_body"),
        ({"argv": ["x"], "idempotency_key": ""}, "invalid_body"),
        ({"argv": ["x"], "idempotency_key": "k" * 129}, "invalid_body"),
        ({"argv": ["x" * 30_000]}, "invalid_body"),
        ({"argv": ["\ud800"]}, "invalid_body"),
        ({"prompt": "hi", "agent": "no-such-agent"}, "unknown_agent"),
        ({"argv": ["x"], "agent": "claude"}, "invalid_body"),
    ],
)
def test_invalid_specs_are_refused(
    spec: dict[str, Any], code: str, api: Api, firestore_client: firestore.Client
) -> None:
    reply = api.post("create_job", raw=json.dumps(spec).encode())
    assert answer(reply) == (400, code), reply.body
    assert dump_all(firestore_client) == {}


@hypothesis_settings
@given(body=json_values)
def test_arbitrary_json_is_never_accepted_by_create_job(
    body: Any, api: Api, firestore_client: firestore.Client
) -> None:
    reply = api.post("create_job", raw=json.dumps(body).encode())
    assert 400 <= reply.status < 500
    assert dump_all(firestore_client) == {}


CALLBACK_BREAKERS = {
    "job_id": st.one_of(wrong_for_text, st.just(""), st.just("../x")),
    "attempt": wrong_for_int,
    "seq": wrong_for_int,
    "type": st.one_of(wrong_for_text, st.sampled_from(["", "Output", "stdout", "done"])),
    "lines": st.one_of(st.none(), st.just([]), st.integers(), st.lists(json_values, min_size=1, max_size=3)),
    "line": wrong_for_int,
    "stream": st.one_of(wrong_for_text, st.sampled_from(["stdin", "STDOUT", ""])),
    "text": st.one_of(wrong_for_text, st.just("\ud800")),
}


@hypothesis_settings
@given(field=st.sampled_from(sorted(CALLBACK_BREAKERS)), data=st.data())
def test_broken_callback_messages_get_a_4xx_and_write_nothing(
    field: str, data: st.DataObject, played: PlayedRunner, firestore_client: firestore.Client
) -> None:
    message = played.message("output", seq=1, lines=[{"line": 0, "stream": "stdout", "ts": 1, "text": "ok"}])
    value = data.draw(CALLBACK_BREAKERS[field])
    if field in ("line", "stream", "text"):
        message["lines"][0][field] = value
    else:
        message[field] = value
    before = dump_all(firestore_client)

    reply = played.api.post("job_callback", raw=json.dumps(message).encode(), token=played.token)

    assert 400 <= reply.status < 500, (message, reply.body)
    assert dump_all(firestore_client) == before


def valid_messages(played: PlayedRunner) -> dict[str, dict[str, Any]]:
    """One well-formed message of every type the callback stores (seq far ahead, so each would be applied)."""
    line = {"line": 0, "stream": "stdout", "ts": 1, "text": "ok"}
    fields: dict[str, dict[str, Any]] = {
        "started": {"sandbox": {"hostname": "h"}},
        "output": {"lines": [line]},
        "heartbeat": {},
        "progress": {"percent": 50, "step": "half"},
        "completed": {"exit_code": 0, "signal": None, "duration_ms": 1, "lines": 1, "reason": "exited"},
    }
    return {
        kind: played.message(kind, seq=100 + i, **extra) for i, (kind, extra) in enumerate(fields.items())
    }


REQUIRED = {
    "started": ["job_id", "attempt", "seq", "type"],
    "output": ["job_id", "attempt", "seq", "type", "lines"],
    "heartbeat": ["job_id", "attempt", "seq", "type"],
    "progress": ["job_id", "attempt", "seq", "type", "percent"],
    "completed": ["job_id", "attempt", "seq", "type", "exit_code", "duration_ms", "lines"],
}
not_a_number = st.one_of(st.none(), st.text(max_size=5), st.lists(st.integers(), max_size=2), st.booleans())
WRONG_VALUES = {
    "sandbox": st.one_of(
        st.none(),
        st.text(max_size=5),
        st.lists(st.integers(), min_size=1, max_size=2),
        st.dictionaries(st.sampled_from(["1x", "a b", ""]), st.integers(), min_size=1, max_size=2),
        st.dictionaries(st.just("nested"), st.dictionaries(st.text(max_size=3), st.integers()), min_size=1),
        st.just({"big": "x" * 5000}),
    ),
    "percent": st.one_of(
        not_a_number,
        st.floats(min_value=100, exclude_min=True, max_value=1000),
        st.floats(max_value=0, exclude_max=True, min_value=-1000),
    ),
    "step": st.one_of(st.integers(), st.lists(st.text(max_size=2), max_size=2), st.just("\udc80")),
    "exit_code": st.one_of(st.text(max_size=3), st.floats(allow_nan=False), st.integers(min_value=2**31)),
    "duration_ms": st.one_of(not_a_number, st.integers(max_value=-1)),
    "signal": st.one_of(st.integers(), st.sampled_from(["sigterm", "", "SIG TERM", "X" * 17])),
    "reason": st.one_of(st.none(), st.sampled_from(["done", "EXITED", ""])),
    "attempt": st.one_of(not_a_number, st.integers(max_value=0), st.integers(min_value=1001)),
    "seq": st.one_of(not_a_number, st.integers(max_value=-1), st.integers(min_value=2**53 + 1)),
    "ts": st.one_of(st.text(max_size=3), st.integers(max_value=-1)),
}


def breakages() -> list[tuple[str, str]]:
    """(message type, what to break): drop a required field, add an unknown one, give one field a wrong value,
    or (output) number the lines with a hole."""
    fields = {
        "started": ["sandbox"],
        "output": [],
        "heartbeat": [],
        "progress": ["percent", "step"],
        "completed": ["exit_code", "duration_ms", "signal", "reason"],
    }
    cases = [("output", "hole")]
    for kind, own in fields.items():
        cases += [(kind, "drop"), (kind, "extra")]
        cases += [(kind, name) for name in ["attempt", "seq", "ts", *own]]
    return cases


@st.composite
def broken(draw: st.DrawFn, message: dict[str, Any], kind: str, how: str) -> dict[str, Any]:
    message = dict(message)
    if how == "drop":
        del message[draw(st.sampled_from(REQUIRED[kind]))]
    elif how == "extra":
        message[draw(st.text(min_size=1, max_size=8).filter(lambda k: k not in message))] = draw(json_values)
    elif how == "hole":
        first = dict(message["lines"][0])
        message["lines"] = [first, {**first, "line": first["line"] + draw(st.sampled_from([0, 2, -1, 5]))}]
    else:
        message[how] = draw(WRONG_VALUES[how])
    return message


@pytest.mark.parametrize(("kind", "how"), breakages())
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_generated_broken_messages_of_every_type_get_a_4xx_and_write_nothing(
    kind: str, how: str, data: st.DataObject, played: PlayedRunner, firestore_client: firestore.Client
) -> None:
    message = data.draw(broken(valid_messages(played)[kind], kind, how))
    before = dump_all(firestore_client)

    reply = played.api.post("job_callback", raw=json.dumps(message).encode(), token=played.token)

    assert 400 <= reply.status < 500, (message, reply.body)
    assert set(reply.body["error"]) == {"code", "message"}
    assert dump_all(firestore_client) == before


def test_the_valid_messages_the_generator_breaks_are_accepted(
    api: Api, captured: Path, firestore_client: firestore.Client
) -> None:
    """The control for the test above: unbroken, every one of them is applied (a fresh attempt, so the first
    heartbeat is not coalesced away)."""
    fresh = PlayedRunner(api, launched(captured, api.create(argv=["x"])))
    valid = valid_messages(fresh)
    for kind in ("heartbeat", "output", "progress", "started", "completed"):
        message = valid[kind]
        before = dump_all(firestore_client)
        reply = api.post("job_callback", message, token=fresh.token)
        assert reply.status == 200, (kind, reply.body)
        assert dump_all(firestore_client) != before, f"a valid {kind} changed nothing"


@hypothesis_settings
@given(target=st.sampled_from(["cancel_job", "retry_job", "reap_sandboxes"]), body=json_values)
def test_arbitrary_json_to_the_other_entrypoints_gets_a_4xx_and_writes_nothing(
    target: str, body: Any, api: Api, played: PlayedRunner, firestore_client: firestore.Client
) -> None:
    if target == "reap_sandboxes" and isinstance(body, dict) and set(body) <= {"dry_run"}:
        body = {**body, "dry_run": "yes"}  # {} and {"dry_run": bool} are a valid reaper request
    if target != "reap_sandboxes" and isinstance(body, dict):
        body = {**body, "job_id": played.job_id, "extra": 1} if "job_id" in body else body
    before = dump_all(firestore_client)

    reply = api.post(target, raw=json.dumps(body).encode())

    assert 400 <= reply.status < 500, (body, reply.body)
    assert dump_all(firestore_client) == before


@hypothesis_settings
@given(target=st.sampled_from(TARGETS), raw=st.binary(min_size=1, max_size=64))
def test_arbitrary_bytes_get_a_4xx_and_write_nothing(
    target: str, raw: bytes, api: Api, played: PlayedRunner, firestore_client: firestore.Client
) -> None:
    try:
        if raw.strip() == b"" or json.loads(raw) == {}:
            raw = b"\x00" + raw  # an empty body and {} are the reaper's valid requests
    except ValueError:
        pass
    before = dump_all(firestore_client)

    reply = api.post(target, raw=raw, token=played.token if target == "job_callback" else DEV_TOKEN)

    assert 400 <= reply.status < 500, (raw, reply.body)
    assert dump_all(firestore_client) == before


def output_with(text_json: str, played: PlayedRunner) -> bytes:
    """An output message whose line text is the given raw JSON (not necessarily a string)."""
    return (
        f'{{"job_id": "{played.job_id}", "attempt": 1, "seq": 9, "type": "output", '
        f'"lines": [{{"line": 0, "stream": "stdout", "ts": 1, "text": {text_json}}}]}}'
    ).encode()


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda p: b"[" * 100_000 + b"]" * 100_000, id="deeply-nested"),
        pytest.param(lambda p: output_with("[" * 50_000 + "]" * 50_000, p), id="deeply-nested-text"),
        pytest.param(lambda p: output_with("NaN", p), id="nan"),
        pytest.param(lambda p: output_with("Infinity", p), id="infinity"),
        pytest.param(lambda p: output_with("1" + "0" * 400, p), id="huge-number"),
        pytest.param(lambda p: output_with('"\\ud800"', p), id="lone-surrogate"),
        pytest.param(
            lambda p: output_with('"ok"', p).replace(b'"ts": 1', b'"ts": 1e400'), id="float-overflow"
        ),
        pytest.param(
            lambda p: output_with('"ok"', p).replace(b'"seq": 9', b'"seq": 9.5'), id="fractional-seq"
        ),
        pytest.param(lambda p: output_with('"ok"', p).replace(b'"seq": 9', b'"seq": true'), id="boolean-seq"),
        pytest.param(lambda p: output_with('"ok"', p)[:-1], id="truncated"),
        pytest.param(lambda p: output_with('"ok"', p) + b"{}", id="trailing-data"),
        pytest.param(lambda p: b"\xef\xbb\xbf" + output_with('"ok"', p), id="byte-order-mark"),
    ],
)
@pytest.mark.parametrize("target", ["job_callback", "create_job"])
def test_hostile_json_gets_a_4xx_and_writes_nothing(
    make, target: str, api: Api, played: PlayedRunner, firestore_client: firestore.Client
) -> None:
    before = dump_all(firestore_client)

    reply = api.post(target, raw=make(played), token=played.token if target == "job_callback" else DEV_TOKEN)

    assert 400 <= reply.status < 500, reply.body
    assert set(reply.body["error"]) == {"code", "message"}
    assert dump_all(firestore_client) == before


@pytest.mark.parametrize("target", TARGETS)
def test_an_oversized_body_without_a_length_is_refused_over_real_http(
    target: str, functions_server: str, played: PlayedRunner, firestore_client: firestore.Client
) -> None:
    """Chunked transfer (no Content-Length): the limit holds on what is read, not on what is announced."""

    def body() -> Iterator[bytes]:
        yield b'{"job_id": "' + played.job_id.encode() + b'", "pad": "'
        for _ in range(100):
            yield b"x" * 10_000
        yield b'"}'

    token = played.token if target == "job_callback" else DEV_TOKEN
    before = dump_all(firestore_client)

    reply = requests.post(
        f"{functions_server}/{target}", data=body(), headers={"Authorization": f"Bearer {token}"}, timeout=30
    )

    assert reply.status_code == 413, reply.text
    assert reply.json()["error"]["code"] == "payload_too_large"
    assert dump_all(firestore_client) == before


# --- every field of every entrypoint, enumerated from the models -------------------------------------------------
#
# For each entrypoint, the model its body is parsed into; for each field of it (and of the models nested in it), a
# strategy of wrong values with the exact status each gets. The coverage test below walks the models' own
# ``model_fields``: a field added later without a case here fails it.

ARTIFACT_TARGETS = ("upload", "finalize_artifact", "review_artifact", "download_artifact")
MESSAGE_MODELS: dict[str, type[BaseModel]] = {
    "started": models.Started,
    "output": models.Output,
    "heartbeat": models.Heartbeat,
    "progress": models.Progress,
    "artifact": models.Artifact,
    "completed": models.Completed,
    "claim": models.Claim,
}
ENTRYPOINT_MODELS: dict[str, list[type[BaseModel]]] = {
    "create_job": [models.CreateJobRequest],
    "cancel_job": [models.JobRef],
    "retry_job": [models.JobRef],
    "reap_sandboxes": [models.ReapRequest],
    "job_callback": list(MESSAGE_MODELS.values()),
    "upload": [artifact_models.UploadRequest],
    "finalize_artifact": [artifact_models.FinalizeRequest],
    "review_artifact": [artifact_models.ReviewRequest],
    "download_artifact": [artifact_models.DownloadRequest],
}
# A nested model's fields are broken inside the body at this place: (field of the parent, index or None).
NESTED_AT: dict[type[BaseModel], tuple[str | int, ...]] = {
    models.Line: ("lines", 0),
    models.ArtifactError: ("error",),
    models.Event: ("events", 0),
    models.State: ("state",),
    models.Annotations: ("state", "annotations"),
    models.Usage: ("state", "usage"),
}


class Raw(bytes):
    """Bytes that go into the body as they are, inside a JSON string: how invalid UTF-8 gets into a request."""


RAW_MARK = "\x00raw\x00"


def encode(body: dict[str, Any]) -> bytes:
    """The body as JSON bytes, with every ``Raw`` value spliced in unescaped."""
    raws: list[bytes] = []

    def mark(value: Any) -> Any:
        if isinstance(value, Raw):
            raws.append(bytes(value))
            return f"{RAW_MARK}{len(raws) - 1}"
        if isinstance(value, dict):
            return {k: mark(v) for k, v in value.items()}
        if isinstance(value, list):
            return [mark(v) for v in value]
        return value

    out = json.dumps(mark(body)).encode()
    for index, raw in enumerate(raws):
        out = out.replace(json.dumps(f"{RAW_MARK}{index}").encode(), b'"' + raw + b'"')
    return out


def bad(strategy: st.SearchStrategy[Any], status: int = 400) -> st.SearchStrategy[tuple[Any, int]]:
    return strategy.map(lambda value: (value, status))


junk = st.one_of(
    st.lists(json_values, min_size=1, max_size=3),
    st.dictionaries(st.text(max_size=5), json_values, min_size=1, max_size=3),
)
floats = st.floats(allow_nan=False, allow_infinity=False)
non_str = st.one_of(st.integers(), floats, st.booleans(), junk)
non_int = st.one_of(st.text(max_size=5), floats, st.booleans(), junk)
non_bool = st.one_of(st.integers(), floats, st.text(max_size=5), junk)
non_list = st.one_of(
    st.integers(),
    st.booleans(),
    st.text(max_size=5),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
non_dict = st.one_of(st.integers(), st.booleans(), st.text(max_size=5), st.lists(st.integers(), max_size=2))
surrogates = st.sampled_from(["\ud800", "a\udfff", "\udc80x"])
bad_utf8 = st.sampled_from([Raw(b"\xff"), Raw(b"a\xc3"), Raw(b"\xed\xa0\x80"), Raw(b"\xc0\xaf")])
reserved = st.from_regex(r"\A__[A-Za-z0-9_-]{0,8}__\Z")
unsafe_text = st.one_of(surrogates, bad_utf8)


def text(max_chars: int, *, nullable: bool, empty_ok: bool = True) -> st.SearchStrategy[Any]:
    """Wrong values for a text field: another type, lone surrogates, invalid UTF-8, one character too many."""
    options = [non_str, unsafe_text, st.just("x" * (max_chars + 1))]
    options += [] if nullable else [st.none()]
    options += [] if empty_ok else [st.just("")]
    return st.one_of(*options)


def integer(low: int, high: int, *, nullable: bool) -> st.SearchStrategy[Any]:
    """Wrong values for an integer field: another type (fractions and booleans too), below and above its range."""
    options = [non_int, st.integers(max_value=low - 1), st.integers(min_value=high + 1)]
    return st.one_of(*options, *([] if nullable else [st.none()]))


def ident(*, nullable: bool) -> st.SearchStrategy[Any]:
    """Wrong values for a job id (or anything that becomes a document id): reserved names first."""
    shapes = st.sampled_from(["", "../x", "a/b", " ", "é", "a.b", "x" * 65, "__.__", "____"])
    return st.one_of(reserved, shapes, non_str, unsafe_text, *([] if nullable else [st.none()]))


def hex_id(*, nullable: bool) -> st.SearchStrategy[Any]:
    shapes = st.sampled_from(["", "__x__", "A" * 32, "0" * 31, "0" * 33, "g" * 32, "../" + "0" * 29])
    return st.one_of(reserved, shapes, non_str, unsafe_text, *([] if nullable else [st.none()]))


def md5() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(["", "x", "é", "=" * 24, "a" * 24, "a" * 22 + "=", "a" * 64]), non_str, unsafe_text
    )


def literal(*wrong: str, nullable: bool = False) -> st.SearchStrategy[Any]:
    return st.one_of(st.sampled_from(wrong), non_str, unsafe_text, *([] if nullable else [st.none()]))


NAME = st.one_of(
    st.sampled_from(
        [
            "",
            "/abs",
            "a/../b",
            "a//b",
            "./a",
            "a\\b",
            "a\x00b",
            "a\nb",
            "a\u202eb",
            "x" * 201,
            "a/" * 17 + "b",
        ]
    ),
    non_str,
    unsafe_text,
)
LINES_AT = st.one_of(
    st.just([]),
    non_list,
    st.lists(st.one_of(st.integers(), st.text(max_size=3), st.none()), min_size=1, max_size=3),
    st.just([{"line": 0}]),
    st.just(
        [
            {"line": 0, "stream": "stdout", "ts": 1, "text": "a"},
            {"line": 2, "stream": "stdout", "ts": 1, "text": "b"},
        ]
    ),
)

non_float = st.one_of(st.text(max_size=5), st.lists(st.integers(), max_size=2), st.booleans())
EVENT = {"event": 0, "at_line": 0, "ts": 1, "kind": "step", "text": "s", "cut": False}
ANNOTATIONS = {"error": 0, "warning": 1, "notice": 0}
STATE = {
    "events": 1,
    "current_step": "s",
    "current_url": "https://example.com",
    "annotations": ANNOTATIONS,
    "usage": {"input_tokens": 1, "output_tokens": 2, "cost_usd": 0.5},
    "result": {"ok": True},
}
MESSAGE_COMMON: dict[str, st.SearchStrategy[tuple[Any, int]]] = {  # the fields every callback message has
    "job_id": bad(ident(nullable=False)),
    "attempt": bad(integer(1, defaults.MAX_MAX_ATTEMPTS * 100, nullable=False)),
    "seq": bad(integer(0, models.MAX_SEQ, nullable=False)),
    "ts": bad(integer(0, models.MAX_SEQ, nullable=True)),
    "type": bad(literal("", "Output", "done", "stdout", "STARTED")),
}
CASES: dict[type[BaseModel], dict[str, st.SearchStrategy[tuple[Any, int]]]] = {
    models.CreateJobRequest: {
        "argv": bad(
            st.one_of(
                st.none(),
                st.just([]),
                non_list,
                st.lists(
                    st.one_of(st.integers(), st.none(), st.lists(st.text(max_size=2), max_size=1)),
                    min_size=1,
                    max_size=2,
                ),
                st.lists(unsafe_text, min_size=1, max_size=2),
                st.just(["x"] * (defaults.MAX_ARGV_ITEMS + 1)),
                st.just(["x" * (defaults.MAX_ARGV_BYTES + 1)]),
            )
        ),
        "prompt": bad(text(defaults.MAX_PROMPT_BYTES, nullable=False, empty_ok=False)),
        "agent": bad(literal("", "Claude", "no such", "x" * 33, "1abc", "no-such-agent", nullable=True)),
        "env": bad(
            st.one_of(
                st.none(),
                non_dict,
                st.builds(lambda k: {k: "1"}, reserved),
                st.just({"1BAD": "x"}),
                st.just({"A B": "x"}),
                st.builds(lambda v: {"A": v}, st.one_of(non_str, st.none(), unsafe_text)),
                st.just({f"V{i}": "x" for i in range(defaults.MAX_ENV_ITEMS + 1)}),
                st.just({"A": "x" * (defaults.MAX_ENV_BYTES + 1)}),
            )
        ),
        "timeout_s": bad(integer(1, defaults.MAX_TIMEOUT_S, nullable=False)),
        "idle_timeout_s": bad(integer(1, defaults.MAX_TIMEOUT_S, nullable=True)),
        "max_attempts": bad(integer(1, defaults.MAX_MAX_ATTEMPTS, nullable=False)),
        "labels": bad(
            st.one_of(
                st.none(),
                non_dict,
                st.builds(
                    lambda k: {k: "v"}, st.one_of(reserved, st.sampled_from(["Bad Key", "", "1a", "é"]))
                ),
                st.builds(lambda v: {"k": v}, text(defaults.MAX_LABEL_CHARS, nullable=False)),
                st.just({f"k{i}": "v" for i in range(defaults.MAX_LABELS + 1)}),
            )
        ),
        "artifacts": bad(
            st.one_of(
                st.none(),
                non_list,
                st.builds(lambda v: [v], text(256, nullable=False, empty_ok=False)),
                st.just(["out/*"] * (defaults.MAX_ARTIFACT_PATTERNS + 1)),
            )
        ),
        "idempotency_key": bad(literal("", "a b", "é", "x" * 129, "\t", nullable=True)),
        "tty": bad(st.one_of(non_bool, st.none())),
        # not absolute, not a directory, or not text: each refused before anything is written
        "cwd": bad(
            st.one_of(
                text(defaults.MAX_CWD_CHARS, nullable=True, empty_ok=False),
                st.sampled_from(["relative/dir", ".", "/no/such/directory", "/dev/null"]),
            )
        ),
        # malformed: 400; well formed but a workspace the caller is no member of (or none): 404, writing nothing
        "workspace_id": st.one_of(
            bad(
                st.one_of(
                    st.sampled_from(["", "../x", "personal-", "personal-a/b", "A" * 32, "0" * 31, "__x__"]),
                    non_str,
                    unsafe_text,
                )
            ),
            bad(st.sampled_from(["0" * 32, "personal-someone-else"]), 404),
        ),
    },
    models.JobRef: {"job_id": bad(ident(nullable=False))},
    models.ReapRequest: {"dry_run": bad(st.one_of(non_bool, st.none()))},
    models.Started: {
        **MESSAGE_COMMON,
        "sandbox": bad(
            st.one_of(
                st.none(),
                non_dict,
                st.builds(lambda k: {k: 1}, st.one_of(reserved, st.sampled_from(["1x", "a b", ""]))),
                st.just({"nested": {"a": 1}}),
                st.just({"list": [1]}),
                st.builds(lambda v: {"k": v}, unsafe_text),
                st.just({"big": "x" * 5000}),
            )
        ),
    },
    models.Output: {
        **MESSAGE_COMMON,
        "lines": bad(LINES_AT),
        "events": bad(
            st.one_of(
                non_list,
                st.lists(st.one_of(st.integers(), st.text(max_size=3), st.none()), min_size=1, max_size=3),
                st.just([{"event": 0}]),
                st.just([EVENT, {**EVENT, "event": 2}]),  # a gap
                st.just([{**EVENT, "event": i} for i in range(defaults.MAX_EVENTS_PER_BATCH + 1)]),
            )
        ),
        "state": bad(st.one_of(non_dict, st.none(), st.just({**STATE, "events": 7}))),
    },
    models.Event: {
        "event": bad(integer(0, models.MAX_SEQ, nullable=False)),
        "at_line": bad(integer(0, models.MAX_SEQ, nullable=False)),
        "ts": bad(integer(0, models.MAX_SEQ, nullable=False)),
        "kind": bad(literal("", "Step", "a-b", "1x", "k" * 33, "é")),
        "cut": bad(non_bool),
    },
    models.State: {
        "events": bad(integer(0, models.MAX_SEQ, nullable=False)),
        "current_step": bad(text(defaults.MAX_STATE_TEXT_CHARS, nullable=True)),
        "current_url": bad(text(defaults.MAX_STATE_TEXT_CHARS, nullable=True)),
        "annotations": bad(
            st.one_of(non_dict, st.none(), st.just({"error": 0}), st.just({**ANNOTATIONS, "x": 1}))
        ),
        "usage": bad(st.one_of(non_dict, st.just({"tokens": 1}))),
        "result": bad(st.one_of(unsafe_text, st.just("x" * (defaults.MAX_RESULT_BYTES + 1)))),
    },
    models.Annotations: {
        level: bad(integer(0, models.MAX_SEQ, nullable=False)) for level in ("error", "warning", "notice")
    },
    models.Usage: {
        "input_tokens": bad(integer(0, models.MAX_SEQ, nullable=True)),
        "output_tokens": bad(integer(0, models.MAX_SEQ, nullable=True)),
        "cost_usd": bad(st.one_of(non_float, st.floats(max_value=0, exclude_max=True, min_value=-1000))),
    },
    models.Line: {
        "line": bad(integer(0, models.MAX_SEQ, nullable=False)),
        "stream": bad(literal("stdin", "STDOUT", "")),
        "ts": bad(integer(0, models.MAX_SEQ, nullable=False)),
        "text": st.one_of(
            bad(st.one_of(non_str, st.none(), unsafe_text)),
            bad(
                st.just("x" * (defaults.MAX_CALLBACK_BYTES + 1)), 413
            ),  # long lines are cut; a huge body is not read
        ),
        "cut": bad(non_bool),
        "invalid_utf8": bad(non_bool),
        "partial": bad(non_bool),
    },
    models.Heartbeat: MESSAGE_COMMON,
    models.Progress: {
        **MESSAGE_COMMON,
        "percent": bad(
            st.one_of(
                st.none(),
                st.text(max_size=3),
                st.booleans(),
                junk,
                st.floats(min_value=100, exclude_min=True, max_value=1e300),
                st.floats(max_value=0, exclude_max=True, min_value=-1e300),
            )
        ),
        "step": bad(text(500, nullable=False)),
    },
    models.Completed: {
        **MESSAGE_COMMON,
        "exit_code": bad(
            st.one_of(
                st.text(max_size=3),
                st.booleans(),
                junk,
                floats,
                st.integers(min_value=2**31),
                st.integers(max_value=-(2**31) - 1),
            )
        ),
        "signal": bad(literal("sigterm", "", "SIG TERM", "X" * 17, nullable=True)),
        "duration_ms": bad(integer(0, models.MAX_SEQ, nullable=False)),
        "lines": bad(integer(0, models.MAX_SEQ, nullable=False)),
        "reason": bad(literal("done", "EXITED", "")),
    },
    models.Artifact: {
        **MESSAGE_COMMON,
        "name": bad(text(1024, nullable=False, empty_ok=False)),
        "size": bad(integer(0, models.MAX_SEQ, nullable=True)),
        "content_type": bad(text(255, nullable=True)),
        "artifact_id": bad(ident(nullable=True)),
        "md5": bad(md5()),
        "error": bad(
            st.one_of(
                non_dict,
                st.just({"code": "x"}),
                st.just({"message": "x"}),
                st.dictionaries(st.text(min_size=1, max_size=4), json_values, min_size=1, max_size=3).filter(
                    lambda d: set(d) != {"code", "message"}
                ),
            )
        ),
    },
    models.Claim: {
        **{name: MESSAGE_COMMON[name] for name in ("job_id", "attempt", "ts", "type")},
        "execution": bad(literal("", "Exec-1", "-e", "a_b", "e" * 101, "e/1", nullable=False)),
    },
    models.ArtifactError: {
        "code": bad(literal("", "a b", "é", "x" * 65, "a/b")),
        "message": bad(text(2000, nullable=False)),
    },
    artifact_models.UploadRequest: {
        "name": bad(st.one_of(NAME, st.none())),
        "content_type": st.one_of(
            bad(text(128, nullable=False, empty_ok=False)),
            bad(st.sampled_from(["text/html", "image/svg+xml", "text/plain; charset=utf-8"]), 415),
        ),
        "size": bad(integer(0, defaults.MAX_ARTIFACT_SIZE, nullable=False)),
        "md5": bad(md5()),
        "job_id": bad(ident(nullable=True)),
        "attempt": bad(integer(1, 1000, nullable=True)),
        "data": bad(
            st.one_of(
                st.sampled_from(
                    ["é", "abc", "a===", "ab=c", "YWJj\n", " YWJj", "YW Jj", "YWJ-", "YWJj" * 61442]
                ),
                non_str,
                unsafe_text,
            )
        ),
    },
    artifact_models.FinalizeRequest: {
        "artifact_id": bad(hex_id(nullable=False)),
        "job_id": bad(ident(nullable=True)),
        "attempt": bad(integer(1, 1000, nullable=True)),
    },
    artifact_models.ReviewRequest: {
        "job_id": bad(ident(nullable=True)),
        "artifact_id": bad(hex_id(nullable=False)),
        "decision": bad(literal("", "approved", "APPROVE", "yes")),
        "note": bad(text(defaults.MAX_NOTE_CHARS, nullable=False)),
    },
    artifact_models.DownloadRequest: {
        "job_id": bad(ident(nullable=True)),
        "artifact_id": bad(hex_id(nullable=True)),
        "name": bad(NAME),
    },
}


def nested_models(model: type[BaseModel]) -> list[type[BaseModel]]:
    """The models a model's fields hold (``list[Line]``, ``ArtifactError | None``, ...), found from annotations."""
    found: list[type[BaseModel]] = []

    def visit(annotation: Any) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation not in found:
            found.append(annotation)
            for field in annotation.model_fields.values():
                visit(field.annotation)
        for arg in typing.get_args(annotation):
            visit(arg)

    for field in model.model_fields.values():
        visit(field.annotation)
    return found


def field_cases() -> list[tuple[str, type[BaseModel], str]]:
    """(entrypoint, model, field) for every field of every entrypoint's models, nested ones included."""
    cases = []
    for target, roots in ENTRYPOINT_MODELS.items():
        for root in roots:
            for model in [root, *nested_models(root)]:
                cases += [(target, model, name) for name in model.model_fields]
    return cases


def test_every_field_of_every_entrypoint_has_generated_wrong_values() -> None:
    """A field added to a model (or a model nested in one) without a case in CASES fails here."""
    missing = [
        f"{target}: {model.__name__}.{name}"
        for target, model, name in field_cases()
        if name not in CASES.get(model, {})
    ]
    assert not missing, f"no generated wrong values for {missing}"
    assert set(ENTRYPOINT_MODELS) == {*TARGETS, *ARTIFACT_TARGETS}, "an entrypoint without its models"
    assert set(MESSAGE_MODELS.values()) == set(typing.get_args(models.CallbackMessage)), (
        "a message type without cases"
    )
    for kind, model in MESSAGE_MODELS.items():
        assert typing.get_args(model.model_fields["type"].annotation) == (kind,)


@dataclass
class Bodies:
    """One valid body per (entrypoint, model), with variants where a field needs another shape to be present."""

    job_id: str
    attempt: int = 1

    def base(self, target: str, model: type[BaseModel], field: str) -> dict[str, Any]:
        job_id = self.job_id
        data = b"abc"
        md5_abc = base64.b64encode(hashlib.md5(data).digest()).decode()
        if model is models.CreateJobRequest:
            if field in ("prompt", "agent"):
                return {"prompt": "hi", "agent": "claude"}
            return {
                "argv": ["true"],
                "env": {"A": "1"},
                "timeout_s": 60,
                "idle_timeout_s": 30,
                "max_attempts": 1,
                "labels": {"k": "v"},
                "artifacts": ["out/*"],
                "idempotency_key": "key-1",
                "tty": True,
                "cwd": "/",
            }
        if model is models.JobRef:
            return {"job_id": job_id}
        if model is models.ReapRequest:
            return {"dry_run": True}
        if target == "job_callback":
            kind = next(k for k, m in MESSAGE_MODELS.items() if m is model or k == _kind_of(model))
            numbered = {} if kind == "claim" else {"seq": 500}  # a claim comes before any numbered message
            return {
                "job_id": job_id,
                "attempt": self.attempt,
                **numbered,
                "type": kind,
                "ts": 1,
                **MESSAGE_FIELDS[kind],
            }
        if model is artifact_models.UploadRequest:
            body = {
                "name": "a.txt",
                "content_type": "text/plain",
                "size": 3,
                "md5": md5_abc,
                "job_id": job_id,
            }
            body |= {"data": base64.b64encode(data).decode()} if field == "data" else {}
            return body | ({"attempt": 1} if field == "attempt" else {})
        if model is artifact_models.FinalizeRequest:
            return {"artifact_id": "0" * 32, "job_id": job_id} | (
                {"attempt": 1} if field == "attempt" else {}
            )
        if model is artifact_models.ReviewRequest:
            return {"job_id": job_id, "artifact_id": "0" * 32, "decision": "approve", "note": "ok"}
        if model is artifact_models.DownloadRequest:
            return {"job_id": job_id, **({"name": "a.txt"} if field == "name" else {"artifact_id": "0" * 32})}
        raise AssertionError(f"no base body for {target} {model.__name__}")


MESSAGE_FIELDS: dict[str, dict[str, Any]] = {
    "started": {"sandbox": {"hostname": "h"}},
    "output": {
        "lines": [
            {
                "line": 0,
                "stream": "stdout",
                "ts": 1,
                "text": "ok",
                "cut": False,
                "invalid_utf8": False,
                "partial": False,
            }
        ],
        "events": [EVENT],
        "state": STATE,
    },
    "heartbeat": {},
    "progress": {"percent": 50, "step": "half"},
    "artifact": {
        "name": "a.txt",
        "size": 1,
        "content_type": "text/plain",
        "artifact_id": "0" * 32,
        "md5": "A" * 22 + "==",
        "error": {"code": "upload_failed", "message": "no"},
    },
    "completed": {"exit_code": 0, "signal": "TERM", "duration_ms": 1, "lines": 1, "reason": "exited"},
    "claim": {"execution": "tailrun-runner-abc12"},
}


def _kind_of(model: type[BaseModel]) -> str | None:
    """The message type whose body holds a nested model (Line → output, ArtifactError → artifact)."""
    nested = {models.Line, models.Event, models.State, models.Annotations, models.Usage}
    return "output" if model in nested else {models.ArtifactError: "artifact"}.get(model)


def place(body: dict[str, Any], model: type[BaseModel], field: str, value: Any) -> dict[str, Any]:
    """The body with ``field`` of ``model`` (the root or a nested one) set to ``value``."""
    body = json.loads(json.dumps(body))
    holder = body
    for step in NESTED_AT.get(model, ()):
        holder = holder[step]
    holder[field] = value
    if (model, field) == (models.Output, "lines"):  # a batch of lines only: no lines is then wrong too
        body.pop("events", None)
        body.pop("state", None)
    return body


@pytest.mark.parametrize(
    ("target", "model", "field"),
    field_cases(),
    ids=[f"{t}-{m.__name__}-{f}" for t, m, f in field_cases()],
)
def test_the_valid_bodies_the_generator_breaks_pass_their_model(
    target: str, model: type[BaseModel], field: str
) -> None:
    """The control: the body before its field is broken is valid for the entrypoint's model."""
    body = Bodies("job-1").base(target, model, field)
    root = next(m for m in ENTRYPOINT_MODELS[target] if m is model or model in nested_models(m))
    if target == "job_callback":
        models.parse_message(json.dumps(body).encode())
    else:
        root.model_validate_json(json.dumps(body))


@pytest.fixture
def every_entrypoint(
    functions_apps: dict[str, Any], configure: Any, played: PlayedRunner, request: pytest.FixtureRequest
) -> Api:
    """Every entrypoint of main.py (the artifact ones too, on the storage emulator), as the dev user."""
    apps = dict(functions_apps)
    apps.update({t: functions_framework.create_app(t, source=str(MAIN)) for t in ARTIFACT_TARGETS})
    configure(STORAGE_EMULATOR_HOST=request.getfixturevalue("storage_emulator"), TAILRUN_BUCKET=BUCKET)
    return Api(apps)


@pytest.mark.parametrize(
    ("target", "model", "field"),
    field_cases(),
    ids=[f"{t}-{m.__name__}-{f}" for t, m, f in field_cases()],
)
@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_field_of_every_entrypoint_refuses_generated_wrong_values_and_writes_nothing(
    target: str,
    model: type[BaseModel],
    field: str,
    data: st.DataObject,
    every_entrypoint: Api,
    played: PlayedRunner,
    firestore_client: firestore.Client,
) -> None:
    value, status = data.draw(CASES[model][field], label=f"{model.__name__}.{field}")
    body = place(Bodies(played.job_id, played.attempt).base(target, model, field), model, field, value)
    before = dump_all(firestore_client)

    reply = every_entrypoint.post(
        target, raw=encode(body), token=played.token if target == "job_callback" else DEV_TOKEN
    )

    assert reply.status == status, (body if len(encode(body)) < 2000 else field, reply.body)
    assert set(reply.body["error"]) == {"code", "message"}
    assert dump_all(firestore_client) == before


@pytest.mark.parametrize(
    ("target", "body", "token"),
    [
        pytest.param("cancel_job", {"job_id": "__x__"}, DEV_TOKEN, id="cancel_job"),
        pytest.param("retry_job", {"job_id": "__x__"}, DEV_TOKEN, id="retry_job"),
        pytest.param(
            "download_artifact", {"job_id": "__x__", "name": "a.txt"}, DEV_TOKEN, id="download_artifact"
        ),
        pytest.param(
            "upload",
            {"job_id": "__x__", "name": "a.txt", "content_type": "text/plain", "size": 1},
            DEV_TOKEN,
            id="upload",
        ),
        pytest.param(
            "review_artifact",
            {"job_id": "__x__", "artifact_id": "0" * 32, "decision": "approve"},
            DEV_TOKEN,
            id="review",
        ),
        pytest.param(
            "job_callback",
            {"job_id": "__x__", "attempt": 1, "seq": 0, "type": "heartbeat"},
            "bogus",
            id="job_callback",
        ),
        pytest.param(
            "upload",
            {"name": "a.txt", "content_type": "text/plain", "size": 1, "data": "\u00e9"},
            DEV_TOKEN,
            id="upload-data-not-ascii",
        ),
        pytest.param(
            "create_job",
            {"argv": ["true"], "env": {"__x__": "1"}},
            DEV_TOKEN,
            id="create_job-reserved-env-name",
        ),
    ],
)
def test_the_500s_of_issue_19_are_clear_400s(
    target: str, body: dict[str, Any], token: str, every_entrypoint: Api, firestore_client: firestore.Client
) -> None:
    """Each was a 500: a reserved document id (``__x__``) read before anything refused it, and base64 that is not
    ASCII (``ValueError`` from b64decode). Now the models refuse them, with a message that says why."""
    before = dump_all(firestore_client)

    reply = every_entrypoint.post(target, body, token=token)

    assert reply.status == 400, reply.body
    assert reply.body["error"]["code"] == "invalid_body"
    message = reply.body["error"]["message"]
    assert "reserved" in message or "base64" in message or "pattern" in message, message
    assert dump_all(firestore_client) == before
