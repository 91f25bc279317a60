"""The job viewer in a real browser: headless Chromium runs the page and the Firebase JS SDK, which listens
through `tailrun dev`'s WebChannel front, and shows a job's output as it arrives, on one loaded page.

The page gets the development token as a user gives it: from the link `tailrun dev` prints (`/web/#token=…`).

Chromium comes from the system (`make test` installs Debian's `chromium` when it can; `TAILRUN_CHROMIUM` names
another binary); playwright-core (npm, `make node-deps`) drives it. Without a Chromium the test is skipped, except
in CI, where it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from tailrun_functions import clients
from tailrun_functions.schema import LOCAL_PROJECT

from tailrun.local.dev import DevProcess

from .stack import Cli, job_with_files
from .test_cli import detach
from .test_dev_rules import firestore_of

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
VISITS = Path(__file__).resolve().parent / "viewer_visits.mjs"


def token_link(dev_stack: DevProcess, query: str = "") -> str:
    """The viewer's address with the token in its fragment, as `tailrun dev` prints it."""
    token = (dev_stack.state_dir / "dev_token").read_text().strip()
    return f"{dev_stack.url}/web/{query}#token={token}"


def chromium() -> str:
    found = os.environ.get("TAILRUN_CHROMIUM") or next(
        (path for name in ("chromium", "chromium-browser", "google-chrome") if (path := shutil.which(name))),
        None,
    )
    if found is None:
        message = (
            "no Chromium: `apt-get install chromium` (make test does it as root) or set TAILRUN_CHROMIUM"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def test_the_viewer_shows_a_jobs_lines_live_as_they_arrive(
    cli: Cli, dev_stack: DevProcess, tmp_path: Path
) -> None:
    browser = chromium()
    release = tmp_path / "release"
    script = (
        "import pathlib, sys, time\n"
        "print('first line', flush=True)\n"
        "print('to stderr', file=sys.stderr, flush=True)\n"
        f"while not pathlib.Path({str(release)!r}).exists(): time.sleep(0.05)\n"
        "print('second line', flush=True)\n"
    )
    job_id = detach(cli, sys.executable, "-c", script)
    viewer = subprocess.Popen(
        [
            shutil.which("node") or "node",
            str(NODE_DIR / "watch_viewer.mjs"),
            browser,
            token_link(dev_stack, f"?job={job_id}"),
            "first line:running",
            "to stderr",
            "second line:succeeded",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert viewer.stdout is not None
        # the job is still waiting for the release
        assert viewer.stdout.readline().strip() == "SAW first line"
        assert viewer.stdout.readline().strip() == "SAW to stderr"
        release.touch()
        assert viewer.stdout.readline().strip() == "SAW second line"  # the same page, updated live
        assert viewer.wait(timeout=60) == 0
    finally:
        if viewer.poll() is None:
            viewer.kill()
        rest, errors = viewer.communicate()
        print(rest, errors[-3000:])


def test_the_viewer_lists_a_jobs_artifacts_and_the_files_it_could_not_upload(
    cli: Cli, dev_stack: DevProcess
) -> None:
    browser = chromium()
    files = {"table.csv": "a,b\n1,2\n", "page.html": "<p>x</p>"}
    with job_with_files(cli, files, ["*.csv", "*.html"]) as (job_id, folder):
        refused = f"not uploaded: {folder}/page.html (attempt 1): upload: 415 content type 'text/html' is not allowed"
        viewer = subprocess.run(
            [
                shutil.which("node") or "node",
                str(NODE_DIR / "watch_viewer.mjs"),
                browser,
                token_link(dev_stack, f"?job={job_id}"),
                f"#artifact-rows={folder}/table.csv",
                f"#artifact-failures={refused}",
            ],
            capture_output=True,
            text=True,
            timeout=90,
        )

    assert viewer.returncode == 0, viewer.stdout + viewer.stderr[-3000:]
    assert viewer.stdout.count("SAW ") == 2


def test_the_token_from_the_printed_link_is_kept_and_later_links_work(
    cli: Cli, dev_stack: DevProcess
) -> None:
    browser = chromium()
    job_id = detach(cli, sys.executable, "-c", "print('kept token')")
    token = (dev_stack.state_dir / "dev_token").read_text().strip()
    visits = subprocess.run(
        [
            shutil.which("node") or "node",
            str(VISITS),
            browser,
            f"{dev_stack.url}/web/#status=open the job viewer link",  # no token yet: the page says what to do
            f"{dev_stack.url}/web/?job=nope#token={token}#status=no such job (or not yours)",  # permission-denied
            f"{dev_stack.url}/web/?job={job_id}#output=kept token",
        ],  # a plain link, once the token is stored
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert visits.returncode == 0, visits.stdout + visits.stderr[-3000:]
    assert visits.stdout.count("SAW ") == 3
    assert f"URL {dev_stack.url}/web/?job={job_id}\n" in visits.stdout  # no token left in the address bar
    assert f"STORED {token}" in visits.stdout


def test_a_stale_token_is_refused_and_the_page_says_to_open_the_printed_link(
    cli: Cli, dev_stack: DevProcess
) -> None:
    browser = chromium()
    job_id = detach(cli, sys.executable, "-c", "print('not for a stale token')")
    visits = subprocess.run(
        [
            shutil.which("node") or "node",
            str(VISITS),
            browser,
            f"{dev_stack.url}/web/?job={job_id}#token=from-an-earlier-stack#status=open the job viewer link",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert visits.returncode == 0, visits.stdout + visits.stderr[-3000:]
    assert "not for a stale token" not in visits.stdout


def test_another_users_job_is_refused_to_the_viewer_by_the_rules(cli: Cli, dev_stack: DevProcess) -> None:
    """A job the server wrote for `bob` (with its output) is not `dev`'s: the emulator's rules refuse the SDK's
    listener, and the page says so, as it says for a job that does not exist."""
    browser = chromium()
    db = clients.firestore_client(LOCAL_PROJECT, firestore_of(dev_stack))
    job_id = f"bob-{uuid.uuid4().hex[:8]}"
    db.document(f"jobs/{job_id}").set({"owner": "bob", "status": "running", "argv": ["bob-secret-argv"]})
    db.document(f"jobs/{job_id}/chunks/c1").set({"lines": [{"line": 0, "text": "bob-secret-line"}]})
    db.close()
    token = (dev_stack.state_dir / "dev_token").read_text().strip()
    visits = subprocess.run(
        [
            shutil.which("node") or "node",
            str(VISITS),
            browser,
            f"{dev_stack.url}/web/?job={job_id}#token={token}#status=no such job (or not yours)",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert visits.returncode == 0, visits.stdout + visits.stderr[-3000:]
    assert visits.stdout.count("SAW ") == 1 and "bob-secret" not in visits.stdout
