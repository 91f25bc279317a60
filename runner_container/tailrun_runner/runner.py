"""One attempt of a job: announce it, run the job, stream its output, report how it ended.

Threads: the main thread supervises (signals, kill escalation, end of the job); a reader thread reads the job's
pipes into the outbox; a sender thread delivers messages one at a time, in ``seq`` order, each only after the
previous one was acknowledged (stop-and-wait); a waiter thread reaps the job's process.

Isolation (see ``sandbox`` and ``handoff``): the runner holds the callback token in memory only and is
non-dumpable; the job is spawned from the main thread (its death signal is tied to that thread) with no
capability, no new privileges, and SIGKILL when the runner dies. The job can lie in its own output, exit with any
code and kill its runner; it cannot read the token, so it cannot post or upload in the runner's name.

Endings:

- The job exits: everything it printed is delivered; the files matching the job's artifact patterns are
  uploaded and each reported in an ``artifact`` message (heartbeats go on meanwhile); then ``completed`` (reason
  ``exited``); exit 0. Files the job names on ``::artifact <path>`` lines are uploaded while it runs.
- SIGTERM (or SIGINT) to the runner, as when Cloud Run stops the task: SIGTERM to the job's process group, SIGKILL
  after ``kill_grace_s`` to whatever is left of the group; what the job printed is delivered, then ``completed``
  with reason ``stopped``; exit 0.
- The job's timeout (``TAILRUN_TIMEOUT_S``, from its spawn) or idle timeout (``TAILRUN_IDLE_TIMEOUT_S``, since it
  last wrote anything) passes: the same stop, then ``completed`` with reason ``timeout`` or ``idle_timeout`` and
  the job's own exit code or signal; exit 0. The supervisor checks the deadlines every ``SUPERVISOR_TICK_S``, so
  the stop begins within that of the limit, whatever the server's reaper does. The first cause of a stop wins.
  As after any stop, the end-of-job artifact patterns are not collected (``completed`` should follow the limit
  within the grace, not after minutes of uploads); files named on ``::artifact`` lines before were uploaded.
- The callback answers 409 or 410: the server takes nothing more for this attempt, so nothing more is sent; the
  job's group is stopped the same way and the runner exits 0 (the attempt ended as tailrun decided).
- The callback rejects a message (400, 401, other 4xx) or stays unreachable for ``retry_max_s``: the job's group
  is stopped, the failure logged, and the runner exits 1, the only case in which it exits non-zero after start.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import threading
import time
from collections.abc import Mapping
from typing import Any

from tailrun_runner import clock, defaults, priority
from tailrun_runner.agent_hook import AgentHook
from tailrun_runner.artifacts import Artifacts
from tailrun_runner.capture import Progress, RawLine
from tailrun_runner.delivery import Courier, Outcome, Result, Transport
from tailrun_runner.masking import Masker
from tailrun_runner.messages import EndReason, MessageFactory, sandbox_details
from tailrun_runner.outbox import Batch, BatchPolicy, Outbox
from tailrun_runner.process import Child, ExitInfo
from tailrun_runner.reader import OutputSink, PipeReader
from tailrun_runner.retry import Retrier, RetryPolicy
from tailrun_runner.settings import Settings, child_environment

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_UNDELIVERED = 1
EXIT_CONFIG = 2
# TAILRUN_CLAIM: the callback refused to hand over the attempt (401, 403, 409, 410 or another 4xx), or its answer
# was unusable; nothing was run.
EXIT_CLAIM_REFUSED = 3


class Runner:
    """Runs one attempt; build it from ``Settings`` and call ``run`` once."""

    def __init__(self, settings: Settings, environ: Mapping[str, str]) -> None:
        """Raises ``ConfigError`` when an artifact variable is malformed."""
        self._settings = settings
        self._environ = environ
        self._outbox = Outbox(
            policy=BatchPolicy(
                max_lines=settings.batch_max_lines,
                max_bytes=settings.batch_max_bytes,
                max_age_s=settings.batch_max_age_s,
                progress_interval_s=settings.progress_interval_s,
                interval_s=settings.batch_interval_s,
                heavy_interval_s=settings.batch_heavy_interval_s,
                heavy_lines=defaults.BATCH_HEAVY_LINES,
            ),
            max_bytes=settings.max_buffer_bytes,
        )
        # Set once the job was stopped or delivery failed: artifact uploads then stop retrying at once (a stopped
        # attempt's token has ended; a report that cannot be delivered is not worth waiting for).
        self._uploads_stop = threading.Event()
        self._artifacts = Artifacts.from_env(environ, stop=self._uploads_stop)
        self._uploads_done = threading.Event()  # the end-of-job uploads are over (or will not happen)
        # Invariant 8: the job's env values are masked from its first line on (``masking``).
        self._sink = OutputSink(
            self._outbox,
            on_marker=self._artifacts.mark,
            masker=Masker.from_env(settings.env),
            max_line_bytes=settings.max_line_bytes,
            agent=AgentHook.load(settings.agent_stream),
        )
        self._messages = MessageFactory(settings.job_id, settings.attempt)
        self._courier = Courier(
            Transport(settings.callback_url, settings.token, settings.request_timeout_s),
            Retrier(
                RetryPolicy(
                    base_s=settings.retry_base_s, cap_s=settings.retry_cap_s, budget_s=settings.retry_max_s
                )
            ),
        )
        self._stop_requested = False  # set by the signal handler, read by the supervisor
        self._failure: Result | None = None  # set by the sender when it cannot deliver any more
        self._child: Child | None = None
        self._reader: PipeReader | None = None
        self._exit_info: ExitInfo | None = None
        self._reason = EndReason.EXITED
        self._stop_cause: EndReason | None = None  # why the runner stops the job; the first cause wins

    def request_stop(self) -> None:
        """Ask the runner to stop the job (safe to call from a signal handler: it only sets a flag)."""
        self._stop_requested = True

    def run(self) -> int:
        """Run the attempt to its end; return the runner's exit code."""
        priority.yield_to_the_stack()  # before the job is spawned: it inherits the session's weight
        seq, body = self._messages.started(sandbox_details(self._environ))
        result = self._courier.deliver(seq, body)
        if result.outcome is not Outcome.ACKED:
            return self._finish(result)
        if self._stop_requested:
            self._reason = EndReason.STOPPED
            self._job_ended(ExitInfo(exit_code=None, signal=None, duration_ms=0))
        else:
            self._start_job()
        sender = threading.Thread(target=self._send_loop, name="tailrun-sender", daemon=True)
        sender.start()
        self._supervise(sender)
        return self._finish(self._failure)

    def _start_job(self) -> None:
        settings = self._settings
        try:
            self._child = Child.spawn(
                settings.argv,
                child_environment(self._environ, settings.env, tty=settings.tty),
                settings.cwd,
                settings.job_user,
                tty=settings.tty,
            )
        except subprocess.SubprocessError as exc:  # the job's isolation (sandbox.JobIsolation) failed
            logger.error("cannot isolate the job %r: %s", settings.argv, exc)
            message = f"tailrun-runner: cannot isolate the job: {exc}"
            self._sink.emit("stderr", [RawLine(message.encode())], clock.now_ms())
            self._job_ended(ExitInfo(exit_code=126, signal=None, duration_ms=0))
            return
        except OSError as exc:
            # Report it as the shell would: a line on stderr and exit code 127 (not found) or 126 (not runnable).
            logger.error("cannot start the job %r: %s", settings.argv, exc)
            message = f"tailrun-runner: cannot start {settings.argv[0]!r}: {exc.strerror or exc}"
            self._sink.emit("stderr", [RawLine(message.encode())], clock.now_ms())
            code = 127 if isinstance(exc, FileNotFoundError) else 126
            self._job_ended(ExitInfo(exit_code=code, signal=None, duration_ms=0))
            return
        logger.info(
            "started the job %r as pid %d%s",
            settings.argv,
            self._child.pid,
            " on a pty" if settings.tty else "",
        )
        self._reader = PipeReader(
            self._child.pipes,
            self._sink,
            max_line_bytes=read_line_bytes(settings),
            cr_interval_s=settings.cr_interval_s,
            started_at=self._child.started_at,
        )
        threading.Thread(target=self._reader.run, name="tailrun-reader", daemon=True).start()

    def _job_ended(self, exit_info: ExitInfo) -> None:
        """The job's process is gone and its output read: upload its artifacts (unless it was stopped) and let
        the sender finish with ``completed``."""
        self._exit_info = exit_info
        self._outbox.close()
        if self._reason is EndReason.EXITED and self._failure is None:
            threading.Thread(target=self._upload_artifacts, name="tailrun-uploads", daemon=True).start()
        else:
            self._uploads_stop.set()  # a stopped attempt's uploads would be refused: its token has ended
            self._uploads_done.set()

    def _upload_artifacts(self) -> None:
        try:
            self._artifacts.finish()
        finally:
            self._uploads_done.set()

    def _supervise(self, sender: threading.Thread) -> None:
        """Stop the job when asked or when delivery failed; end the attempt once the job and its output are done."""
        child, reader = self._child, self._reader
        if child is None or reader is None:
            sender.join()
            return
        stopper = _Stopper(child, reader, grace_s=self._settings.kill_grace_s, drain_s=self._settings.drain_s)
        while sender.is_alive() or not stopper.ended:
            now = time.monotonic()
            if self._stop_cause is None:
                self._stop_cause = self._due_stop(child, reader, now)
            if stopper.step(now, stop=self._stop_cause is not None):
                assert child.exit_info is not None
                cause = self._stop_cause or EndReason.STOPPED
                self._reason = cause if stopper.stopped_job else EndReason.EXITED
                self._job_ended(child.exit_info)
            self._nap(sender, child, reader, stopping=self._stop_cause is not None)

    def _nap(self, sender: threading.Thread, child: Child, reader: PipeReader, *, stopping: bool) -> None:
        """Wait until the supervisor has something to do.

        While the job runs and nothing stops it, that is its exit (``child.exited`` wakes the wait at once), its
        next limit's deadline, or ``SUPERVISOR_IDLE_TICK_S`` for what sets only a flag (a stop requested, the
        sender's failure): a 20 ms tick there was most of an idle runner's CPU (measured). Once the job stops or
        has exited, the grace, the drain and the sender's end are watched every ``SUPERVISOR_TICK_S``."""
        if stopping or child.exited.is_set():
            sender.join(defaults.SUPERVISOR_TICK_S)
            return
        wait = defaults.SUPERVISOR_IDLE_TICK_S
        now, settings = time.monotonic(), self._settings
        if settings.timeout_s is not None:
            wait = min(wait, child.started_at + settings.timeout_s - now)
        if settings.idle_timeout_s is not None:
            wait = min(wait, settings.idle_timeout_s - reader.quiet_for(now))
        child.exited.wait(max(wait, 0.0))

    def _due_stop(self, child: Child, reader: PipeReader, now: float) -> EndReason | None:
        """Why the job must be stopped now, if it must: told to (SIGTERM, or delivery failed), or a limit passed.
        A job that has exited has no limit left to pass."""
        if self._stop_requested or self._failure is not None:
            return EndReason.STOPPED
        if child.exited.is_set():
            return None
        settings = self._settings
        if settings.timeout_s is not None and now - child.started_at >= settings.timeout_s:
            logger.warning("the job ran for its timeout of %g s: stopping it", settings.timeout_s)
            return EndReason.TIMEOUT
        idle_s = settings.idle_timeout_s
        if idle_s is not None and reader.quiet_for(now) >= idle_s:
            logger.warning("the job printed nothing for its idle timeout of %g s: stopping it", idle_s)
            return EndReason.IDLE_TIMEOUT
        return None

    def _send_loop(self) -> None:
        """Deliver messages in order until ``completed`` is acknowledged or delivery fails."""
        heartbeat_every = self._settings.heartbeat_s
        heartbeat_at = time.monotonic() + heartbeat_every
        flush_at = float("inf")  # the callback asked for a message by then (it holds something for watchers)
        while True:
            item, final = self._next(min(heartbeat_at, flush_at))
            if final:
                seq, body = self._completed()
            elif item is None:
                heartbeat_at = time.monotonic() + heartbeat_every
                seq, body = self._messages.heartbeat()
            elif isinstance(item, Batch):
                state = None if item.state is None else item.state.to_json()
                seq, body = self._messages.output(item.entries, item.events, state)
            elif isinstance(item, Progress):
                seq, body = self._messages.progress(item)
            else:
                seq, body = self._messages.artifact(mask_report(item, self._sink.masker))
            result = self._courier.deliver(seq, body)
            if isinstance(item, Batch):
                self._outbox.acked(item)
            if result.outcome is not Outcome.ACKED:
                self._failure = result
                self._uploads_stop.set()
                self._outbox.abandon()
                return
            if final:
                return
            flush_at = float("inf") if result.flush_in_s is None else time.monotonic() + result.flush_in_s

    def _next(self, heartbeat_at: float) -> tuple[Batch | Progress | dict[str, Any] | None, bool]:
        """What to send next: an artifact report, a batch or a progress report; ``(None, False)`` when a
        heartbeat is due; ``(None, True)`` when only ``completed`` is left (output sent, uploads reported)."""
        report = self._artifacts.pop_report()
        if report is not None:
            return report, False
        item = self._outbox.take(deadline=heartbeat_at) if time.monotonic() < heartbeat_at else None
        if item is not None or not self._outbox.drained():
            return item, False
        if not self._uploads_done.wait(max(heartbeat_at - time.monotonic(), 0.0)):
            return None, False
        report = self._artifacts.pop_report()
        return report, report is None

    def _completed(self) -> tuple[int, bytes]:
        info = self._exit_info
        assert info is not None
        return self._messages.completed(
            exit_code=info.exit_code,
            signal=info.signal,
            duration_ms=info.duration_ms,
            lines=self._sink.lines,
            reason=self._reason,
        )

    def _finish(self, failure: Result | None) -> int:
        """Log how the attempt ended and return the runner's exit code."""
        requests = self._courier.requests
        if failure is None:
            logger.info("delivered %d lines and completed in %d requests", self._sink.lines, requests)
            return EXIT_OK
        undelivered = self._outbox.discarded_lines
        if failure.outcome is Outcome.CANCELED:
            logger.warning(
                "callback answered %s: the attempt is over (canceled or superseded); job stopped, "
                "%d lines not sent",
                failure.status,
                undelivered,
            )
            return EXIT_OK
        logger.error(
            "could not deliver (%s, status %s: %s); job stopped, %d lines not sent",
            failure.outcome.value,
            failure.status,
            failure.detail or "no answer",
            undelivered,
        )
        return EXIT_UNDELIVERED


def read_line_bytes(settings: Settings) -> int:
    """How much of a line the reader keeps before it cuts it: at least the line cap, and enough for a command line
    (``::result`` with its 64 KiB) or an agent's JSON event; the sink then cuts ordinary lines to the line cap."""
    floor = defaults.AGENT_LINE_MAX_BYTES if settings.agent_stream else defaults.COMMAND_LINE_MAX_BYTES
    return max(settings.max_line_bytes, floor)


def mask_report(report: dict[str, Any], masker: Masker) -> dict[str, Any]:
    """An artifact report with its error message masked (it may quote what the job printed or named)."""
    error = report.get("error")
    if not masker or not isinstance(error, dict) or not isinstance(error.get("message"), str):
        return report
    return {**report, "error": {**error, "message": masker.mask(error["message"])}}


class _Stopper:
    """Stops the job's process group when asked (SIGTERM, then SIGKILL after the grace period) and deals with
    processes the job left behind holding its pipes open (SIGKILL after ``drain_s``, then stop reading).

    A stop is over only when the whole group is gone, not just the job's main process: whatever is left of the
    group when the grace period ends (a worker that ignores SIGTERM, even one that holds none of the pipes) gets
    SIGKILL. Without a stop, processes the job left running are its own business unless they hold the pipes.
    """

    def __init__(self, child: Child, reader: PipeReader, *, grace_s: float, drain_s: float) -> None:
        self._child = child
        self._reader = reader
        self._grace_s = grace_s
        self._drain_s = drain_s
        self._term_at: float | None = None
        self._kill_at = float("inf")  # after a stop: when what is left of the group gets SIGKILL
        self._exited_at: float | None = None
        self._killed = False
        self.ended = False  # the job has exited, its output is read and, after a stop, its group is gone
        self.stopped_job = False  # SIGTERM went to the job before it exited

    def step(self, now: float, *, stop: bool) -> bool:
        """Act on the state at ``now``; return True once, when the job has exited, its output is all read and,
        after a stop, nothing of its group is left."""
        child, reader = self._child, self._reader
        if stop and self._term_at is None:
            self._term_at, self._kill_at = now, now + self._grace_s
            self.stopped_job = not child.exited.is_set()
            child.signal_group(signal.SIGTERM)
        if self._exited_at is None and child.exited.is_set():
            self._exited_at = now
        # After a stop, anything left of the group (the job, or processes it started) is waited for until the
        # grace period ends; once the group is SIGKILLed there is nothing more to wait for.
        lingering = self._term_at is not None and not self._killed and child.group_alive()
        overdue = lingering and now >= self._kill_at
        draining = now - self._exited_at if self._exited_at is not None and not reader.done.is_set() else 0.0
        if not self._killed and (overdue or draining > self._drain_s):
            self._killed = True
            lingering = False
            child.signal_group(signal.SIGKILL)  # the job, or what it left behind
        if draining > 2 * self._drain_s:
            reader.stop()  # something outside the group holds the pipes open
        if self.ended or self._exited_at is None or not reader.done.is_set() or lingering:
            return False
        self.ended = True
        return True


def install_signal_handlers(runner: Runner) -> None:
    """SIGTERM (Cloud Run stopping the task) and SIGINT (Ctrl-C) both stop the job and finish the attempt."""

    def handle(signum: int, _frame: object) -> None:
        runner.request_stop()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
