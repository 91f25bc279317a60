"""The web app (web/) in a real browser: headless Chromium (playwright-core with the system's Chromium) runs the page
and the Firebase JS SDK against a real `tailrun dev` (emulators, functions, runners, the WebChannel front), and
every page and control is used as a user would: the log viewer on a finished and a running job, attempts, cancel
and retry, the jobs table, a batch's live view with pause, resume, concurrency, stop, retry and export, a batch
completing in two tabs, artifacts previewed, approved and rejected, the create form, phone width and keyboard.

Each scenario is in web_pages.mjs; a failing one saves a screenshot of the page (TAILRUN_WEB_SHOTS, else the
test's temporary folder) and prints its path. Without a Chromium the tests are skipped, except in CI.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import shutil
import struct
import subprocess
import sys
import urllib.request
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli.stack import Cli
from cli.test_viewer_browser import chromium

from tailrun.local.dev import DevProcess

HERE = Path(__file__).resolve().parent
DRIVER = HERE / "web_pages.mjs"
WEB = HERE.parents[1] / "web"
BUNDLE_BUDGET_BYTES = 300 * 1024  # the whole bundle, gzipped (the seeds' budget)
PY = sys.executable


def drive(stack: DevProcess, scenario: str, tmp_path: Path, **args: Any) -> str:
    """Runs one scenario of web_pages.mjs; its report (`OK …` lines), or fails with it and the screenshot."""
    shots = Path(os.environ.get("TAILRUN_WEB_SHOTS") or tmp_path)
    token = (stack.state_dir / "dev_token").read_text().strip()
    answer = subprocess.run(
        [
            shutil.which("node") or "node",
            str(DRIVER),
            scenario,
            json.dumps({"base": stack.url, "token": token, **args}),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "TAILRUN_CHROMIUM": chromium(), "TAILRUN_WEB_SHOTS": str(shots)},
    )
    assert answer.returncode == 0, (
        f"{answer.stdout}\nscreenshot: {shots / f'{scenario}.png'}\n{answer.stderr[-3000:]}"
    )
    return answer.stdout


def detach(cli: Cli, *command: str, flags: tuple[str, ...] = ()) -> str:
    answer = cli("run", "--detach", *flags, "--", *command)
    assert answer.returncode == 0, answer.stderr
    return answer.stdout.strip()


def call(stack: DevProcess, name: str, body: dict[str, Any]) -> dict[str, Any]:
    token = (stack.state_dir / "dev_token").read_text().strip()
    request = urllib.request.Request(
        f"{stack.url}/{name}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        result: dict[str, Any] = json.loads(response.read())
        return result


def wait_for(cli: Cli, job_id: str) -> None:
    """Until the job has ended (`tailrun wait`-like: `tailrun logs -f` returns when it ends)."""
    answer = cli("logs", job_id, "-f", timeout=60)
    assert answer.returncode in (0, 1), answer.stderr


LOG_SCRIPT = (
    "print('\\x1b[31mred\\x1b[0m and \\x1b[38;5;82mgreen256\\x1b[0m \\x1b[38;2;10;20;250mtrue\\x1b[0m "
    "https://example.com/x \\x1b]8;;https://example.org/docs\\x1b\\\\docs\\x1b]8;;\\x1b\\\\')\n"
    "print('\\x1b[1;33myellow start')\n"
    "print('carried yellow')\n"
    "print('\\x1b[0mafter reset')\n"
    "print('::group::Setup')\n"
    "for i in range(30): print('setup line', i)\n"
    "print('::endgroup::')\n"
    "print('::error file=a.py,line=3::something broke')\n"
    "for i in range(300): print('line', i)\n"
)


def test_the_log_viewer_on_a_finished_job(web_cli: Cli, web_stack: DevProcess, tmp_path: Path) -> None:
    job_id = detach(web_cli, PY, "-c", LOG_SCRIPT)
    wait_for(web_cli, job_id)
    report = drive(web_stack, "log", tmp_path, job=job_id)
    assert "OK clicking a line number makes its permalink" in report


def test_a_running_job_follows_pauses_cancels_and_retries(
    web_cli: Cli, web_stack: DevProcess, tmp_path: Path
) -> None:
    release = tmp_path / "release"
    script = (
        "import pathlib, time\n"
        "for i in range(60): print('tick', i, flush=True)\n"
        f"while not pathlib.Path({str(release)!r}).exists(): time.sleep(0.05)\n"
        "for i in range(20): print('more', i, flush=True)\n"
        "while True: time.sleep(0.05)\n"
    )
    job_id = detach(web_cli, PY, "-c", script)
    report = drive(web_stack, "live", tmp_path, job=job_id, release=str(release))
    assert "OK cancel works" in report and "OK the new job page" in report


def test_every_attempts_output_is_reachable(web_cli: Cli, web_stack: DevProcess, tmp_path: Path) -> None:
    marker = tmp_path / "tried"
    script = (
        "import pathlib, sys\n"
        f"m = pathlib.Path({str(marker)!r})\n"
        "if not m.exists():\n    m.touch(); print('first try'); sys.exit(1)\n"
        "print('second try')\n"
    )
    job_id = detach(web_cli, PY, "-c", script, flags=("--max-attempts", "2"))
    wait_for(web_cli, job_id)
    drive(web_stack, "attempts", tmp_path, job=job_id)


def test_the_jobs_table_is_live_filtered_and_paged(
    web_cli: Cli, web_stack: DevProcess, tmp_path: Path
) -> None:
    label = f"suite={uuid.uuid4().hex[:8]}"
    for code in (0, 0, 1):
        wait_for(web_cli, detach(web_cli, PY, "-c", f"raise SystemExit({code})", flags=("-l", label)))
    release = tmp_path / "release"
    marker = f"marker-{uuid.uuid4().hex[:6]}"
    script = f"import pathlib, time\nwhile not pathlib.Path({str(release)!r}).exists(): time.sleep(0.05)\n"
    detach(web_cli, PY, "-c", script, marker)
    drive(web_stack, "jobs", tmp_path, label=label, marker=marker, release=str(release))


def batch_script(release: Path, failing: str = "") -> list[str]:
    code = (
        "import pathlib, sys, time\n"
        f"if sys.argv[1] == {failing!r}: sys.exit(3)\n"
        "print('::step working on ' + sys.argv[1], flush=True)\n"
        f"while not pathlib.Path({str(release)!r}).exists(): time.sleep(0.05)\n"
    )
    return [PY, "-c", code, "{name}"]


def test_the_batch_view_and_its_controls(web_stack: DevProcess, tmp_path: Path) -> None:
    release = tmp_path / "never"  # the rows wait until the batch is stopped
    csv = "name\n" + "".join(f"row{i}\n" for i in range(4))
    batch = call(
        web_stack,
        "create_batch",
        {"csv": csv, "argv": batch_script(release, failing="row0"), "concurrency": 1},
    )
    report = drive(web_stack, "batch", tmp_path, batch=batch["batch_id"])
    assert "OK export" in report and "OK retry failed rows" in report


def test_a_batch_of_more_rows_than_the_first_page_shows_them_all(
    web_stack: DevProcess, tmp_path: Path
) -> None:
    """The results table reads its rows in pages (a first one of 50); rows beyond it arrive, in order."""
    release = tmp_path / "never"
    rows = 130
    csv = "name\n" + "".join(f"row{i}\n" for i in range(rows))
    batch = call(web_stack, "create_batch", {"csv": csv, "argv": batch_script(release), "concurrency": 1})
    try:
        report = drive(web_stack, "batch_pages", tmp_path, batch=batch["batch_id"], rows=rows)
    finally:
        call(web_stack, "stop_batch", {"batch_id": batch["batch_id"], "cancel_running": True})
    assert "OK rows in order" in report


def test_a_batch_completing_is_announced_in_every_tab(web_stack: DevProcess, tmp_path: Path) -> None:
    release = tmp_path / "release"
    csv = "name\na\nb\nc\n"
    batch = call(web_stack, "create_batch", {"csv": csv, "argv": batch_script(release), "concurrency": 3})
    drive(web_stack, "completes", tmp_path, batch=batch["batch_id"], release=str(release))


def png(width: int, height: int) -> bytes:
    """A red PNG image of that size (the smallest valid encoding: 8-bit RGB rows, one zlib stream)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@contextlib.contextmanager
def job_with_binary_files(cli: Cli, files: dict[str, bytes]) -> Iterator[tuple[str, str]]:
    """As cli.stack.job_with_files, with bytes (an image): a detached job writes ``files`` into a new folder of its
    working directory and keeps each as an artifact; yields the job id and the folder, then removes the folder."""
    folder = Path.cwd() / f".tailrun-test-{uuid.uuid4().hex[:8]}"
    script = f"import pathlib; d = pathlib.Path({folder.name!r}); d.mkdir()\n" + "".join(
        f"(d / {name!r}).write_bytes({data!r})\n" for name, data in files.items()
    )
    flags = [arg for name in files for arg in ("-a", f"{folder.name}/{name}")]
    try:
        yield detach(cli, PY, "-c", script, flags=tuple(flags)), folder.name
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_artifacts_are_previewed_and_reviewed_in_the_page(
    web_cli: Cli, web_stack: DevProcess, tmp_path: Path
) -> None:
    """Each preview kind fetches the artifact's signed URL from the page, as deployed: the local storage emulator
    answers CORS as the deployed bucket does (tailrun/local/storage_emulator.py), so nothing here patches it."""
    files = {
        "table.csv": b"a,b\n1,2\n",
        "notes.md": b"# Title\n\n**bold** text <script>alert(1)</script> <img src=x onerror=alert(2)>\n",
        "plain.txt": b"first line of the text\nsecond line\n",
        "dot.png": png(40, 30),
    }
    with job_with_binary_files(web_cli, files) as (job_id, folder):
        wait_for(web_cli, job_id)
        drive(
            web_stack,
            "artifacts",
            tmp_path,
            job=job_id,
            csv=f"{folder}/table.csv",
            md=f"{folder}/notes.md",
            txt=f"{folder}/plain.txt",
            png=f"{folder}/dot.png",
        )


def test_a_job_and_a_batch_are_created_from_the_page(web_stack: DevProcess, tmp_path: Path) -> None:
    drive(web_stack, "create", tmp_path, python=PY)


def test_phone_width_and_keyboard(web_cli: Cli, web_stack: DevProcess, tmp_path: Path) -> None:
    job_id = detach(web_cli, PY, "-c", "print('hello')")
    wait_for(web_cli, job_id)
    drive(web_stack, "phone", tmp_path, job=job_id, viewport={"width": 390, "height": 844})


def test_the_committed_bundle_is_within_its_budget_and_served() -> None:
    files = sorted((WEB / "bundle").rglob("*.js"))
    assert files, "web/bundle is empty: run `npm run build` in web/"
    gzipped = sum(len(gzip.compress(path.read_bytes(), compresslevel=9)) for path in files)
    assert gzipped <= BUNDLE_BUDGET_BYTES, (
        f"the bundle is {gzipped} bytes gzipped, over {BUNDLE_BUDGET_BYTES}"
    )
    html = (WEB / "index.html").read_text()
    assert 'src="bundle/viewer.js"' in html


def test_the_bundle_is_built_from_the_sources() -> None:
    """The committed bundle is what `npm run build` makes of web/src (skipped where web/node_modules is absent)."""
    if not (WEB / "node_modules" / ".bin" / "esbuild").exists():
        pytest.skip("web/node_modules is not installed (cd web && npm ci)")
    out = Path(subprocess.run(["mktemp", "-d"], capture_output=True, text=True, check=True).stdout.strip())
    try:
        subprocess.run(
            [
                str(WEB / "node_modules" / ".bin" / "esbuild"),
                "src/viewer.js",
                "--bundle",
                "--splitting",
                "--format=esm",
                "--minify",
                "--target=es2022",
                f"--outdir={out}",
                "--entry-names=[name]",
                "--chunk-names=chunks/[name]-[hash]",
                "--legal-comments=none",
            ],
            cwd=WEB,
            check=True,
            capture_output=True,
        )
        built = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*.js")}
        committed = {
            str(p.relative_to(WEB / "bundle")): p.read_bytes() for p in (WEB / "bundle").rglob("*.js")
        }
        assert built == committed, "web/bundle is stale: run `npm run build` in web/ and commit it"
    finally:
        shutil.rmtree(out)
