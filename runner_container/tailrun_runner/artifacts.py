"""Artifacts from the runner's side: find the files a job made, upload each through the signed-URL flow, report it.

Which files:

- At the job's end, every regular file under the job's working directory (``TAILRUN_CWD``, else the runner's)
  that matches one of the job spec's patterns (``TAILRUN_ARTIFACTS``: a JSON list of glob patterns relative to that
  directory; ``**`` matches any depth, e.g. ``["out/*.csv", "**/*.png"]``).
- While the job runs, any file it names on a marker line ``::artifact <path>`` (on stdout or stderr; ``path``
  relative to the working directory). It is uploaded right away, so a long job's results arrive early. The marker
  stays in the output, so the log shows when it was printed.

A file is only taken from inside the working directory: a pattern or marker that leads outside it (``..``, an
absolute path elsewhere, a symlink pointing out) is skipped, so a job cannot make the runner upload, say, its own
environment. At most ``TAILRUN_ARTIFACT_MAX_FILES`` files are uploaded per attempt.

How (per file): ``POST upload`` (name, content type by extension, exact size, MD5; the attempt's token) → ``PUT``
the bytes to the signed URL with the headers it requires → ``POST finalize_artifact``. A file of at most
``ARTIFACT_INLINE_BYTES`` goes inline instead (base64 in the ``upload`` request, which records it at once). Network
errors, 408, 429 and 5xx are retried under the runner's one retry policy (``retry``) for at most
``TAILRUN_ARTIFACT_RETRY_MAX_S`` per step, and not at all once the runner has stopped the job or cannot deliver
any more (``stop``); a 4xx is final. Each file gives one report — the artifact, or the
error — which the runner sends as an ``artifact`` callback message. The function URLs default to siblings of the
callback URL (``…/upload``, ``…/finalize_artifact``), or come from ``TAILRUN_UPLOAD_URL`` and
``TAILRUN_FINALIZE_URL``.

Only the standard library: the runner runs in a slim container.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import json
import logging
import mimetypes
import os
import queue
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from tailrun_runner import defaults
from tailrun_runner.retry import Answer, GaveUp, Retrier, RetryPolicy, Stopped
from tailrun_runner.settings import parse_number

logger = logging.getLogger(__name__)

MARKER = "::artifact "


class ReportError(enum.StrEnum):
    """The error codes the runner itself puts in an artifact report (others are the functions' own codes)."""

    NAME_INVALID = "name_invalid"  # the file name is not valid UTF-8 or too long: not uploaded
    UNREADABLE = "unreadable"  # the file could not be read
    UNREACHABLE = "unreachable"  # a step found no final answer within the retry budget
    STOPPED = "stopped"  # the runner stopped retrying: the job was stopped or delivery failed
    BAD_ANSWER = "bad_answer"  # a 2xx answer without the fields the protocol promises
    REFUSED = "refused"  # refused with an error code the callback would not take
    PUT_REFUSED = "put_refused"  # the signed URL refused the bytes
    NOT_UPLOADED = "not_uploaded"  # the uploaded bytes never became visible to finalize


# Content types by suffix, before Python's own table (which lacks some and varies by platform).
TYPES = {
    ".txt": "text/plain",
    ".log": "text/plain",
    ".csv": "text/csv",
    ".md": "text/markdown",
    ".diff": "text/x-diff",
    ".patch": "text/x-diff",
    ".json": "application/json",
    ".ndjson": "application/x-ndjson",
    ".jsonl": "application/x-ndjson",
    ".pdf": "application/pdf",
    ".zip": "application/zip",
    ".gz": "application/gzip",
    ".tgz": "application/gzip",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}


def content_type_of(path: Path) -> str:
    """The content type a file is uploaded as, by its suffix (the server's allow-list decides if it may be)."""
    known = TYPES.get(path.suffix.lower())
    if known is not None:
        return known
    guessed, encoding = mimetypes.guess_type(path.name)
    return guessed if guessed and not encoding else "application/octet-stream"


def sibling_url(callback_url: str, name: str) -> str:
    """The URL of the function ``name`` next to the callback (functions are reached by name)."""
    base, _, _ = callback_url.rstrip("/").rpartition("/")
    return f"{base}/{name}"


@dataclass(frozen=True, kw_only=True)
class ArtifactSettings:
    """What the runner needs to upload a job's artifacts."""

    job_id: str
    attempt: int
    token: str
    base_dir: Path
    patterns: tuple[str, ...] = ()
    upload_url: str
    finalize_url: str
    max_files: int = defaults.ARTIFACT_MAX_FILES
    retry_max_s: float = defaults.ARTIFACT_RETRY_MAX_S

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> ArtifactSettings:
        """Read the artifact variables (the job's identity comes from the same variables as the runner's);
        a malformed number raises ``ConfigError`` naming its variable, as the runner's own settings do."""
        callback = environ["TAILRUN_CALLBACK_URL"]
        return cls(
            job_id=environ["TAILRUN_JOB_ID"],
            attempt=int(environ["TAILRUN_ATTEMPT"]),
            token=environ["TAILRUN_TOKEN"],
            base_dir=Path(environ.get("TAILRUN_CWD") or os.getcwd()),
            patterns=_patterns(environ.get("TAILRUN_ARTIFACTS")),
            upload_url=environ.get("TAILRUN_UPLOAD_URL") or sibling_url(callback, "upload"),
            finalize_url=environ.get("TAILRUN_FINALIZE_URL") or sibling_url(callback, "finalize_artifact"),
            max_files=parse_number(
                environ, "TAILRUN_ARTIFACT_MAX_FILES", int, defaults.ARTIFACT_MAX_FILES, minimum=0
            ),
            retry_max_s=parse_number(
                environ, "TAILRUN_ARTIFACT_RETRY_MAX_S", float, defaults.ARTIFACT_RETRY_MAX_S, minimum=0
            ),
        )

    @property
    def policy(self) -> RetryPolicy:
        """The retry policy of one upload step: at most ``retry_max_s``."""
        return RetryPolicy(
            base_s=defaults.ARTIFACT_RETRY_BASE_S,
            cap_s=defaults.ARTIFACT_RETRY_CAP_S,
            budget_s=self.retry_max_s,
        )


def _patterns(raw: str | None) -> tuple[str, ...]:
    """The patterns of ``TAILRUN_ARTIFACTS``; a malformed value is logged and taken as none (the job still runs)."""
    if not raw:
        return ()
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        logger.error(
            "TAILRUN_ARTIFACTS must be a JSON list of glob patterns, got %r; no artifacts collected", raw
        )
        return ()
    return tuple(value)


# --- which files ---


def inside(base: Path, candidate: Path) -> Path | None:
    """``candidate`` resolved (symlinks followed) if it is a regular file inside ``base``, else None."""
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not resolved.is_relative_to(base.resolve()) or not resolved.is_file():
        return None
    return resolved


def collect(base: Path, patterns: Iterable[str]) -> list[Path]:
    """The regular files inside ``base`` matching ``patterns``, sorted, without duplicates."""
    found: set[Path] = set()
    for pattern in patterns:
        if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
            logger.warning("artifact pattern %r leads outside the working directory; skipped", pattern)
            continue
        for match in base.glob(pattern):
            if inside(base, match) is not None:
                found.add(match)
    return sorted(found)


def marked_path(base: Path, line: str) -> Path | None:
    """The file a ``::artifact <path>`` line names, if it is one inside ``base`` (else None, logged)."""
    if not line.startswith(MARKER):
        return None
    text = line[len(MARKER) :].strip()
    candidate = base / text
    if not text or inside(base, candidate) is None:
        logger.warning("artifact marker %r names no file inside the working directory; skipped", text)
        return None
    return candidate


def name_of(base: Path, path: Path) -> str:
    """The artifact's name: its path relative to the working directory, with ``/`` (not resolved: a symlink's
    own name is kept)."""
    return Path(os.path.relpath(path, base)).as_posix()


def md5_base64(path: Path) -> str:
    """The file's MD5, base64-encoded as Cloud Storage and the ``upload`` function compare it."""
    digest = hashlib.md5()
    with path.open("rb") as stream:
        while chunk := stream.read(defaults.HASH_CHUNK_BYTES):
            digest.update(chunk)
    return base64.b64encode(digest.digest()).decode("ascii")


# --- HTTP with retries ---


class StepFailed(Exception):
    """One step of an upload failed for good; ``code`` and ``message`` go into the report."""

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


if TYPE_CHECKING:
    import urllib.request

_OPENER: urllib.request.OpenerDirector | None = None


def _opener() -> urllib.request.OpenerDirector:
    """No proxies from the environment: like the callbacks (http.client), uploads go straight to their URLs.

    Built at the first upload: ``urllib.request`` is the costliest import of the runner's (tens of milliseconds
    of CPU at every start), and most jobs upload nothing."""
    global _OPENER
    import urllib.request

    if _OPENER is None:
        _OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    return _OPENER


def send(
    method: str, url: str, headers: Mapping[str, str], body: bytes | IO[bytes], timeout_s: float
) -> Answer:
    """One HTTP request; any status is an answer, a network failure raises OSError."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, data=body, headers=dict(headers), method=method)
    try:
        with _opener().open(request, timeout=timeout_s) as response:
            return Answer(response.status, response.read(), response.headers.get("Retry-After"))
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.read(), exc.headers.get("Retry-After"))


# --- the uploader ---

_CODE = re.compile(r"[A-Za-z0-9_.-]{1,64}")  # what the callback takes as an error code


def _printable(text: str, limit: int) -> str:
    """``text`` as valid UTF-8 (lone surrogates, such as a file name's stray bytes, become U+FFFD), cut to
    ``limit`` characters."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")[:limit]


def _error(report: dict[str, Any], code: str, message: str) -> dict[str, Any]:
    """``report`` with an ``error`` that the callback takes (a code of its form, a bounded message)."""
    code = code if _CODE.fullmatch(code) else ReportError.REFUSED
    return {**report, "error": {"code": code, "message": _printable(message, defaults.REPORT_MESSAGE_CHARS)}}


@dataclass
class Uploader:
    """Uploads files of one attempt through upload → PUT → finalize and returns one report per file."""

    settings: ArtifactSettings
    retrier: Retrier
    send: Callable[[str, str, Mapping[str, str], bytes | IO[bytes], float], Answer] = send

    def upload(self, path: Path) -> dict[str, Any]:
        """Upload one file; the report is ``{"name", "size", "content_type", "artifact_id"}`` or with ``error``.

        A report always fits the callback's checks (a refused message would end the attempt's delivery): a name
        that is not valid UTF-8 (a file name's stray bytes) is not uploaded, and texts are bounded."""
        name = name_of(self.settings.base_dir, path)
        report: dict[str, Any] = {"name": _printable(name, defaults.REPORT_NAME_CHARS)}
        if report["name"] != name:
            reason = f"the file name is not valid UTF-8 or is over {defaults.REPORT_NAME_CHARS} characters"
            return _error(report, ReportError.NAME_INVALID, reason)
        try:
            size = path.stat().st_size
            report.update(size=size, content_type=content_type_of(path))
            artifact = self._upload(path, name, size, report["content_type"])
            artifact_id, md5 = str(artifact["artifact_id"]), artifact.get("md5")
        except StepFailed as exc:
            logger.warning("artifact %r not uploaded: %s", name, exc.message)
            return _error(report, exc.code, exc.message)
        except Stopped as exc:
            logger.warning("artifact %r not uploaded: %s", name, exc)
            return _error(report, ReportError.STOPPED, str(exc))
        except GaveUp as exc:
            logger.warning("artifact %r not uploaded: %s", name, exc)
            return _error(report, ReportError.UNREACHABLE, str(exc))
        except OSError as exc:
            return _error(report, ReportError.UNREADABLE, str(exc))
        except (
            KeyError,
            TypeError,
            ValueError,
        ) as exc:  # a 2xx answer without the fields the protocol promises
            logger.warning("artifact %r not uploaded: unexpected answer (%r)", name, exc)
            return _error(report, ReportError.BAD_ANSWER, f"unexpected answer from the server ({exc!r})")
        logger.info("artifact %r uploaded (%d bytes) as %s", name, size, artifact_id)
        return {**report, "artifact_id": artifact_id, "md5": md5}

    def _post(self, url: str, what: str, fields: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(
            {"job_id": self.settings.job_id, "attempt": self.settings.attempt, **fields}, ensure_ascii=False
        ).encode("utf-8")
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.settings.token}"}
        timeout_s = defaults.ARTIFACT_REQUEST_TIMEOUT_S
        answer = self.retrier.run(what, lambda: self.send("POST", url, headers, body, timeout_s))
        if answer.status >= 300:
            code, message = answer.error()
            raise StepFailed(code, f"{what}: {answer.status} {message}", answer.status)
        return answer.json()

    def _put(self, path: Path, upload: dict[str, Any], size: int) -> None:
        headers = {**upload["headers"], "Content-Length": str(size)}

        def attempt() -> Answer:
            with path.open("rb") as stream:
                body = stream if size else b""
                return self.send("PUT", upload["url"], headers, body, defaults.ARTIFACT_REQUEST_TIMEOUT_S)

        answer = self.retrier.run("PUT", attempt)
        if answer.status >= 300:
            raise StepFailed(
                ReportError.PUT_REFUSED, f"PUT: {answer.status} {answer.body[:300]!r}", answer.status
            )

    def _finalize(self, artifact_id: str) -> dict[str, Any]:
        for _ in range(defaults.ARTIFACT_NOT_UPLOADED_TRIES):
            try:
                answer = self._post(self.settings.finalize_url, "finalize", {"artifact_id": artifact_id})
                return dict(answer["artifact"])
            except StepFailed as exc:
                if exc.code != ReportError.NOT_UPLOADED:
                    raise
                self.retrier.wait("finalize", defaults.ARTIFACT_RETRY_BASE_S)
        raise StepFailed(ReportError.NOT_UPLOADED, "finalize: the uploaded file never became visible")

    def _upload(self, path: Path, name: str, size: int, content_type: str) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "name": name,
            "content_type": content_type,
            "size": size,
            "md5": md5_base64(path),
        }
        if size <= defaults.ARTIFACT_INLINE_BYTES:
            fields["data"] = base64.b64encode(path.read_bytes()).decode("ascii")
            return dict(self._post(self.settings.upload_url, "upload", fields)["artifact"])
        promised = self._post(self.settings.upload_url, "upload", fields)
        self._put(path, promised["upload"], size)
        return self._finalize(str(promised["artifact_id"]))


@dataclass
class Artifacts:
    """The artifacts of one attempt: marked files uploaded as they are named, pattern matches at the end.

    ``mark`` is called by the thread that reads the job's output; uploads run on a worker thread of their own;
    the sender takes the reports (``pop_report``) and, at the end, calls ``finish`` before ``completed``."""

    uploader: Uploader
    _reports: queue.SimpleQueue[dict[str, Any]] = field(default_factory=queue.SimpleQueue)
    _work: queue.SimpleQueue[Path | None] = field(default_factory=queue.SimpleQueue)
    _uploaded: dict[str, tuple[int, int]] = field(default_factory=dict)  # name → (size, mtime_ns) sent
    _worker: threading.Thread | None = None
    _taken: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_env(cls, environ: Mapping[str, str], *, stop: threading.Event) -> Artifacts:
        """The artifacts of the attempt ``environ`` describes; once ``stop`` is set, no upload step is retried
        (nor started): the job was stopped, or its reports can no longer be delivered."""
        settings = ArtifactSettings.from_env(environ)
        return cls(Uploader(settings, Retrier(settings.policy, stop=stop)))

    @property
    def settings(self) -> ArtifactSettings:
        return self.uploader.settings

    def mark(self, line: str) -> None:
        """A line of output: if it is an ``::artifact`` marker naming a file, upload that file soon."""
        path = marked_path(self.settings.base_dir, line)
        if path is None:
            return
        with self._lock:
            if self._worker is None:
                self._worker = threading.Thread(target=self._work_loop, name="tailrun-artifacts", daemon=True)
                self._worker.start()
        self._work.put(path)

    def pop_report(self) -> dict[str, Any] | None:
        """The next report to send as an ``artifact`` message, if any."""
        try:
            return self._reports.get_nowait()
        except queue.Empty:
            return None

    def finish(self) -> None:
        """At the job's end: wait for marked uploads, then upload what matches the patterns (changed files only)."""
        with self._lock:
            worker = self._worker
        if worker is not None:
            self._work.put(None)
            worker.join()
        for path in collect(self.settings.base_dir, self.settings.patterns):
            self._upload(path)

    def _work_loop(self) -> None:
        while (path := self._work.get()) is not None:
            self._upload(path)

    def _upload(self, path: Path) -> None:
        name = name_of(self.settings.base_dir, path)
        try:
            stat = path.stat()
        except OSError:
            return
        version = (stat.st_size, stat.st_mtime_ns)
        if self._uploaded.get(name) == version:
            return  # marked earlier and unchanged since
        if self._taken >= self.settings.max_files:
            logger.warning(
                "artifact %r skipped: the limit of %d files is reached", name, self.settings.max_files
            )
            return
        self._taken += 1
        self._uploaded[name] = version
        self._reports.put(self.uploader.upload(path))
