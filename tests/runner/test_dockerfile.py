"""The runner's Dockerfile, checked for what can be checked without a Docker engine.

The container must: start from a slim Python, run as a non-root user, make ``tailrun-runner`` PID 1 (exec-form
ENTRYPOINT, so Cloud Run's SIGTERM reaches the runner, which handles it and reaps children itself), keep output
unbuffered, COPY files that exist, and install a package that really provides the ``tailrun-runner`` script.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

CONTEXT = Path(__file__).resolve().parents[2] / "runner_container"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    text = (CONTEXT / "Dockerfile").read_text().replace("\\\n", " ")
    rows = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(row.split(None, 1)[0].upper(), row.split(None, 1)[1]) for row in rows]


def arguments(name: str) -> list[str]:
    return [args for instruction, args in instructions() if instruction == name]


def test_the_base_image_is_a_slim_python_311_or_later():
    (base,) = arguments("FROM")
    image, tag = base.split()[0].split(":")
    assert image == "python" and tag.endswith("-slim")
    assert tuple(map(int, tag.removesuffix("-slim").split("."))) >= (3, 11)


def test_the_container_runs_as_a_non_root_user():
    users = arguments("USER")
    assert users and users[-1] not in ("root", "0")
    assert [name for name, _ in instructions()].index("USER") > max(
        i for i, (name, _) in enumerate(instructions()) if name == "RUN"
    )


def test_the_entrypoint_is_the_runner_in_exec_form():
    (entrypoint,) = arguments("ENTRYPOINT")
    assert json.loads(entrypoint) == ["tailrun-runner"]  # exec form: the runner is PID 1 and gets SIGTERM
    assert arguments("CMD") == []


def test_the_stop_signal_is_the_one_the_runner_handles():
    # Cloud Run sends SIGTERM; a STOPSIGNAL (used by `docker stop`) must not ask for one the runner ignores.
    assert all(args.strip() in ("SIGTERM", "15", "SIGINT", "2") for args in arguments("STOPSIGNAL"))


def test_output_is_unbuffered():
    env = dict(pair.split("=", 1) for args in arguments("ENV") for pair in shlex.split(args))
    assert env["PYTHONUNBUFFERED"] == "1"


def test_every_copied_path_exists_in_the_build_context():
    copies = arguments("COPY")
    assert copies
    for args in copies:
        *sources, _destination = shlex.split(args)
        for source in sources:
            assert (CONTEXT / source).exists(), source


def test_the_context_builds_a_package_with_the_runner_script(tmp_path):
    # What the image's `pip install .` builds from, built here as a source distribution (no index needed).
    context = tmp_path / "context"
    shutil.copytree(CONTEXT, context, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    build = "import setuptools.build_meta as b, sys; print(b.build_sdist(sys.argv[1]))"
    done = subprocess.run(
        [sys.executable, "-c", build, str(tmp_path)], cwd=context, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    with tarfile.open(tmp_path / done.stdout.split()[-1]) as archive:
        names = archive.getnames()
        entry_points = member_text(archive, "egg-info/entry_points.txt")
        metadata = member_text(archive, "egg-info/PKG-INFO")
    assert any(name.endswith("tailrun_runner/__main__.py") for name in names)
    assert "tailrun-runner = tailrun_runner.__main__:main" in entry_points
    assert "Requires-Dist" not in metadata  # the standard library only


def member_text(archive: tarfile.TarFile, suffix: str) -> str:
    member = next(name for name in archive.getnames() if name.endswith(suffix))
    content = archive.extractfile(member)
    assert content is not None
    return content.read().decode()
