"""Handing the runner's secrets over to its re-executed self, and the settings that decide who the job runs as."""

from __future__ import annotations

import json
import os
import pwd

import pytest
from tailrun_runner import handoff, sandbox
from tailrun_runner.settings import ConfigError, JobUser, job_user


def test_secrets_read_from_a_memfd_come_back_whole_and_the_fd_is_closed():
    secrets = {"TAILRUN_TOKEN": "t0k3n", "TAILRUN_ENV": json.dumps({"K": "v" * 100_000})}
    fd = handoff._secrets_fd(json.dumps(secrets).encode())

    assert os.get_inheritable(fd)  # it must survive the execve
    assert handoff.take_secrets({handoff.SECRETS_FD_VARIABLE: str(fd)}) == secrets
    with pytest.raises(OSError):
        os.fstat(fd)


def test_small_secrets_also_pass_through_a_pipe_where_memfd_is_missing():
    secrets = {"TAILRUN_TOKEN": "t0k3n", "TAILRUN_ARGV": '["true"]'}
    fd = handoff._pipe_holding(json.dumps(secrets).encode())

    assert handoff.take_secrets({handoff.SECRETS_FD_VARIABLE: str(fd)}) == secrets


def test_secrets_too_large_for_a_pipe_are_a_configuration_error():
    with pytest.raises(ConfigError, match="do not fit"):
        handoff._pipe_holding(b"x" * (1 << 24))


def test_without_the_fd_variable_there_are_no_secrets_to_take():
    assert handoff.take_secrets({}) == {}


@pytest.mark.parametrize("value", ["three", "999999"])
def test_a_bad_secrets_fd_is_a_configuration_error_naming_the_variable(value):
    with pytest.raises(ConfigError, match=handoff.SECRETS_FD_VARIABLE):
        handoff.take_secrets({handoff.SECRETS_FD_VARIABLE: value})


def test_only_the_runners_secret_variables_are_taken_from_the_fd():
    fd = handoff._secrets_fd(json.dumps({"LD_PRELOAD": "/tmp/evil.so"}).encode())
    with pytest.raises(ConfigError, match="not the runner's secrets"):
        handoff.take_secrets({handoff.SECRETS_FD_VARIABLE: str(fd)})


def test_making_the_runner_undumpable_is_visible_to_itself_only_after_the_call():
    # In a child process, so that the test process itself stays dumpable.
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        before = sandbox.is_dumpable()
        sandbox.make_undumpable()
        os.write(write_end, json.dumps([before, sandbox.is_dumpable()]).encode())
        os._exit(0)
    os.close(write_end)
    os.waitpid(pid, 0)
    assert json.loads(os.read(read_end, 100)) == [True, False]


def test_the_job_user_is_a_name_or_a_uid():
    nobody = pwd.getpwnam("nobody")
    expected = JobUser(uid=nobody.pw_uid, gid=nobody.pw_gid)
    assert job_user({"TAILRUN_JOB_USER": "nobody"}, euid=0) == expected
    assert job_user({"TAILRUN_JOB_USER": str(nobody.pw_uid)}, euid=0) == expected
    assert job_user({"TAILRUN_JOB_USER": "4242424"}, euid=0) == JobUser(uid=4242424, gid=4242424)  # no entry
    assert job_user({}, euid=0) is None


def test_naming_the_runners_own_user_switches_nothing():
    assert job_user({"TAILRUN_JOB_USER": "root"}, euid=0) is None
    assert job_user({"TAILRUN_JOB_USER": "1000"}, euid=1000) is None


def test_an_unknown_job_user_or_a_runner_that_is_not_root_is_a_configuration_error():
    with pytest.raises(ConfigError, match="TAILRUN_JOB_USER names no user"):
        job_user({"TAILRUN_JOB_USER": "no-such-user-here"}, euid=0)
    with pytest.raises(ConfigError, match="needs the runner to run as root"):
        job_user({"TAILRUN_JOB_USER": "nobody"}, euid=1000)
