"""Every default and limit of the functions, with its unit, in one place.

The names every side shares (collections, the local project and bucket, the development user) are in
``schema.py``; this module holds the functions' own numbers and the defaults of their settings.
"""

from __future__ import annotations

import sys

# --- settings defaults (each overridable through the environment variable named in settings.py) ---
LAUNCHER = "local"  # TAILRUN_LAUNCHER: local | cloudrun
AUTH_MODE = "dev"  # TAILRUN_AUTH: dev | firebase
RUNNER_COMMAND = (sys.executable, "-m", "tailrun_runner")  # TAILRUN_RUNNER_COMMAND: the local launcher's argv
AGENTS: dict[str, tuple[str, ...]] = {  # TAILRUN_AGENTS: agent name → the argv prefix a prompt is appended to
    # claude and codex in their JSON stream modes: the runner turns the stream into events (TAILRUN_AGENT_STREAM)
    "claude": ("claude", "-p", "--output-format", "stream-json", "--verbose"),
    "codex": ("codex", "exec", "--json"),
    "gemini": ("gemini", "-p"),
}
REGION = "us-central1"  # TAILRUN_REGION
RUNNER_JOB = "tailrun-runner"  # TAILRUN_RUNNER_JOB: the Cloud Run job's name
RUNNER_CONTAINER = (
    ""  # TAILRUN_RUNNER_CONTAINER: container name for overrides ("" = the job's only container)
)
RETRY_BACKOFF_S = 1.0  # seconds: backoff before attempt n+1 is base * 2**(n-1), with full jitter
RETRY_BACKOFF_MAX_S = 60.0  # seconds: cap of that backoff
INLINE_BACKOFF_MAX_S = (
    5.0  # seconds: a request waits at most this long to relaunch; longer → the reaper does it
)
HEARTBEAT_TIMEOUT_S = 90.0  # seconds without a heartbeat before a running attempt counts as lost
BOOT_TIMEOUT_S = 300.0  # seconds a launched attempt may take to say `started` (Cloud Run cold start + pull)
QUEUED_TIMEOUT_S = (
    120.0  # seconds an attempt may stay queued (never launched) before the reaper relaunches it
)
DRAIN_S = 30.0  # seconds after a server-side end (cancel, reap) during which the attempt may still deliver
JOB_WRITE_INTERVAL_S = 1.0  # seconds: the job document is rewritten at most this often by output/heartbeats
REAP_BATCH = 200  # jobs examined per reaper query page
SANDBOX_CHECK_AFTER_S = 20.0  # seconds of silence before the reaper asks Cloud Run whether an attempt runs
CLAIM_RETRY_AFTER_S = 1  # seconds: Retry-After of a claim that came before its launch was recorded
UNAVAILABLE_RETRY_AFTER_S = 1  # seconds: Retry-After of a 503 when Firestore is unavailable or too contended
CANCEL_TRANSACTION_ATTEMPTS = (
    20  # tries of cancel_job's transaction (the client's default is 5) under contention
)
STOP_JOIN_S = 10.0  # seconds a local launcher's stop waits for each watcher to sweep its runner's session
STOP_GRACE_S = 30.0  # seconds a locally canceled runner gets to drain before its process group is killed
LAUNCH_QUOTA_TRIES = 5  # tries of one Cloud Run launch answered 429 (the Admin API's quota) before it fails
LAUNCH_QUOTA_BACKOFF_S = (
    1.0  # seconds: the first wait after a 429 (doubling, jittered: launcher.launch_backoff)
)
LAUNCH_QUOTA_BACKOFF_MAX_S = 8.0  # seconds: the longest wait between two tries of a launch
CLOUD_TIMEOUT_MARGIN_S = (
    300  # seconds a Cloud Run execution outlives its job's timeout (the reaper ends it first)
)
MIN_FLUSH_IN_MS = (
    50  # milliseconds: a callback's flush hint is never shorter (a runner whose clock runs ahead)
)
RUNNER_KILL_GRACE_S = 5.0  # seconds the runner waits after SIGTERM before SIGKILL (its TAILRUN_KILL_GRACE_S)
# seconds past a job's timeout (or idle timeout) before the reaper ends it: the runner ends it at the limit itself
# and needs its kill grace plus the time to deliver ``completed``; the reaper is the backstop for a runner that
# died or hangs, so it must not win that race.
REAP_LIMIT_MARGIN_S = RUNNER_KILL_GRACE_S + 10.0
SANDBOX_MAX_AGE_S = 24 * 3600.0  # TAILRUN_SANDBOX_MAX_AGE_S: seconds a local attempt's directory is kept
SANDBOX_SWEEP_INTERVAL_S = (
    600.0  # seconds: a local launcher sweeps old sandboxes at a launch at most this often
)
SANDBOX_MODE = 0o700  # a local sandbox (and its root) is its user's only
SWEEP_ROUNDS = 5  # passes over /proc when killing a dead local runner's session (members may fork meanwhile)
SWEEP_WAIT_S = (
    2.0  # then how long to wait for the killed processes to be gone (a SIGKILL takes effect, not at once)
)
SWEEP_POLL_S = 0.005

# --- job spec defaults and limits ---
TIMEOUT_S = 3600  # seconds a job may run (per attempt)
MAX_TIMEOUT_S = 7 * 24 * 3600  # seconds: Cloud Run jobs allow up to 168 h
IDLE_TIMEOUT_S = 600  # seconds without output and heartbeat before a job is idle
MAX_ATTEMPTS = 1  # attempts per job, first one included
AGENT = "claude"  # the agent a prompt goes to when the spec names none (one of AGENTS)
MAX_MAX_ATTEMPTS = 10
MAX_ARGV_ITEMS = 1000
# argv, the prompt and env travel to the sandbox as JSON in one environment variable each (TAILRUN_ARGV,
# TAILRUN_ENV), and Cloud Run caps a variable at 32 KiB: these limits leave room for JSON's escapes.
MAX_ARGV_BYTES = 24 * 1024  # bytes of all argv items together (for a prompt: the agent command included)
MAX_PROMPT_BYTES = 24 * 1024
MAX_ENV_ITEMS = 100
MAX_ENV_BYTES = 24 * 1024  # bytes of all names and values together
MAX_LABELS = 32
MAX_LABEL_CHARS = 63
MAX_CWD_CHARS = 4096  # characters of a spec's cwd (PATH_MAX on Linux)
MAX_IDEMPOTENCY_KEY_CHARS = 128  # printable ASCII characters of a create request's idempotency key
MAX_ARTIFACT_PATTERNS = 32
MAX_ARTIFACT_ERRORS = 100  # failed uploads recorded per attempt (the runner uploads at most 100 files)
TOKEN_GRACE_S = 3600  # seconds an attempt's token outlives its timeout (then it is expired)

# --- HTTP limits ---
MAX_REQUEST_BYTES = 256 * 1024  # create/cancel/retry/reap bodies
MAX_CALLBACK_BYTES = 900_000  # a callback body; one batch becomes one chunk document (< 1 MiB)
MAX_LINE_CHARS = 64 * 1024  # a line's text beyond this is cut and marked `cut` (the runner cuts first)
MAX_LINES_PER_BATCH = 20_000
# Events ride the output batches (design §1, §4): each one's JSON is capped (the runner cuts a longer string and
# marks the event ``cut``; these caps leave room for its escapes), and so is their number in one message.
MAX_EVENTS_PER_BATCH = 5000
MAX_EVENT_BYTES = (
    70 * 1024
)  # bytes of one event's JSON (the runner's cap is 16 KiB, 64 KiB of a result's value)
MAX_RESULT_BYTES = 70 * 1024  # bytes of the JSON of ``state.result`` (the runner keeps a result to 64 KiB)
MAX_STATE_TEXT_CHARS = 16 * 1024  # characters of ``state.current_step`` and ``state.current_url``
# Storage bytes a chunk's lines, events and state may take (Firestore's document limit is 1 MiB, 1,048,576 bytes,
# name and other fields included): a batch whose events would take more has its largest events cut to markers.
MAX_CHUNK_STORAGE_BYTES = 1_000_000
AGENT_STREAMS = ("claude", "codex")  # agents whose JSON stream the runner reads (TAILRUN_AGENT_STREAM)
TAIL_LINES = 5  # lines kept in jobs/{id}.tail for job lists
TAIL_LINE_CHARS = 200  # characters of each tail line
MAX_SANDBOX_BYTES = 4096  # bytes of JSON of the `sandbox` object of `started`

# --- artifacts (settings defaults: the variables are named in settings.py) ---
UPLOAD_URL_TTL_S = 900  # TAILRUN_UPLOAD_URL_TTL_S: seconds a signed PUT URL (and its upload) stays valid
DOWNLOAD_URL_TTL_S = 600  # TAILRUN_DOWNLOAD_URL_TTL_S: seconds a signed GET URL stays valid
MAX_URL_TTL_S = 7 * 24 * 3600  # seconds: the longest a V4 signed URL may be valid
MAX_ARTIFACT_BYTES = 100 * 1024 * 1024  # TAILRUN_ARTIFACT_MAX_BYTES: bytes of one artifact
MAX_MAX_ARTIFACT_BYTES = 5 * 1024**4  # bytes: Cloud Storage's object size limit (5 TiB)
# TAILRUN_ARTIFACT_INLINE_MAX_BYTES: bytes of a file a client may post to `upload` directly, base64 in the JSON
# body; at most INLINE_CEILING_BYTES, so the body stays under the functions' 256 KiB request limit.
INLINE_MAX_BYTES = 128 * 1024
INLINE_CEILING_BYTES = 180 * 1024
CONTENT_TYPES = (  # TAILRUN_ARTIFACT_TYPES (comma-separated): the allow-list; no HTML, SVG or octet-stream
    "text/plain",
    "text/csv",
    "text/markdown",
    "text/x-diff",
    "application/json",
    "application/x-ndjson",
    "application/pdf",
    "application/zip",
    "application/gzip",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
)
SNIFF_BYTES = 512  # bytes of a stored object finalize reads to check that its content matches its type
MAX_NAME_BYTES = 200  # bytes of UTF-8 of an artifact's name (its path relative to the job's directory)
MAX_NAME_DEPTH = 16  # path segments of an artifact's name
MAX_NOTE_CHARS = 2000  # characters of a review note
MAX_ARTIFACT_SIZE = (
    2**53
)  # bytes an upload may declare at most (the model's bound; the setting caps it lower)
FINALIZE_GRACE_S = 3600  # seconds after its URL expired that an upload can still be finalized
NAME_LOOKUP_LIMIT = 100  # artifacts of one name a download by name considers (the newest wins)
MAX_UID_CHARS = 128  # characters of a uid that may hold its own uploads (users/{uid})

# --- live events (`events`, server-sent events) and the polling page (`job_output`) ---
SSE_HEARTBEAT_S = 15.0  # TAILRUN_SSE_HEARTBEAT_S: seconds at most between two writes of a stream (a comment)
SSE_MAX_STREAMS_PER_USER = 5  # TAILRUN_SSE_MAX_STREAMS_PER_USER: open streams of one user on one instance
# TAILRUN_SSE_MAX_DURATION_S: seconds a stream lasts before it sends `reconnect` and closes; under Cloud Functions
# (2nd gen)'s 60-minute limit on an HTTP request, so the platform never cuts a stream in the middle of an event.
SSE_MAX_DURATION_S = 3300.0
SSE_RETRY_MS = (
    2000  # milliseconds: the `retry:` advice each stream starts with (EventSource's reconnect delay)
)
SSE_TOO_MANY_RETRY_AFTER_S = 10  # seconds: Retry-After of a 429 `too_many_streams`
SSE_QUEUE_MAX = 20_000  # messages (job/chunk/artifact snapshots) waiting for one stream before it is cut off
SSE_LINES_PER_EVENT = 1000  # lines at most in one `lines` event (a batch of 20,000 lines becomes 20 events)
SSE_GAP_GRACE_S = 10.0  # seconds an ended attempt's missing lines or events are waited for before moving on
SSE_COUNT_RECHECK_S = (
    1.0  # seconds between two reads of an ended attempt's counts while its lines are awaited
)
JOB_OUTPUT_LIMIT = 1000  # lines of a `job_output` page when `limit` is not given
JOB_OUTPUT_MAX_LIMIT = 5000  # lines a `job_output` page may ask for

# --- batches (issue 15: one job per row under a concurrency limit) ---
BATCH_CONCURRENCY = 5  # jobs of a batch booting or running at once when create_batch names no concurrency
BATCH_MAX_CONCURRENCY = 10  # TAILRUN_BATCH_MAX_CONCURRENCY: the highest concurrency a batch may ask for
BATCH_MAX_CONCURRENCY_CEILING = 1000  # the highest that setting may be (one slot document per unit)
BATCH_MAX_ROWS = 10_000  # rows of one batch (CSV rows after the header, or objects of `rows`)
BATCH_MAX_CSV_BYTES = 10 * 1024 * 1024  # bytes of UTF-8 of a batch's CSV text
BATCH_MAX_REQUEST_BYTES = 24 * 1024 * 1024  # a create_batch body: the CSV (JSON-escaped) and the template
BATCH_MAX_COLUMNS = 200  # columns of a batch's rows
BATCH_MAX_ROW_BYTES = 64 * 1024  # bytes of UTF-8 of one row's values (names and values), well under 1 MiB
BATCH_MAX_NAME_CHARS = 200  # characters of a batch's name
BATCH_WRITES_PER_COMMIT = 500  # Firestore's limit of writes in one commit (rows are written in such commits)
BATCH_STATS_INTERVAL_S = 1.0  # seconds: the batch document's stats are rewritten at most this often
BATCH_STATS_WRITE_ATTEMPTS = (
    5  # a stats write preconditioned on the batch's update time, retried when it moved
)
BATCH_QUIET_S = 2.0  # seconds after a batch's last change by which its stats are exact
BATCH_EXPORT_PAGE = 500  # rows read per page by export_batch (and by the stop and retry sweeps)
BATCH_START_TRANSACTION_ATTEMPTS = (
    20  # a start contends with the ending and the other starts on its slot or row
)
BATCH_FILL_MISSES = (
    20  # stale plans in a row (another fill took the slot or row) before a fill leaves it to it
)
BATCH_FAILURE_RATE_MIN_FINISHED = (
    10  # rows that must have finished before max_failure_rate judges their share
)

# workspaces (issue 14): the TAILRUN_WORKSPACE_* settings' defaults
WORKSPACE_MAX_MEMBERS = (
    100  # members of one workspace (TAILRUN_WORKSPACE_MAX_MEMBERS); the document stays small
)
WORKSPACE_MAX_RUNNING_JOBS = (
    100  # jobs queued, booting or running in one workspace (TAILRUN_WORKSPACE_MAX_RUNNING_JOBS)
)
WORKSPACE_MAX_RUNNING_BATCHES = (
    20  # batches not ended in one workspace (TAILRUN_WORKSPACE_MAX_RUNNING_BATCHES)
)
WORKSPACE_MAX_STREAMS = 100  # open /events streams per workspace and instance (TAILRUN_WORKSPACE_MAX_STREAMS)
WORKSPACE_QUOTA_RETRY_AFTER_S = 30  # seconds: the Retry-After of a 429 quota_exceeded
