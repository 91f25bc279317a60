"""The runner over HTTPS (as to the deployed functions): certificates are verified, and delivery works the same."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from runner_harness import CallbackServer, job, self_signed_tls


@pytest.fixture
def certificate(tmp_path: Path) -> Iterator[tuple[CallbackServer, Path]]:
    context, cert = self_signed_tls(tmp_path)
    server = CallbackServer(tls=context).start()
    yield server, cert
    server.close()


@pytest.fixture
def callback_server(certificate: tuple[CallbackServer, Path]) -> CallbackServer:
    """The runner fixtures' receiver, served over TLS."""
    return certificate[0]


def test_output_is_delivered_over_https_to_a_trusted_certificate(start_runner, callback_server, certificate):
    assert callback_server.url.startswith("https://")
    runner = start_runner(job("interleaved", 1000), SSL_CERT_FILE=str(certificate[1]))

    assert runner.wait() == 0
    received = callback_server.received()
    received.check_seqs()
    assert received.completed()["lines"] == len(received.lines()) == 1000


def test_an_untrusted_certificate_is_refused(start_runner, callback_server):
    runner = start_runner(job("lines", 1), TAILRUN_RETRY_MAX_S="0.3")

    assert runner.wait() == 1
    assert "CERTIFICATE_VERIFY_FAILED" in runner.logs()
    assert callback_server.requests == []
