"""Defaults of the CLI and the local stack, in one place, each with its unit and the variable that overrides it.

The names that the functions share (the local project, bucket and development user, the collections) are not
here: they are ``tailrun_functions.schema``'s.
"""

from __future__ import annotations

DEFAULT_PORT = 8790  # TCP port of `tailrun dev`'s HTTP server (the functions and the CLI's configuration)
DEFAULT_HOST = "127.0.0.1"  # the local stack listens on loopback only: it runs any command for its dev token
DEFAULT_URL = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"  # TAILRUN_URL: where the CLI finds the stack
# TAILRUN_STATE_DIR: lock, dev token and Firestore data of `tailrun dev`, under the cwd
STATE_DIR = ".tailrun"
REAP_INTERVAL_S = 60.0  # seconds between two calls of reap_sandboxes by the local scheduler loop
# the local stack's discovery endpoint (loopback clients only; no secret in it)
CONFIG_PATH = "/_tailrun/config"
DEV_TOKEN_FILE = "dev_token"  # the development token's owner-only file in the state directory
# seconds the local server waits for each read of a request (line, headers, body) before closing
READ_TIMEOUT_S = 5.0

# seconds `tailrun dev --auth-emulator` waits for the Firebase Auth emulator (Node loads ~20 s of CPU at start)
AUTH_EMULATOR_STARTUP_TIMEOUT_S = 180.0
HTTP_TIMEOUT_S = 30.0  # seconds the CLI waits for one answer of a function
STARTUP_TIMEOUT_S = 60.0  # seconds `tailrun dev` waits for each child service to accept connections
SHUTDOWN_GRACE_S = 10.0  # seconds `tailrun dev` gives running sandboxes to end after SIGTERM
GAP_GRACE_S = 5.0  # seconds a follower waits for a missing chunk of an ended attempt, before reporting a gap
# seconds a follower waits for late chunks of an ended attempt whose line count it does not know
END_GRACE_S = 1.0
# the CLI's configuration directory under $XDG_CONFIG_HOME (~/.config): logins (credentials.json), config.json
CONFIG_DIR_NAME = "tailrun"
CREDENTIALS_FILE = "credentials.json"  # the owner-only logins of `tailrun login`, by functions URL
# seconds before an ID token's expiry at which the CLI refreshes it (at most half the token's life)
TOKEN_REFRESH_MARGIN_S = 300.0
JOBS_LIMIT = 20  # jobs listed by `tailrun jobs` by default

EXIT_TAILRUN_ERROR = 125  # exit code of `tailrun run` when tailrun itself fails (as `docker run` does)
EXIT_TIMED_OUT = 124  # exit code of `tailrun run` for a timed-out job (as `timeout(1)` does)
EXIT_CANCELED = 130  # exit code of `tailrun run` for a canceled job (as for Ctrl-C)
EXIT_SIGNAL_BASE = 128  # a job killed by signal N exits `tailrun run` with 128 + N, as a shell reports it
EXIT_STOPPED = (
    143  # exit code for a job the stack stopped (SIGTERM) that failed with exit code 0: 128 + SIGTERM
)
