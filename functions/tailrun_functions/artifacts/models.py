"""The request bodies of the artifact entrypoints, as value objects that check themselves (strict pydantic)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from tailrun_functions import defaults
from tailrun_functions.artifacts.checks import clean_name
from tailrun_functions.models import STRICT, ArtifactId, JobId, Md5, Text

Name = Annotated[str, Field(min_length=1, max_length=4 * defaults.MAX_NAME_BYTES), AfterValidator(clean_name)]
# Standard base64 (RFC 4648 section 4, padded): checked here so that a decode error is a 400 at parse time.
Base64 = Annotated[
    str,
    Field(
        max_length=4 * defaults.INLINE_CEILING_BYTES // 3 + 4,
        pattern=r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$",
    ),
]


class UploadRequest(BaseModel):
    """The body of ``upload``. A runner sends ``job_id`` and ``attempt``; a user sends ``job_id`` or nothing."""

    model_config = STRICT

    name: Name
    content_type: Annotated[Text, Field(min_length=1, max_length=128)]
    size: int = Field(ge=0, le=defaults.MAX_ARTIFACT_SIZE)
    md5: Md5 | None = None
    job_id: JobId | None = None
    attempt: int | None = Field(default=None, ge=1, le=1000)
    data: Base64 | None = None  # the file itself, inline

    @model_validator(mode="after")
    def _runner_names_its_job(self) -> UploadRequest:
        if self.attempt is not None and self.job_id is None:
            raise ValueError("attempt goes with job_id")
        return self


class FinalizeRequest(BaseModel):
    """The body of ``finalize_artifact``: the same caller as the upload, and its artifact id."""

    model_config = STRICT

    artifact_id: ArtifactId
    job_id: JobId | None = None
    attempt: int | None = Field(default=None, ge=1, le=1000)


class ReviewRequest(BaseModel):
    """The body of ``review_artifact``."""

    model_config = STRICT

    job_id: JobId | None = None
    artifact_id: ArtifactId
    decision: Literal["approve", "reject"]
    note: Annotated[Text, Field(max_length=defaults.MAX_NOTE_CHARS)] = ""


class DownloadRequest(BaseModel):
    """The body of ``download_artifact``: an artifact by id, or by name (the newest of that name)."""

    model_config = STRICT

    job_id: JobId | None = None
    artifact_id: ArtifactId | None = None
    name: Name | None = None

    @model_validator(mode="after")
    def _one_key(self) -> DownloadRequest:
        if (self.artifact_id is None) == (self.name is None):
            raise ValueError("give exactly one of artifact_id or name")
        return self
