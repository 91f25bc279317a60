"""The README's Configuration section names every environment variable the code reads."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("tailrun", "functions", "runner_container", "firestore_emulator")
VARIABLE = re.compile(
    r"^(TAILRUN_[A-Z0-9_]+|[A-Z_]+_EMULATOR_HOST|GOOGLE_CLOUD_PROJECT|GCLOUD_PROJECT|CLOUD_RUN_[A-Z_]+)$"
)


def variables_in_code() -> set[str]:
    """Every string constant in the product's Python that is an environment variable's name."""
    found: set[str] = set()
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            if "node_modules" in path.parts or ".venv" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and VARIABLE.match(node.value)
                ):
                    found.add(node.value)
    return found


def configuration_section() -> str:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("## Configuration")
    end = readme.index("\n## ", start + 1)
    return readme[start:end]


def test_the_readme_documents_every_environment_variable_the_code_reads() -> None:
    variables = variables_in_code()
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", configuration_section()))

    assert {"TAILRUN_URL", "TAILRUN_BUCKET", "TAILRUN_HEARTBEAT_S", "TAILRUN_ARTIFACTS"} <= variables
    assert sorted(variables - documented) == []
