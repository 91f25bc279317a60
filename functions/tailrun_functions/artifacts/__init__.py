"""Artifacts: files that jobs produce or users bring, stored in Cloud Storage and reviewed by people.

The flow (every step an HTTP function; ``functions/main.py`` routes to the artifact handlers of ``edge.py``):

1. ``upload``: the caller names the file, its content type, its exact size (and optionally its MD5). A runner
   authenticates with its attempt's callback token (``job_id`` + ``attempt`` in the body), a user with their ID
   token (or the local development token). Checked before anything is written: the name (see ``clean_name``), the
   type (an allow-list), the size (a cap); a refused request gets a 4xx and no URL. The answer is a V4 signed URL
   for one PUT to ``incoming/{artifact_id}/{name}``, bound to the type, the exact length and the MD5, plus the
   headers the PUT must carry. A pending record ``artifact_uploads/{artifact_id}`` (no client access) remembers
   what was promised. Small files (``data``, base64) may be posted directly instead of PUT.
2. ``finalize_artifact``: the same caller says the PUT is done. The stored object's *real* size, type, MD5 and first
   bytes are checked against the promise; an object that breaks it is deleted and the caller gets a 4xx. A good one
   is copied to ``jobs/{job_id}/{artifact_id}/{name}`` (or ``users/{uid}/...``) and its document created:
   ``jobs/{job_id}/artifacts/{artifact_id}`` (the job's owner reads it, so a listener on the job sees it appear)
   with review state ``pending``. Finalizing twice returns the same artifact.
3. ``review_artifact``: ``pending → approved | rejected``, both final, in one transaction; a second review is a
   409. Who may review: the admins and the owner of the job's workspace (issue 14), and the uids listed in
   ``TAILRUN_REVIEWERS`` (reviewers of every workspace: an operator's audit role; they need no membership, and
   the security rules still let them read no job document).
4. ``download_artifact``: a short-lived signed GET URL for whoever may read the job (every member of its
   workspace, viewers included; the reviewers). A user uploads to a job they may act on (an admin, the owner, or
   the member who created it).

The package, by concern: ``checks`` (pure checks of names, types and content), ``models`` (the request bodies),
``callers`` (who calls and where their artifacts live), ``uploads`` (upload and finalize), ``access`` (review and
download). It may import the domain's modules (``store``, ``storage``, ``services``, ``admission`` ...), never the
HTTP edge: the edge parses the bodies and calls these functions.
"""
