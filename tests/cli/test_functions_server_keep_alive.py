"""The local server keeps connections alive (a runner's callbacks cost no new connection each), safely: a body the
app left unread is read off before the next request, and what cannot be read off closes the connection."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import flask
import pytest

from tailrun.local import functions_server as local_server


def count(request: flask.Request) -> dict[str, Any]:
    """Reads the body: answers its length."""
    return {"read": len(request.get_data())}


def ignore(request: flask.Request) -> dict[str, Any]:
    """Never reads the body."""
    return {"ignored": True}


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    app = local_server.create_app({"count": count, "ignore": ignore}, config={}, config_path="/_c")
    server = local_server.serve(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()


@pytest.fixture
def connection(port: int) -> Iterator[http.client.HTTPConnection]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    yield conn
    conn.close()


def post(conn: http.client.HTTPConnection, path: str, body: bytes) -> tuple[http.client.HTTPResponse, Any]:
    conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    return response, json.loads(response.read())


def test_requests_one_after_another_share_one_connection(connection: http.client.HTTPConnection) -> None:
    first, answer = post(connection, "/count", b'{"a": 1}')
    socket_of_first = connection.sock
    assert answer == {"read": 8} and first.getheader("Connection") is None and not first.will_close
    for n in range(3):
        _, answer = post(connection, "/count", b"x" * n)
        assert answer == {"read": n}
    assert connection.sock is socket_of_first, "no new connection was opened"


def test_a_body_the_app_did_not_read_is_read_off_and_the_next_request_is_parsed(
    connection: http.client.HTTPConnection,
) -> None:
    # the body looks like a request of its own: were it left on the connection, it would be answered next
    smuggled = b"POST /count HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}"
    response, answer = post(connection, "/ignore", smuggled)
    assert answer == {"ignored": True} and not response.will_close
    _, answer = post(connection, "/count", b"abc")
    assert answer == {"read": 3}


def test_a_large_unread_body_closes_the_connection(connection: http.client.HTTPConnection) -> None:
    response, answer = post(connection, "/ignore", b"x" * (local_server.KEEP_ALIVE_DRAIN_BYTES + 1))
    assert answer == {"ignored": True}
    assert response.getheader("Connection") == "close" and response.will_close


def test_a_chunked_body_closes_the_connection(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"POST /count HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"3\r\nabc\r\n0\r\n\r\n" % port
        )
        answer = b""
        while chunk := sock.recv(65536):  # the server closes: the answer ends with the connection
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"Connection: close" in head and json.loads(body) == {"read": 3}


def test_a_client_asking_for_close_gets_its_connection_closed(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"POST /count HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"
            % port
        )
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert json.loads(answer.partition(b"\r\n\r\n")[2]) == {"read": 2}
