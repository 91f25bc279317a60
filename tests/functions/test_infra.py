"""infra/: the security rules and the composite indexes, checked against the code that reads and writes.

No rules engine runs offline (the official one needs Java), so the rules are checked on their structure: every
readable path belongs to a user and says so in its condition, nothing is writable, and the server-only
collections are matched by nothing but the final deny-all. The indexes are checked against every query the code
builds: each query site in functions/, tailrun/ and web/src/ is listed here with the composite index it needs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from google.cloud import firestore
from tailrun_functions import store

from .conftest import Api
from .helpers import PlayedRunner, launched
from .shared import ROOT, dump_all

RULES = (ROOT / "infra" / "firestore.rules").read_text()
INDEXES = json.loads((ROOT / "infra" / "firestore.indexes.json").read_text())
SERVER_ONLY = {
    store.JOB_SECRETS,
    store.ATTEMPT_TOKENS,
    store.IDEMPOTENCY,
    "artifact_uploads",
    "batch_secrets",
    "batch_slots",
}
# What makes a reader one who may read (issue 14: a member of the document's workspace; a user's own uploads).
OWNER_CHECKS = (
    "request.auth.uid in resource.data.member_uids",
    "memberOf(wsOf(resource.data))",
    "memberOf(resource.data.workspace_id)",
    "readsJob(jobId)",
    "readsBatch(batchId)",
    "request.auth.uid == uid",
)


@dataclass
class Allow:
    path: str
    operations: set[str]
    condition: str


def allows(rules: str) -> list[Allow]:
    """Every ``allow`` statement with the full path of the match blocks around it."""
    found: list[Allow] = []
    stack: list[str | None] = []
    for token in re.finditer(r"match\s+(\S+)\s*\{|allow\s+([a-z,\s]+?)\s*:\s*if\s+([^;]+);|\{|\}", rules):
        if token.group(1) is not None:
            stack.append(token.group(1))
        elif token.group(2) is not None:
            path = "".join(part for part in stack if part)
            operations = {op.strip() for op in token.group(2).split(",")}
            found.append(
                Allow(
                    path.removeprefix("/databases/{database}/documents"), operations, token.group(3).strip()
                )
            )
        elif token.group(0) == "{":
            stack.append(None)  # a function body
        else:
            stack.pop()
    return found


READS = {"read", "get", "list"}


def test_the_rules_parse_into_the_expected_blocks() -> None:
    paths = {allow.path for allow in allows(RULES)}
    assert {"/jobs/{jobId}", "/jobs/{jobId}/chunks/{chunkId}", "/jobs/{jobId}/attempts/{attemptId}"} <= paths
    assert "/{document=**}" in paths


def test_clients_write_nothing() -> None:
    for allow in allows(RULES):
        if allow.operations - READS:
            assert allow.condition == "false", allow


def test_every_readable_document_is_read_only_by_the_members_of_its_workspace() -> None:
    readable = [a for a in allows(RULES) if a.operations & READS and a.condition != "false"]
    assert readable
    for allow in readable:
        assert any(check in allow.condition for check in OWNER_CHECKS), allow
    assert re.search(
        r"function memberOf\(workspaceId\)\s*\{\s*return signedIn\(\)\s*&& request\.auth\.uid in "
        r"get\(/databases/\$\(database\)/documents/workspaces/\$\(workspaceId\)\)\.data\.member_uids;",
        RULES,
    )
    for function in ("readsJob", "readsBatch"):  # two reads: the parent, then its workspace
        assert re.search(rf"function {function}\(\w+\)\s*\{{\s*return memberOf\(wsOf\(get\(", RULES), function


def test_server_only_collections_are_matched_only_by_the_deny_all() -> None:
    for allow in allows(RULES):
        segments = set(allow.path.strip("/").split("/"))
        assert not segments & SERVER_ONLY, allow
    (catch_all,) = [a for a in allows(RULES) if a.path == "/{document=**}"]
    assert catch_all.operations == {"read", "write"} and catch_all.condition == "false"


def test_client_readable_documents_hold_no_token_or_secret(
    api: Api, captured: Path, firestore_client: firestore.Client
) -> None:
    """What the rules let an owner read never holds a token, its hash or an env value."""
    played = PlayedRunner(api, launched(captured, api.create(argv=["x"], env={"KEY": "s3cret-value"})))
    played.started()
    played.output("hello")
    played.completed(0)
    token_hash = (firestore_client.document(f"attempt_tokens/{played.job_id}-0001").get().to_dict() or {})[
        "token_hash"
    ]

    everything = dump_all(firestore_client)
    readable = {
        path: doc for path, doc in everything.items() if path.split("/")[0] in {"jobs", "users", "workspaces"}
    }
    assert any(path.startswith("jobs/") for path in readable)
    for path, document in readable.items():
        text = repr(document["data"])
        for secret in (played.token, token_hash, "s3cret-value"):
            assert secret not in text, f"{path} holds a secret"
        assert "token_hash" not in text
    assert {path.split("/")[0] for path in everything} - {"jobs", "workspaces"} == {
        "attempt_tokens",
        "job_secrets",
    }


# --- composite indexes ---


@dataclass(frozen=True)
class Query:
    """One query the code builds, by a snippet of its source line, and the composite index it needs (if any)."""

    where: str  # path of the source file, relative to the repository
    snippet: str
    collection: str
    # ((field, ASCENDING|DESCENDING|CONTAINS), ...); () when none is needed. CONTAINS: an array-contains filter.
    index: tuple[tuple[str, str], ...] = ()


QUERIES = [
    Query(
        "tailrun/cli/jobs.py",
        'FieldFilter("workspace_id", "==", workspace_id)',
        "jobs",
        (("workspace_id", "ASCENDING"), ("created_at", "DESCENDING")),
    ),
    Query(
        "tailrun/cli/jobs.py",
        'query.where(filter=FieldFilter("status", "==", which.status))',
        "jobs",
        (("workspace_id", "ASCENDING"), ("status", "ASCENDING"), ("created_at", "DESCENDING")),
    ),
    Query(
        "tailrun/cli/jobs.py",
        'FieldFilter("label_pairs", "array_contains", which.labels[0])',
        "jobs",
        (("workspace_id", "ASCENDING"), ("label_pairs", "CONTAINS"), ("created_at", "DESCENDING")),
    ),  # with --status too: the workspace_id, status, label_pairs, created_at index of DATA_MODEL.md below
    Query(
        "tailrun/cli/jobs.py", 'order_by("created_at", direction=Query.DESCENDING)', "jobs"
    ),  # part of the above
    Query(
        "tailrun/cli/jobs.py", 'FieldFilter("attempt", "==", attempt)', "chunks"
    ),  # one equality: automatic
    Query(
        "tailrun/cli/follow.py", 'FieldFilter("attempt", "==", attempt)', "chunks"
    ),  # one equality: automatic
    Query(
        "tailrun/cli/follow.py", 'FieldFilter(FieldPath.document_id(), ">", after)', "chunks"
    ),  # the chunk window (issue 18): a range on the document id alone, which needs no index
    # the web app (issue 17): the jobs table (owner, + status, + label, + both: the indexes of `tailrun jobs`), the
    # batches list, a batch's rows, one attempt's chunks, the caller's workspaces (issue 14)
    Query(
        "web/src/viewer.js",
        'return where("workspace_id", "==", workspace || `personal-${me.uid}`);',
        "jobs",
        (("workspace_id", "ASCENDING"), ("created_at", "DESCENDING")),
    ),  # also the batches list: the batches index of the same shape (tailrun batch list's)
    Query(
        "web/src/viewer.js",
        'where("status", "==", filters.status)',
        "jobs",
        (("workspace_id", "ASCENDING"), ("status", "ASCENDING"), ("created_at", "DESCENDING")),
    ),
    Query(
        "web/src/viewer.js",
        'where("label_pairs", "array-contains", filters.label)',
        "jobs",
        (("workspace_id", "ASCENDING"), ("label_pairs", "CONTAINS"), ("created_at", "DESCENDING")),
    ),  # with the status too: workspace_id, status, label_pairs, created_at (tailrun jobs --status --label's)
    Query(
        "web/src/viewer.js", 'constraints.push(orderBy("created_at", "desc"))', "jobs"
    ),  # part of the above
    Query("web/src/viewer.js", 'scope(), orderBy("created_at", "desc"), limit(100)', "batches"),  # as above
    Query("web/src/viewer.js", 'where("member_uids", "array-contains", me.uid)', "workspaces"),  # one field
    Query("web/src/viewer.js", 'query(rowsRef, orderBy("row"))', "rows"),  # one field: automatic
    Query(
        "web/src/viewer.js", 'query(collection(ref, "rows"), orderBy("row"))', "rows"
    ),  # one field: automatic
    Query(
        "web/src/viewer.js",
        'where("attempt", "==", attempt), orderBy("seq")',
        "chunks",
        (("attempt", "ASCENDING"), ("seq", "ASCENDING")),
    ),
    Query(
        "web/src/viewer.js", 'collection(db, "jobs", jobId, "artifacts"), orderBy("created_at")', "artifacts"
    ),
    Query("functions/tailrun_functions/reaper.py", '.where(filter=active).order_by("__name__")', "jobs"),
    Query(
        "functions/tailrun_functions/callbacks.py",
        '.where(filter=FieldFilter("attempt", "==", attempt))',
        "chunks",
        (("attempt", "ASCENDING"), ("seq", "DESCENDING")),
    ),
    Query(
        "functions/tailrun_functions/callbacks.py",
        '.order_by("seq", direction=firestore.Query.DESCENDING)',
        "chunks",
    ),
    Query(
        "functions/tailrun_functions/callbacks.py",
        '.order_by("state.events", direction=firestore.Query.DESCENDING)',
        "chunks",
        (("attempt", "ASCENDING"), ("state.events", "DESCENDING")),
    ),
    Query(
        "functions/tailrun_functions/artifacts/access.py",
        'FieldFilter("name", "==", request.name)',
        "artifacts",
    ),
    Query(
        "functions/tailrun_functions/streams/job_output.py",
        '.where(filter=FieldFilter("attempt", "==", attempt))',
        "chunks",
        (("attempt", "ASCENDING"), ("seq", "ASCENDING")),
    ),
    Query(
        "functions/tailrun_functions/streams/job_output.py", '.order_by("seq")', "chunks"
    ),  # part of the above
    # batches (issue 15): the scheduler takes the lowest queued row; stop and retry sweep rows of some statuses
    Query(
        "functions/tailrun_functions/batches/scheduler.py",
        '.where(filter=FieldFilter("status", "==", RowStatus.QUEUED.value))',
        "rows",
        (("status", "ASCENDING"), ("row", "ASCENDING")),
    ),
    Query(
        "functions/tailrun_functions/batches/scheduler.py", '.order_by("row")', "rows"
    ),  # part of the above
    Query(
        "functions/tailrun_functions/batches/scheduler.py",
        '.where(filter=FieldFilter("stats_final", "==", False))',
        "batches",
    ),  # one equality, then __name__: automatic
    Query("functions/tailrun_functions/batches/scheduler.py", '.order_by("__name__")', "batches"),
    Query(
        "functions/tailrun_functions/batches/controls.py",
        '.where(filter=FieldFilter("status", "in", statuses))',
        "rows",
        (("status", "ASCENDING"), ("row", "ASCENDING")),
    ),
    Query("functions/tailrun_functions/batches/controls.py", '.order_by("row")', "rows"),  # part of the above
    # the event hub's listener on a batch's rows (issue 16): one order_by on one field, automatic
    Query("functions/tailrun_functions/streams/hub.py", '.order_by("row")', "rows"),
    Query(
        "functions/tailrun_functions/batches/stats.py",
        'rows.where(filter=FieldFilter("status", "==", status.value))',
        "rows",
    ),  # a count of one equality: automatic
    Query(
        "functions/tailrun_functions/batches/stats.py",
        'rows.where(filter=FieldFilter("status", "in", RAN_ROWS))',
        "rows",
        (("status", "ASCENDING"), ("duration_s", "ASCENDING")),
    ),  # avg(duration_s) is computed from an index holding the filter's field and the averaged one
    Query("functions/tailrun_functions/batches/export.py", '.order_by("__name__")', "rows"),
    Query(
        "tailrun/cli/batches.py",
        '.where(filter=FieldFilter("workspace_id", "==", workspaces.current(stack, workspace_id)))',
        "batches",
        (("workspace_id", "ASCENDING"), ("created_at", "DESCENDING")),
    ),  # tailrun batch list
    # workspaces (issue 14): the quotas' counts and delete's check (equalities only: served by merging the
    # single-field indexes, no composite index), the list of a user's workspaces (one array-contains: automatic)
    Query(
        "functions/tailrun_functions/workspaces/access.py",
        '.where(filter=FieldFilter("workspace_id", "==", workspace_id))',
        "jobs",
    ),
    Query(
        "functions/tailrun_functions/workspaces/access.py",
        '.where(filter=FieldFilter("status", "in", ACTIVE_JOB_STATUSES))',
        "jobs",
    ),
    Query(
        "functions/tailrun_functions/workspaces/access.py",
        '.where(filter=FieldFilter("status", "in", ACTIVE_BATCH_STATUSES))',
        "batches",
    ),
    Query(
        "functions/tailrun_functions/workspaces/manage.py",
        '.where(filter=FieldFilter("workspace_id", "==", workspace_id))',
        "jobs",
    ),  # and batches
    Query(
        "functions/tailrun_functions/workspaces/manage.py",
        '.where(filter=FieldFilter("status", "in", statuses))',
        "jobs",
    ),
    Query(
        "functions/tailrun_functions/workspaces/manage.py",
        "query = svc.db.collection(schema.WORKSPACES).where(",
        "workspaces",
    ),  # where member_uids array-contains uid: one field, automatic
    Query("tailrun/cli/batches.py", '.order_by("created_at", direction=Query.DESCENDING)', "batches"),
    Query("tailrun/cli/batches.py", 'collection(ROWS).order_by("row")', "rows"),  # one field: automatic
    # Documented for clients in functions/DATA_MODEL.md, built by no code here:
    Query(
        "functions/DATA_MODEL.md",
        "`batches` `where workspace_id == W order by created_at desc`",
        "batches",
        (("workspace_id", "ASCENDING"), ("created_at", "DESCENDING")),
    ),
    Query(
        "functions/DATA_MODEL.md",
        "`where attempt == n order by seq`",
        "chunks",
        (("attempt", "ASCENDING"), ("seq", "ASCENDING")),
    ),
    Query(
        "functions/DATA_MODEL.md",
        "`where workspace_id == W and parent_job_id == id order by created_at desc`",
        "jobs",
        (("workspace_id", "ASCENDING"), ("parent_job_id", "ASCENDING"), ("created_at", "DESCENDING")),
    ),
    Query(
        "functions/DATA_MODEL.md",
        '`where workspace_id == W and label_pairs array-contains "k=v" order by created_at desc`',
        "jobs",
        (("workspace_id", "ASCENDING"), ("label_pairs", "CONTAINS"), ("created_at", "DESCENDING")),
    ),
    Query(
        "functions/DATA_MODEL.md",
        '`where workspace_id == W and status == s and label_pairs array-contains "k=v" order by created_at desc`',
        "jobs",
        (
            ("workspace_id", "ASCENDING"),
            ("status", "ASCENDING"),
            ("label_pairs", "CONTAINS"),
            ("created_at", "DESCENDING"),
        ),
    ),
]
QUERY_SOURCES = ["functions/tailrun_functions/**/*.py", "tailrun/**/*.py", "web/src/*.js"]
QUERY_CALL = re.compile(r"\.where\(|\.order_by\(|\bwhere\(\s*\"|\borderBy\(")


def test_every_query_in_the_code_is_listed_with_the_index_it_needs() -> None:
    listed = {(q.where, q.snippet) for q in QUERIES}
    for pattern in QUERY_SOURCES:
        for path in sorted(ROOT.glob(pattern)):
            relative = str(path.relative_to(ROOT))
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if QUERY_CALL.search(line) and not line.lstrip().startswith(("#", "//", "*")):
                    assert any(where == relative and snippet in line for where, snippet in listed), (
                        f"{relative}:{number} builds a query this test does not know: {line.strip()!r}. "
                        "List it in QUERIES with the composite index it needs (and add the index to "
                        "infra/firestore.indexes.json)."
                    )
    for query in QUERIES:
        assert query.snippet in (ROOT / query.where).read_text(), f"{query} is no longer in {query.where}"


def composite(index: dict[str, Any]) -> tuple[str, tuple[tuple[str, str], ...]]:
    return index["collectionGroup"], tuple(
        (f["fieldPath"], f.get("order") or f["arrayConfig"]) for f in index["fields"]
    )


def test_every_index_a_query_needs_is_in_the_index_file_and_no_other() -> None:
    declared = {composite(index) for index in INDEXES["indexes"]}
    needed = {(q.collection, q.index) for q in QUERIES if q.index}
    assert needed <= declared, f"missing: {needed - declared}"
    assert declared <= needed, (
        f"indexes no query uses (each costs a write per document write): {declared - needed}"
    )


@pytest.mark.parametrize("index", INDEXES["indexes"], ids=lambda i: composite(i)[0])
def test_each_index_is_well_formed(index: dict[str, Any]) -> None:
    assert index["queryScope"] == "COLLECTION"
    assert len(index["fields"]) >= 2, "a one-field index is automatic; Firestore refuses it as a composite"
    for field in index["fields"]:
        assert (set(field) == {"fieldPath", "order"} and field["order"] in {"ASCENDING", "DESCENDING"}) or (
            set(field) == {"fieldPath", "arrayConfig"} and field["arrayConfig"] == "CONTAINS"
        )
    assert len({f["fieldPath"] for f in index["fields"]}) == len(index["fields"])


# --- IAM: every identity with only what it needs (checked on the Terraform text: `validate` needs providers) ---

TERRAFORM = {path.name: path.read_text() for path in (ROOT / "infra").glob("*.tf")}


def resources(kind: str) -> dict[str, str]:
    """The bodies of every ``resource "<kind>" "<name>" { ... }`` of infra/*.tf, by name (top-level braces)."""
    found: dict[str, str] = {}
    for text in TERRAFORM.values():
        for match in re.finditer(rf'resource "{kind}" "([^"]+)" \{{', text):
            depth, end = 1, match.end()
            while depth:
                depth += {"{": 1, "}": -1}.get(text[end], 0)
                end += 1
            found[match.group(1)] = text[match.end() : end - 1]
    return found


def members_of(account: str) -> str:
    return f'"serviceAccount:${{google_service_account.{account}.email}}"'


def test_the_runner_holds_no_role_at_all() -> None:
    """A job can use its runner's identity (the metadata server): it must be worth nothing beyond the claim of its
    own attempt, which needs no role. No logWriter: Cloud Run ships stdout without it."""
    bindings = {
        kind: resources(kind)
        for kind in (
            "google_project_iam_member",
            "google_project_iam_binding",
            "google_storage_bucket_iam_member",
            "google_cloud_run_v2_job_iam_member",
            "google_service_account_iam_member",
            "google_cloud_run_service_iam_member",
        )
    }
    for kind, found in bindings.items():
        for name, body in found.items():
            assert members_of("runner") not in body, f"{kind}.{name} grants the runner a role"
    roles = [role for text in TERRAFORM.values() for role in re.findall(r'role\s*=\s*"([^"]+)"', text)]
    assert roles and "roles/logging.logWriter" not in roles


def test_the_functions_may_run_read_and_cancel_the_runner_job_only() -> None:
    (binding,) = [
        body
        for body in resources("google_cloud_run_v2_job_iam_member").values()
        if members_of("functions") in body
    ]
    assert "google_cloud_run_v2_job.runner.name" in binding and '"roles/run.developer"' in binding
    project_roles = [
        re.search(r'role\s*=\s*"([^"]+)"', body).group(1)  # type: ignore[union-attr]
        for body in resources("google_project_iam_member").values()
        if members_of("functions") in body
    ]
    assert project_roles == ["roles/datastore.user"]


def test_the_functions_know_whose_id_token_may_claim_a_job() -> None:
    env = TERRAFORM["main.tf"]
    assert re.search(r"TAILRUN_RUNNER_SERVICE_ACCOUNT\s*=\s*google_service_account\.runner\.email", env)
    assert re.search(r'TAILRUN_LAUNCHER\s*=\s*"cloudrun"', env)
    assert "environment_variables            = local.function_env" in TERRAFORM["functions.tf"]


# --- every function deployed, and the web app's Hosting rewrites (web.tf) ---


def _terraform_list(variable: str) -> list[str]:
    """The default of a ``list(string)`` variable of infra/variables.tf."""
    match = re.search(
        rf'variable "{variable}" \{{.*?default\s*=\s*\[(.*?)\]', TERRAFORM["variables.tf"], flags=re.DOTALL
    )
    assert match, variable
    return re.findall(r'"([^"]+)"', match.group(1))


def test_every_entrypoint_of_main_py_is_deployed() -> None:
    main = (ROOT / "functions" / "main.py").read_text()
    entrypoints = re.findall(r"@functions_framework\.http\ndef (\w+)\(", main)
    assert len(entrypoints) > 20
    assert sorted(_terraform_list("http_functions")) == sorted(entrypoints)


def test_hosting_rewrites_every_public_function_but_the_streams() -> None:
    """Hosting holds a rewritten request 60 s at most: the streams stay on their own URLs; the page needs none."""
    web = TERRAFORM["web.tf"]
    assert re.search(
        r"web_functions\s*=\s*sort\(setsubtract\(var\.http_functions, concat\(var\.private_functions, "
        r"var\.streaming_functions\)\)\)",
        web,
    )
    assert "for name in local.web_functions" in web and 'functions_url = ""' in web
    called = set(re.findall(r'callFunction\("(\w+)"', (ROOT / "web" / "src" / "viewer.js").read_text()))
    public = set(_terraform_list("http_functions")) - set(_terraform_list("private_functions"))
    assert called and called <= public - set(_terraform_list("streaming_functions"))
