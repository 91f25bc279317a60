"""Invariant 5 at every entrypoint: bad, oversized or unauthorised requests get a 4xx JSON error and write nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from google.cloud import firestore
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import DEV_TOKEN, TARGETS, Api
from .helpers import PlayedRunner, dump_all, launched

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
    ("raw", "status"),
    [
        pytest.param(b"", 400, id="empty"),
        pytest.param(b"{not json", 400, id="not-json"),
        pytest.param(b"\xff\xfe\x00", 400, id="not-utf8"),
        pytest.param(b"[1, 2]", 400, id="array"),
        pytest.param(b'"text"', 400, id="string"),
        pytest.param(b'{"unexpected": true}', 400, id="unknown-field"),
        pytest.param(b" " * 2_000_000, 413, id="oversized"),
    ],
)
def test_malformed_bodies_get_a_4xx_and_write_nothing(
    target: str, raw: bytes, status: int, api: Api, played: PlayedRunner, firestore_client: firestore.Client
) -> None:
    before = dump_all(firestore_client)
    reply = api.post(target, raw=raw, token=played.token if target == "job_callback" else DEV_TOKEN)

    expected = 200 if target == "reap_sandboxes" and raw == b"" else status
    assert reply.status == expected, reply.body
    if expected != 200:
        assert set(reply.body["error"]) == {"code", "message"}
        assert dump_all(firestore_client) == before


@pytest.mark.parametrize("target", TARGETS)
def test_other_methods_and_missing_credentials_are_refused(
    target: str, api: Api, played: PlayedRunner
) -> None:
    body = played.message("heartbeat") if target == "job_callback" else {"job_id": played.job_id}
    assert api.post(target, body, method="GET").status == 405
    assert api.post(target, body, token=None).status == 401
    assert api.post(target, body, token="wrong").status == 401


@pytest.mark.parametrize(
    "spec",
    [
        {"argv": []},
        {"argv": ["x"], "prompt": "y"},
        {"argv": "echo hi"},
        {"argv": ["x"], "timeout_s": 0},
        {"argv": ["x"], "timeout_s": "60"},
        {"argv": ["x"], "max_attempts": 11},
        {"argv": ["x"], "env": {"1BAD": "x"}},
        {"argv": ["x"], "env": {"A": 1}},
        {"argv": ["x"], "labels": {"Bad Key": "x"}},
        {"argv": ["x"], "idempotency_key": ""},
        {"argv": ["x" * 30_000]},
        {"argv": ["\ud800"]},
        {"prompt": "hi", "agent": "no-such-agent"},
        {"argv": ["x"], "agent": "claude"},
    ],
)
def test_invalid_specs_are_refused(
    spec: dict[str, Any], api: Api, firestore_client: firestore.Client
) -> None:
    reply = api.post("create_job", raw=json.dumps(spec).encode())
    assert reply.status == 400, reply.body
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
