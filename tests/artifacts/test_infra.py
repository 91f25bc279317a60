"""The Terraform that artifacts need: the bucket's lifecycle rules and the signer's IAM, with no key files.

Read as text (no provider is downloaded in tests): each resource block is cut out by its header and checked for
the settings it must carry.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

INFRA = Path(__file__).resolve().parents[2] / "infra"


def terraform() -> str:
    return "\n".join(path.read_text() for path in sorted(INFRA.glob("*.tf")))


def block(kind: str, name: str) -> str:
    """The text of ``resource "kind" "name" { … }`` (braces balanced)."""
    text = terraform()
    start = text.index(f'resource "{kind}" "{name}" {{')
    depth = 0
    for index in range(text.index("{", start), len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return text[start : index + 1]
    raise AssertionError(f"unbalanced braces in {kind}.{name}")


def test_the_artifacts_bucket_deletes_unfinalized_uploads_and_old_artifacts() -> None:
    bucket = block("google_storage_bucket", "artifacts")
    rules = terraform()[terraform().index("artifact_lifecycle_rules = concat(") :]

    assert 'dynamic "lifecycle_rule"' in bucket and "for_each = local.artifact_lifecycle_rules" in bucket
    assert (
        re.search(r'type\s*=\s*"Delete"', bucket)
        and "matches_prefix = lifecycle_rule.value.prefixes" in bucket
    )
    assert 'prefixes = ["incoming/"]' in rules and 'prefixes = ["jobs/", "users/"]' in rules
    assert 'public_access_prevention    = "enforced"' in bucket


def test_the_functions_may_use_the_bucket_and_sign_through_iam_without_key_files() -> None:
    objects = block("google_storage_bucket_iam_member", "functions_artifacts")
    signer = block("google_service_account_iam_member", "functions_sign_blobs")

    assert "google_storage_bucket.artifacts.name" in objects and '"roles/storage.objectAdmin"' in objects
    assert '"roles/iam.serviceAccountTokenCreator"' in signer
    assert (
        "google_service_account.functions.name" in signer
        and "google_service_account.functions.email" in signer
    )
    assert "google_service_account_key" not in terraform()
    assert '"iamcredentials.googleapis.com"' in terraform()


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not installed")
def test_the_terraform_is_formatted() -> None:
    answer = subprocess.run(
        ["terraform", "fmt", "-check", "-diff", str(INFRA)], capture_output=True, text=True
    )

    assert answer.returncode == 0, answer.stdout
