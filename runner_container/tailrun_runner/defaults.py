"""Every tunable of the runner, with its default and unit, in one place.

Each constant is the default of the environment variable named in the comment above it; ``Settings.from_env``
reads them. Why these values:

Batching (``BATCH_*``; see ``pacing``). Every output message becomes one Firestore chunk document that every
watcher reads again, so what matters is how many messages a job sends. A line printed after quiet waits
``BATCH_MAX_AGE_MS`` (the linger, 5 ms) and goes; while output continues, a batch goes no sooner than
``BATCH_INTERVAL_MS`` (200 ms) after the previous one, or ``BATCH_HEAVY_INTERVAL_MS`` (1,000 ms) after a batch of
``BATCH_HEAVY_LINES`` (50) or more: at most 5 chunks a second per job, 1 above ~250 lines/s (as Buildkite sends
one a second). One batch a second is what lets the callback write the job document with each of them, so a job
printing 1,000 lines/s costs 3 Firestore writes per 1,000 lines (its chunk, the job and the token documents);
with 500 ms it was 4 to 5 (tests/functions/test_callback_cost.py, bench/functions_bench.py). Delivery is
stop-and-wait (one message in flight; lines printed meanwhile join the next batch), and a full batch goes at once.

Before issue 18 a batch went when its first line was 25 ms old, whatever came before it: at 10 lines/s one chunk
per line, at 1,000 lines/s 38 (the sweep below, ``bench/runner_bench.py --sweep``, 2 cores, local receiver; p50
write-to-arrival delay, requests per 1,000 lines). ``TAILRUN_BATCH_INTERVAL_MS=0 TAILRUN_BATCH_HEAVY_INTERVAL_MS=0
TAILRUN_BATCH_MAX_AGE_MS=25`` restores it (``bench/load_bench.py`` compares the two in one run):

    age      10 lines/s      1,000 lines/s        100,000 lines/s
    0 ms     0.8 ms          0.3 ms, 663 req      2.6 ms, 6.7 req   (too many requests)
    10 ms    11 ms           6 ms, 90 req         13 ms, 0.7 req
    25 ms    26 ms           14 ms, 38 req        24 ms, 0.5 req    <- the old default
    50 ms    51 ms           27 ms, 20 req        18 ms, 0.5 req
    100 ms   101 ms          52 ms, 10 req        20 ms, 0.5 req    (sparse p50 over 100 ms)

Why 200 ms and 500 ms: the live goal is a line on a watcher's screen within 150 ms at the median with 100 jobs of
10 lines/s each; at 10 lines/s a 200 ms spacing costs a line 100 ms at the median (the one after quiet nothing),
and 5 chunks/s instead of 10. Above 250 lines/s the delay matters less than the cost: 500 ms gives 2 chunks per
1,000 lines at 1,000 lines/s (the goal: at most 3).

The line and byte limits cap a batch's size, not its frequency. 256 KiB of JSON leaves Firestore's 1 MiB document
limit (the functions store one batch per chunk document) a wide margin; 5,000 lines keeps a chunk readable in one
go. With stop-and-wait, they also set the ceiling under heavy output: one batch per round trip, so about
``BATCH_MAX_BYTES / answer time``. Measured with 80-byte lines: 190,000-450,000 lines/s with a local receiver
(two runs on a busy shared machine), ~65,000 with a callback that takes 20 ms to answer. Beyond that the job is
slowed by backpressure; it never loses lines.

Lines (``MAX_LINE_BYTES``). A line's text is cut at 32 KiB (marked ``cut``). The JSON of one line is at most about
6x its bytes (a control character becomes ``\\u00XX``), so even a worst-case cut line (~192 KiB) fits within one
batch's byte limit and a batch never exceeds ``BATCH_MAX_BYTES`` plus a few hundred bytes of envelope.
"""

from __future__ import annotations

# TAILRUN_BATCH_MAX_LINES: flush an output batch once it holds this many lines. Unit: lines.
BATCH_MAX_LINES = 5000
# TAILRUN_BATCH_MAX_BYTES: flush once the batch's encoded lines reach this size. Unit: bytes of JSON.
BATCH_MAX_BYTES = 256 * 1024
# TAILRUN_BATCH_MAX_AGE_MS: a batch's first line waits at least this long for company (the linger; a line after
# quiet goes then). Unit: milliseconds.
BATCH_MAX_AGE_MS = 5
# TAILRUN_BATCH_INTERVAL_MS: a batch goes no sooner than this after the previous one (unless full, or the job's
# output has ended): at most 1000 / this output messages, so chunk documents, per second per job. 0: no spacing.
# Unit: milliseconds.
BATCH_INTERVAL_MS = 200
# TAILRUN_BATCH_HEAVY_INTERVAL_MS: the spacing after a batch of BATCH_HEAVY_LINES lines and events or more (heavy
# output: fewer, larger chunks; one a second, the job document's write interval). Unit: milliseconds.
BATCH_HEAVY_INTERVAL_MS = 1000
# A batch of this many lines and events or more makes the next spacing BATCH_HEAVY_INTERVAL_MS. Unit: lines.
BATCH_HEAVY_LINES = 50
# TAILRUN_PROGRESS_INTERVAL_S: progress messages go at most this often (the latest report waits; the last one
# goes when the job ends). Each costs the callback a write of the attempt's token or job document, which Firestore
# sustains about once a second per document; the callback coalesces job-document writes to the same 1 s. Unit:
# seconds.
PROGRESS_INTERVAL_S = 1.0
# TAILRUN_HEARTBEAT_S: send a heartbeat this often, even while the job is silent. Unit: seconds.
HEARTBEAT_S = 5.0
# TAILRUN_MAX_LINE_BYTES: longer lines are cut to this many bytes and marked cut. Unit: bytes (raw output).
MAX_LINE_BYTES = 32 * 1024
# TAILRUN_CR_INTERVAL_S: while a line is being rewritten with \r (a progress bar), its current state is sent at
# most once per this interval; the final state is always sent. Unit: seconds.
CR_INTERVAL_S = 2.0
# TAILRUN_MAX_BUFFER_BYTES: undelivered output held in memory (queued and in flight) before the runner stops
# reading the job's pipes, so the job blocks on write instead of anything being dropped. Unit: bytes.
MAX_BUFFER_BYTES = 8 * 1024 * 1024
# TAILRUN_REQUEST_TIMEOUT_S: one HTTP request (connect, send, answer) may take this long. Unit: seconds.
REQUEST_TIMEOUT_S = 30.0
# TAILRUN_RETRY_BASE_S: first backoff ceiling; doubles after every failed try (full jitter). Unit: seconds.
RETRY_BASE_S = 0.25
# TAILRUN_RETRY_CAP_S: the backoff ceiling never exceeds this. Unit: seconds.
RETRY_CAP_S = 15.0
# TAILRUN_RETRY_MAX_S: total time spent retrying one message before the runner gives up. Unit: seconds.
RETRY_MAX_S = 300.0
# TAILRUN_KILL_GRACE_S: after SIGTERM to the job's process group, wait this long before SIGKILL. Unit: seconds.
# Cloud Run sends SIGKILL 10 s after its own SIGTERM; 5 s leaves the other 5 s to deliver the last lines.
KILL_GRACE_S = 5.0
# TAILRUN_DRAIN_S: after the job's main process exits, wait this long for processes it left behind to close the
# output pipes before they are killed. Unit: seconds.
DRAIN_S = 2.0

# Limits of the job (optional; unset: no limit). They are the job spec's own, passed with the attempt (locally by
# the launcher, in the cloud as Cloud Run env overrides: none is secret); the server's reaper stays the backstop.
# When one passes, the job is stopped as on SIGTERM (SIGTERM to its group, SIGKILL after TAILRUN_KILL_GRACE_S),
# what it printed is delivered, and ``completed`` says ``timeout`` or ``idle_timeout``. The supervisor wakes at
# each one's ``time.monotonic()`` deadline (``Runner._nap``).
# TAILRUN_TIMEOUT_S: the job's timeout, counted from the moment its process was spawned. Unit: seconds.
TIMEOUT_S: float | None = None
# TAILRUN_IDLE_TIMEOUT_S: stop the job once it has printed nothing (no byte on either stream: a partial line, a
# ``\r`` rewrite and a ``::progress`` line count) for this long since it started or last printed. While the runner
# holds the job's output back (backpressure, the callback slow or down) the job counts as busy. Unit: seconds.
IDLE_TIMEOUT_S: float | None = None

# TAILRUN_TTY: ``1``/``true`` on; unset, empty, ``0``/``false`` off (either case). Run the job on a pseudo-terminal,
# as Buildkite runs every job: its stdout and stderr are the slave side of one pty, so programs line-buffer and
# colour as in a terminal, and both streams become one, reported as ``stdout`` (exactly in the order written). See
# ``process``.
TTY = False
# The pty's window size (TIOCSWINSZ): wide enough that programs that fit output to the terminal do not wrap it.
# Unit: characters.
TTY_COLUMNS = 200
# Unit: lines.
TTY_ROWS = 50
# The environment of a job on a pty, each variable unless the job's own environment (TAILRUN_ENV) sets it: a
# terminal type that programs colour for, and no pager (``git log`` or ``man`` on a terminal would start ``less`` and
# wait for keys nobody presses, until the job's timeout; measured: ``git log -n 200`` hung so). ``GIT_PAGER`` too, as
# it outranks a ``core.pager`` setting.
TTY_ENV = {"TERM": "xterm-256color", "PAGER": "cat", "GIT_PAGER": "cat"}

# Variables that make common runtimes write each line when it is printed, even to a pipe, set in the job's
# environment unless the job's own environment (TAILRUN_ENV) sets the same variable (a job opts out so, e.g. with
# ``PYTHONUNBUFFERED=0`` or empty, which Python reads as buffered). Only Python needs and has such a switch: Node,
# Go, Rust (``println!``: line-buffered) and Java (``System.out.println`` flushes) write at once; C stdio, Ruby and
# Perl block-buffer to a pipe and have no switch that is safe to set for every job (see the runner's README,
# "Output order").
LINE_BUFFERING_ENV = {"PYTHONUNBUFFERED": "1"}

# Events (workflow commands and agents' streams; see ``events``).
# An event's JSON (with ``event``, ``at_line``, ``ts``, ``kind``) is at most this; a longer one has its longest
# strings cut and is marked ``cut`` (the callback takes up to 70 KiB). Unit: bytes of JSON.
EVENT_MAX_BYTES = 16 * 1024
# A ``result`` value's compact JSON is at most this; a larger one is sent as ``{"cut": true, "bytes": N}`` (an
# agent's result text is cut to it instead). Unit: bytes of JSON.
RESULT_MAX_BYTES = 64 * 1024
# Lines are read whole up to this before the line cap (``TAILRUN_MAX_LINE_BYTES``) cuts them, so a command line
# (``::result`` with a 64 KiB value) is parsed whole and a secret that straddles the line cap is still masked.
# Unit: bytes (raw output).
COMMAND_LINE_MAX_BYTES = 256 * 1024
# The same for the stdout of an agent job (``TAILRUN_AGENT_STREAM``), whose JSON events carry whole tool outputs:
# a longer event line is cut, so it does not parse and stays a (cut) line. Unit: bytes (raw output).
AGENT_LINE_MAX_BYTES = 1024 * 1024
# Env values (``TAILRUN_ENV``) shorter than this are not masked: masking ``1`` would star every digit. Values
# given with ``::add-mask::`` are masked whatever their length. Unit: characters.
MASK_MIN_CHARS = 4
# What a masked value is replaced with.
MASK = "***"

# Accounting: bytes counted per queued line on top of its JSON, for the Python objects that hold it. Unit: bytes.
LINE_OVERHEAD_BYTES = 128
# Accounting: bytes counted against the bound for one queued progress report. Unit: bytes.
PROGRESS_HELD_BYTES = 256
# Accounting: bytes counted per queued event on top of its JSON (its entry and its state snapshot). Unit: bytes.
EVENT_OVERHEAD_BYTES = 256
# Read size for the job's pipes. Unit: bytes.
READ_CHUNK_BYTES = 64 * 1024
# How often the reader wakes while the pipes are quiet, to notice that it is told to stop. Unit: seconds.
READ_POLL_S = 0.1
# After the reader is told to stop, at most this much more is read from each pipe. Unit: bytes (a pipe holds
# 64 KiB on Linux).
DRAIN_READ_BYTES = 1024 * 1024
# The autogroup nice value a runner that leads its own session (the local launcher's) gives its session, so the
# stack it waits on outranks each runner and its job when the CPU is short (see ``priority``). Unit: nice (0-19).
RUNNER_AUTOGROUP_NICE = 10
# How often the supervisor checks on the job's stop (its grace, its output's drain) and the sender. Unit: seconds.
SUPERVISOR_TICK_S = 0.02
# While the job runs: the supervisor wakes at its exit and at its limits' deadlines, and at least this often for a
# stop requested (SIGTERM) or the sender's failure. Unit: seconds.
SUPERVISOR_IDLE_TICK_S = 0.1
# The longest ``flush_in_ms`` an acknowledgement may set (a larger one is taken as this). Unit: milliseconds.
FLUSH_IN_MAX_MS = 60_000.0

# Artifacts (see ``artifacts``).
# TAILRUN_ARTIFACT_MAX_FILES: files uploaded per attempt at most. Unit: files.
ARTIFACT_MAX_FILES = 100
# TAILRUN_ARTIFACT_RETRY_MAX_S: one step of an upload (upload, PUT, finalize) is retried at most this long.
# Unit: seconds.
ARTIFACT_RETRY_MAX_S = 60.0
# The first backoff ceiling of an upload step's retries; doubles after every failed try (full jitter). Unit:
# seconds.
ARTIFACT_RETRY_BASE_S = 0.25
# The backoff ceiling of an upload step's retries never exceeds this. Unit: seconds.
ARTIFACT_RETRY_CAP_S = 8.0
# One HTTP request of an upload may take this long (a PUT of a large file needs time). Unit: seconds.
ARTIFACT_REQUEST_TIMEOUT_S = 60.0
# ``finalize_artifact`` answered 409 ``not_uploaded`` (the PUT not yet visible): tries before giving up, each
# after a wait of ``ARTIFACT_RETRY_BASE_S``. Unit: tries.
ARTIFACT_NOT_UPLOADED_TRIES = 5
# Files up to this size go inline in the ``upload`` request (one request, not three). Unit: bytes.
ARTIFACT_INLINE_BYTES = 64 * 1024
# Read size when hashing a file for its MD5. Unit: bytes.
HASH_CHUNK_BYTES = 1024 * 1024
# The callback's bound on a reported artifact name. Unit: characters.
REPORT_NAME_CHARS = 1024
# An error message in an artifact report is cut to this (the callback takes 2,000). Unit: characters.
REPORT_MESSAGE_CHARS = 1000

# GCE_METADATA_HOST (google-auth's variable; host or host:port): the metadata server that gives the runner its
# Google-signed identity token in claim mode (``TAILRUN_CLAIM=google``). Plain HTTP, as the metadata server speaks.
METADATA_HOST = "metadata.google.internal"
