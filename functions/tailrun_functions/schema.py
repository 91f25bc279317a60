"""The one definition of the names every side of tailrun shares: Firestore collections, the local stack's project,
bucket and development user.

The functions, the CLI and the local stack import these; nothing else spells them. Job statuses live beside the state
machine in ``states.py`` (``JobStatus``, ``TERMINAL``), which the CLI imports too. The fields of each document are
described in ``functions/DATA_MODEL.md``.
"""

from __future__ import annotations

from typing import Final

# --- collections (client-readable: jobs and its subcollections; the rest are server-only) ---
JOBS: Final = "jobs"
CHUNKS: Final = "chunks"  # jobs/{job_id}/chunks/{attempt:04d}-{seq:08d}
ATTEMPTS: Final = "attempts"  # jobs/{job_id}/attempts/{attempt:04d}
ARTIFACTS: Final = "artifacts"  # jobs/{job_id}/artifacts/{artifact_id}
JOB_SECRETS: Final = "job_secrets"
ATTEMPT_TOKENS: Final = "attempt_tokens"
IDEMPOTENCY: Final = "idempotency"
UPLOADS: Final = "artifact_uploads"  # artifact_uploads/{artifact_id}: uploads promised and not yet finalized
USERS: Final = "users"  # users/{uid}/artifacts/{artifact_id}: a user's own uploads, of no job
WORKSPACES: Final = "workspaces"  # workspaces/{workspace_id}: name, owner, roles, member_uids (issue 14)
JOB_CHILDREN: Final = frozenset({CHUNKS, ATTEMPTS, ARTIFACTS})  # the subcollections a job's reader may read

# --- the local stack ---
LOCAL_PROJECT: Final = "tailrun-local"  # GOOGLE_CLOUD_PROJECT when unset, and the local stack's project
LOCAL_BUCKET: Final = "tailrun-local-artifacts"  # TAILRUN_BUCKET when the storage emulator is used
DEV_USER: Final = "dev"  # the user a request bearing the development token acts as (owner of local jobs)
