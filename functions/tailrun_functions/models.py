"""Request bodies as value objects that check themselves (pydantic, strict, unknown fields refused).

Every string that reaches Firestore must be valid UTF-8 (no lone surrogates, which JSON can encode) and every map
key a legal Firestore field name, so those checks live here, before anything is written.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from tailrun_functions import defaults, events

STRICT = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)
MAX_SEQ = 2**53  # integers stay exact in JSON numbers of every client


def _utf8(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid UTF-8 text (lone surrogates are not)") from None
    return value


RESERVED = re.compile(r"^__.*__$", re.DOTALL)  # Firestore reserves document ids and field names like __x__


def _not_reserved(value: str) -> str:
    """Refuse a name Firestore reserves (``__.*__``): as a document id or a map key it is an error at write time,
    after other reads, so it must be refused here, before anything is read or written."""
    if RESERVED.match(value):
        raise ValueError(f"{value!r} is reserved by Firestore (names of the form __x__ are not allowed)")
    return value


Text = Annotated[str, AfterValidator(_utf8)]
# Every value that becomes a document id or a map key is one of these types, so none can be reserved.
JobId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$"), AfterValidator(_not_reserved)]
ArtifactId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]  # secrets.token_hex(16): never reserved
Md5 = Annotated[str, Field(pattern=r"^[A-Za-z0-9+/]{22}==$")]  # base64 of 16 bytes, as Content-MD5 wants
EnvName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,255}$"), AfterValidator(_not_reserved)]
LabelKey = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,62}$")]
LabelValue = Annotated[Text, Field(max_length=defaults.MAX_LABEL_CHARS)]
SandboxKey = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"), AfterValidator(_not_reserved)]
# A workspace: a created one's uuid4().hex, or a personal one's "personal-<uid>" (issue 14).
WorkspaceId = Annotated[
    str, Field(pattern=r"^(?:[0-9a-f]{32}|personal-[^/\x00-\x1f]{1,128})$"), AfterValidator(_not_reserved)
]
Uid = Annotated[str, Field(pattern=r"^[^/\x00-\x1f]{1,128}$")]
Scalar = Annotated[Text, Field(max_length=1024)] | int | float | bool | None


def _total_bytes(items: list[str]) -> int:
    return sum(len(item.encode("utf-8")) for item in items)


class CreateJobRequest(BaseModel):
    """What a client asks for: an argv, or a prompt for an agent command, with limits."""

    model_config = STRICT

    argv: list[Annotated[Text, Field(max_length=defaults.MAX_ARGV_BYTES)]] | None = Field(
        default=None, min_length=1, max_length=defaults.MAX_ARGV_ITEMS
    )
    prompt: Annotated[Text, Field(min_length=1)] | None = None
    agent: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")] | None = None
    env: dict[EnvName, Text] = Field(default_factory=dict, max_length=defaults.MAX_ENV_ITEMS)
    timeout_s: int = Field(default=defaults.TIMEOUT_S, ge=1, le=defaults.MAX_TIMEOUT_S)
    idle_timeout_s: int | None = Field(default=None, ge=1, le=defaults.MAX_TIMEOUT_S)
    max_attempts: int = Field(default=defaults.MAX_ATTEMPTS, ge=1, le=defaults.MAX_MAX_ATTEMPTS)
    labels: dict[LabelKey, LabelValue] = Field(default_factory=dict, max_length=defaults.MAX_LABELS)
    artifacts: list[Annotated[Text, Field(min_length=1, max_length=256)]] = Field(
        default_factory=list, max_length=defaults.MAX_ARTIFACT_PATTERNS
    )
    idempotency_key: (
        Annotated[str, Field(pattern=rf"^[\x21-\x7e]{{1,{defaults.MAX_IDEMPOTENCY_KEY_CHARS}}}$")] | None
    ) = None
    tty: bool = False  # run the job on a pseudo-terminal: stdout and stderr become one stream
    # The directory the job runs in, local stack only (``jobs.check_cwd``: absolute, existing, refused in the cloud).
    cwd: Annotated[Text, Field(min_length=1, max_length=defaults.MAX_CWD_CHARS)] | None = None
    workspace_id: WorkspaceId | None = None  # absent: the caller's personal workspace

    @model_validator(mode="after")
    def _one_command(self) -> CreateJobRequest:
        if (self.argv is None) == (self.prompt is None):
            raise ValueError("give exactly one of argv (a list of strings) or prompt (text for an agent)")
        if self.agent is not None and self.prompt is None:
            raise ValueError("agent goes with prompt, not with argv")
        if self.argv is not None and _total_bytes(self.argv) > defaults.MAX_ARGV_BYTES:
            raise ValueError(f"argv is over {defaults.MAX_ARGV_BYTES} bytes in total")
        if self.prompt is not None and len(self.prompt.encode("utf-8")) > defaults.MAX_PROMPT_BYTES:
            raise ValueError(f"prompt is over {defaults.MAX_PROMPT_BYTES} bytes")
        if _total_bytes([*self.env.keys(), *self.env.values()]) > defaults.MAX_ENV_BYTES:
            raise ValueError(f"env is over {defaults.MAX_ENV_BYTES} bytes in total")
        return self

    def fingerprint(self) -> str:
        """A stable text of the request without its idempotency key: a reused key must come with the same job."""
        fields = self.model_dump(exclude={"idempotency_key"})
        for name, default in (
            ("tty", False),
            ("cwd", None),
            ("workspace_id", None),
        ):  # fields added later: old keys' texts still match
            if fields[name] == default:
                del fields[name]
        return json.dumps(fields, sort_keys=True, separators=(",", ":"))


class JobRef(BaseModel):
    """The body of cancel_job and retry_job."""

    model_config = STRICT

    job_id: JobId


class ReapRequest(BaseModel):
    """The body of reap_sandboxes (Cloud Scheduler sends an empty object or nothing)."""

    model_config = STRICT

    dry_run: bool = False


# --- batches (issue 15) ---

BatchId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]  # uuid4().hex: never reserved
CellValue = Annotated[Text, Field(max_length=defaults.BATCH_MAX_ROW_BYTES)] | int | float | bool | None

# The fields of a batch's job template: every option of create_job (argv and prompt hold ``{column}`` placeholders).
JOB_TEMPLATE_FIELDS = (
    "argv",
    "prompt",
    "agent",
    "env",
    "timeout_s",
    "idle_timeout_s",
    "max_attempts",
    "labels",
    "artifacts",
    "tty",
    "cwd",
)


class CreateBatchRequest(BaseModel):
    """What create_batch takes: the rows (``csv`` text with a header, or ``rows`` as objects), the job template
    (create_job's fields; ``argv`` items and ``prompt`` hold ``{column}`` placeholders, ``{{``/``}}`` for braces)
    and the batch's own options. The rows and the template are checked against each other in ``batches.rows``."""

    model_config = STRICT

    csv: Text | None = None
    rows: list[dict[Text, CellValue]] | None = None
    argv: list[Text] | None = Field(default=None, min_length=1, max_length=defaults.MAX_ARGV_ITEMS)
    prompt: Annotated[Text, Field(min_length=1)] | None = None
    agent: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")] | None = None
    env: dict[EnvName, Text] = Field(default_factory=dict, max_length=defaults.MAX_ENV_ITEMS)
    timeout_s: int = Field(default=defaults.TIMEOUT_S, ge=1, le=defaults.MAX_TIMEOUT_S)
    idle_timeout_s: int | None = Field(default=None, ge=1, le=defaults.MAX_TIMEOUT_S)
    max_attempts: int = Field(default=defaults.MAX_ATTEMPTS, ge=1, le=defaults.MAX_MAX_ATTEMPTS)
    labels: dict[LabelKey, LabelValue] = Field(default_factory=dict, max_length=defaults.MAX_LABELS)
    artifacts: list[Annotated[Text, Field(min_length=1, max_length=256)]] = Field(
        default_factory=list, max_length=defaults.MAX_ARTIFACT_PATTERNS
    )
    tty: bool = False
    cwd: Annotated[Text, Field(min_length=1, max_length=defaults.MAX_CWD_CHARS)] | None = None
    concurrency: int = Field(default=defaults.BATCH_CONCURRENCY, ge=1)  # its ceiling is a setting
    sample: int | None = Field(default=None, ge=1)
    max_failures: int | None = Field(default=None, ge=1)
    max_failure_rate: float | None = Field(default=None, gt=0, le=1)
    name: Annotated[Text, Field(max_length=defaults.BATCH_MAX_NAME_CHARS)] | None = None
    idempotency_key: (
        Annotated[str, Field(pattern=rf"^[\x21-\x7e]{{1,{defaults.MAX_IDEMPOTENCY_KEY_CHARS}}}$")] | None
    ) = None
    workspace_id: WorkspaceId | None = None  # absent: the caller's personal workspace

    @model_validator(mode="after")
    def _one_source_one_command(self) -> CreateBatchRequest:
        if (self.csv is None) == (self.rows is None):
            raise ValueError("give exactly one of csv (text with a header row) or rows (a list of objects)")
        if (self.argv is None) == (self.prompt is None):
            raise ValueError("give exactly one of argv (a list of strings) or prompt (text for an agent)")
        if self.agent is not None and self.prompt is None:
            raise ValueError("agent goes with prompt, not with argv")
        return self

    def template(self) -> dict[str, Any]:
        """The job template: create_job's fields as given (None and the defaults left out where create_job has
        them too)."""
        return self.model_dump(include=set(JOB_TEMPLATE_FIELDS), exclude_none=True)

    def fingerprint(self) -> str:
        """A stable text of the request without its idempotency key: a reused key must come with the same batch."""
        fields = self.model_dump(exclude={"idempotency_key"})
        if fields["workspace_id"] is None:  # added later: old keys' texts still match
            del fields["workspace_id"]
        return json.dumps(fields, sort_keys=True, separators=(",", ":"))


class BatchRef(BaseModel):
    """The body of pause_batch, resume_batch and retry_batch."""

    model_config = STRICT

    batch_id: BatchId


class StopBatchRequest(BaseModel):
    model_config = STRICT

    batch_id: BatchId
    reason: Annotated[Text, Field(max_length=1000)] | None = None
    cancel_running: bool = True


class SetConcurrencyRequest(BaseModel):
    model_config = STRICT

    batch_id: BatchId
    concurrency: int = Field(ge=1)


# --- callback messages (runner → job_callback), one model per `type` ---


class _Message(BaseModel):
    model_config = STRICT

    job_id: JobId
    attempt: int = Field(ge=1, le=defaults.MAX_MAX_ATTEMPTS * 100)
    seq: int = Field(ge=0, le=MAX_SEQ)
    ts: int | None = Field(default=None, ge=0, le=MAX_SEQ)


class Line(BaseModel):
    """One output line as the runner numbers it: ``line`` counts all lines of the attempt, both streams."""

    model_config = STRICT

    line: int = Field(ge=0, le=MAX_SEQ)
    stream: Literal["stdout", "stderr"]
    ts: int = Field(ge=0, le=MAX_SEQ)
    text: Text
    cut: bool | None = None
    invalid_utf8: bool | None = None
    partial: bool | None = None


class Started(_Message):
    type: Literal["started"]
    sandbox: dict[SandboxKey, Scalar] = Field(default_factory=dict, max_length=64)

    @model_validator(mode="after")
    def _small(self) -> Started:
        if len(json.dumps(self.sandbox)) > defaults.MAX_SANDBOX_BYTES:
            raise ValueError(f"sandbox is over {defaults.MAX_SANDBOX_BYTES} bytes")
        return self


class CodedError(ValueError):
    """A model's refusal that names the error code the edge answers with (pydantic keeps the exception in the
    error's context, so ``edge.callback_error_code`` finds it)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _text_everywhere(value: Any) -> None:
    """Every string of a JSON value, map keys included, must be valid UTF-8 (Firestore refuses lone surrogates)."""
    if isinstance(value, str):
        _utf8(value)
    elif isinstance(value, list):
        for item in value:
            _text_everywhere(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _utf8(key)
            _text_everywhere(item)


class Event(BaseModel):
    """One event of an attempt as the runner sends it (design §1, §2): numbered like lines (``event``, from 0,
    gap-free), placed before line ``at_line``, of a ``kind``, with the kind's own fields (any JSON: kinds are open,
    so a runner that knows a new one needs no new functions). Its JSON is at most ``MAX_EVENT_BYTES``."""

    model_config = ConfigDict(extra="allow", strict=True, frozen=True)

    event: int = Field(ge=0, le=MAX_SEQ)
    at_line: int = Field(ge=0, le=MAX_SEQ)
    ts: int = Field(ge=0, le=MAX_SEQ)
    kind: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
    cut: bool | None = None

    @model_validator(mode="after")
    def _small_text(self) -> Event:
        _text_everywhere(self.model_extra)
        size = events.json_bytes(self.as_sent())
        if size > defaults.MAX_EVENT_BYTES:
            raise CodedError(
                "event_too_large",
                f"event {self.event} is {size} bytes of JSON; the limit is {defaults.MAX_EVENT_BYTES}",
            )
        return self

    def as_sent(self) -> dict[str, Any]:
        """The event as the runner sent it (an unset ``cut`` left out; other fields as given, nulls included)."""
        data = self.model_dump()
        if data["cut"] is None:
            del data["cut"]
        return data


class Annotations(BaseModel):
    """Counts of the attempt's annotations by level, every level always present."""

    model_config = STRICT

    error: int = Field(ge=0, le=MAX_SEQ)
    warning: int = Field(ge=0, le=MAX_SEQ)
    notice: int = Field(ge=0, le=MAX_SEQ)


class Usage(BaseModel):
    """An agent's latest cumulative totals; a key only when the agent reported it."""

    model_config = STRICT

    input_tokens: int | None = Field(default=None, ge=0, le=MAX_SEQ)
    output_tokens: int | None = Field(default=None, ge=0, le=MAX_SEQ)
    cost_usd: float | None = Field(default=None, ge=0)


StateText = Annotated[Text, Field(max_length=defaults.MAX_STATE_TEXT_CHARS)]


class State(BaseModel):
    """The attempt's latest state after the message that carries it, cumulative (the runner computes it, so the
    callback sums nothing and a redelivery changes nothing): what the job document shows (design §1)."""

    model_config = STRICT

    events: int = Field(ge=0, le=MAX_SEQ)
    current_step: StateText | None = None
    current_url: StateText | None = None
    annotations: Annotations
    usage: Usage | None = None
    result: Any = None

    @model_validator(mode="after")
    def _small_result(self) -> State:
        _text_everywhere(self.result)
        size = events.json_bytes(self.result)
        if size > defaults.MAX_RESULT_BYTES:
            raise ValueError(f"result is {size} bytes of JSON; the limit is {defaults.MAX_RESULT_BYTES}")
        return self

    def job_fields(self) -> dict[str, Any]:
        """The job document's fields of this state (``usage`` with the keys reported only)."""
        return {
            "events": self.events,
            "current_step": self.current_step,
            "current_url": self.current_url,
            "annotations": self.annotations.model_dump(),
            "usage": self.usage.model_dump(exclude_none=True) if self.usage is not None else None,
            "result": events.storable(self.result),
        }


class Output(_Message):
    """A batch of lines and events, in the order the runner read them; either list may be empty, not both."""

    type: Literal["output"]
    lines: list[Line] = Field(default_factory=list, max_length=defaults.MAX_LINES_PER_BATCH)
    events: list[Event] = Field(default_factory=list, max_length=defaults.MAX_EVENTS_PER_BATCH)
    state: State | None = None

    @model_validator(mode="after")
    def _contiguous(self) -> Output:
        if not self.lines and not self.events:
            raise ValueError("an output message holds lines, events or both")
        for what, numbers in (
            ("lines", [line.line for line in self.lines]),
            ("events", [event.event for event in self.events]),
        ):
            for offset, number in enumerate(numbers):
                if number != numbers[0] + offset:
                    message = (
                        f"{what} must be numbered contiguously: expected {numbers[0] + offset}, got {number}"
                    )
                    raise CodedError("invalid_events", message) if what == "events" else ValueError(message)
        if self.events and self.state is None:
            raise CodedError("invalid_state", "an output message with events carries their state")
        if self.events and self.state is not None and self.state.events != self.events[-1].event + 1:
            raise CodedError(
                "invalid_state",
                f"state.events is {self.state.events}, but the message's last event is {self.events[-1].event}",
            )
        return self

    def stored_events(self) -> list[dict[str, Any]]:
        """The events as a chunk stores them: as sent, with what Firestore cannot hold as JSON text."""
        return [events.storable(event.as_sent()) for event in self.events]


class Heartbeat(_Message):
    type: Literal["heartbeat"]


class Progress(_Message):
    type: Literal["progress"]
    percent: float = Field(ge=0, le=100)
    step: Annotated[Text, Field(max_length=500)] = ""


class Completed(_Message):
    type: Literal["completed"]
    exit_code: int | None = Field(ge=-(2**31), le=2**31 - 1)
    signal: Annotated[str, Field(pattern=r"^[A-Z0-9+]{1,16}$")] | None = None
    duration_ms: int = Field(ge=0, le=MAX_SEQ)
    lines: int = Field(ge=0, le=MAX_SEQ)
    # Why the job ended: it exited on its own, the runner stopped it (``stopped``: the runner got SIGTERM;
    # ``canceled``), or the runner ended it at its timeout or idle timeout. ``callbacks._ending_of`` maps them.
    reason: Literal["exited", "canceled", "stopped", "timeout", "idle_timeout"] = "exited"


class ArtifactError(BaseModel):
    """Why the runner could not upload a file: a short code and a sentence."""

    model_config = STRICT

    code: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
    message: Annotated[Text, Field(max_length=2000)]


class Artifact(_Message):
    """One file of the job as the runner reports it: uploaded (``artifact_id``; the ``upload`` and
    ``finalize_artifact`` functions already recorded it) or not (``error``, recorded on the attempt)."""

    type: Literal["artifact"]
    name: Annotated[Text, Field(min_length=1, max_length=1024)]
    size: int | None = Field(default=None, ge=0, le=MAX_SEQ)
    content_type: Annotated[Text, Field(max_length=255)] | None = None
    artifact_id: JobId | None = None
    md5: Md5 | None = None
    error: ArtifactError | None = None


class Claim(BaseModel):
    """A cloud runner asks for its job (token, argv, env, artifacts), proving itself with its Google ID token.

    Not numbered (no ``seq``): it comes before any other message. ``execution`` is the short name of the Cloud Run
    execution the runner runs in (``CLOUD_RUN_EXECUTION``), checked against the attempt's recorded launch."""

    model_config = STRICT

    type: Literal["claim"]
    job_id: JobId
    attempt: int = Field(ge=1, le=defaults.MAX_MAX_ATTEMPTS * 100)
    execution: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")]
    ts: int | None = Field(default=None, ge=0, le=MAX_SEQ)


CallbackMessage = Started | Output | Heartbeat | Progress | Completed | Artifact | Claim
_MESSAGES: TypeAdapter[CallbackMessage] = TypeAdapter(Annotated[CallbackMessage, Field(discriminator="type")])


def parse_message(body: bytes) -> CallbackMessage:
    """Parse one callback body; raises pydantic.ValidationError for anything malformed."""
    return _MESSAGES.validate_json(body)


def dump(model: BaseModel) -> dict[str, Any]:
    """A model as plain data without unset optional flags (what the chunk documents store)."""
    return model.model_dump(exclude_none=True)


__all__ = [
    "Annotations",
    "Artifact",
    "ArtifactId",
    "CallbackMessage",
    "Claim",
    "CodedError",
    "Completed",
    "CreateJobRequest",
    "Event",
    "Heartbeat",
    "JobRef",
    "Line",
    "Md5",
    "Output",
    "Progress",
    "ReapRequest",
    "Started",
    "State",
    "Usage",
    "dump",
    "parse_message",
]


# --- workspaces (issue 14) ---

WorkspaceName = Annotated[Text, Field(min_length=1, max_length=100)]
RoleName = Literal["admin", "member", "viewer"]  # what add_member and set_member_role may give


class CreateWorkspaceRequest(BaseModel):
    model_config = STRICT

    name: WorkspaceName


class ListWorkspacesRequest(BaseModel):
    """The body of list_workspaces: nothing (or an empty object)."""

    model_config = STRICT


class WorkspaceRef(BaseModel):
    """The body of delete_workspace and leave_workspace."""

    model_config = STRICT

    workspace_id: WorkspaceId


class RenameWorkspaceRequest(BaseModel):
    model_config = STRICT

    workspace_id: WorkspaceId
    name: WorkspaceName


class AddMemberRequest(BaseModel):
    """A member by ``uid``, or by ``email`` (resolved through Firebase Auth), with a role."""

    model_config = STRICT

    workspace_id: WorkspaceId
    uid: Uid | None = None
    email: Annotated[str, Field(pattern=r"^[^@\s]{1,200}@[^@\s]{1,200}$")] | None = None
    role: RoleName = "member"

    @model_validator(mode="after")
    def _one_key(self) -> AddMemberRequest:
        if (self.uid is None) == (self.email is None):
            raise ValueError("give exactly one of uid or email")
        return self


class MemberRequest(BaseModel):
    """The body of remove_member and transfer_workspace."""

    model_config = STRICT

    workspace_id: WorkspaceId
    uid: Uid


class SetRoleRequest(BaseModel):
    model_config = STRICT

    workspace_id: WorkspaceId
    uid: Uid
    role: RoleName
