"""functions/ deploys as is: main.py holds only the entrypoints, the logic never imports Flask, the domain never
imports the HTTP edge, no module writes the process environment, and every third-party module the source imports
comes from a distribution named in functions/requirements.txt."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import functions_framework
import pytest

from .conftest import TARGETS
from .shared import MAIN, ROOT

FUNCTIONS = ROOT / "functions"
PACKAGE = FUNCTIONS / "tailrun_functions"
SOURCES = [MAIN, *sorted(PACKAGE.rglob("*.py"))]
EDGE = PACKAGE / "edge.py"
# top-level import → the distribution that provides it; None: the standard library or the package itself
DISTRIBUTION = {
    "flask": "flask",
    "functions_framework": "functions-framework",
    "google.cloud.firestore": "google-cloud-firestore",
    "google.cloud.firestore_v1": "google-cloud-firestore",
    "google.cloud.run_v2": "google-cloud-run",
    "google.cloud.storage": "google-cloud-storage",
    "google.auth": "google-auth",
    "google.oauth2": "google-auth",
    "google.api_core": "google-cloud-firestore",  # comes with every google-cloud client
    "google.protobuf": "google-cloud-firestore",  # likewise
    "pydantic": "pydantic",
    "cryptography": "cryptography",
    "requests": "requests",
}


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found |= {f"{node.module}.{alias.name}" for alias in node.names} | {node.module}
    return found


def third_party(name: str) -> str | None:
    """The distribution of an imported name, None for the standard library and tailrun_functions."""
    top = name.split(".")[0]
    if top in ("tailrun_functions", "__future__") or top in sys.stdlib_module_names:
        return None
    for prefix in sorted(DISTRIBUTION, key=len, reverse=True):
        if name == prefix or name.startswith(prefix + "."):
            return DISTRIBUTION[prefix]
    if name in ("google", "google.cloud"):
        return None  # the namespace packages themselves, when imported as `from google.cloud import x`
    raise AssertionError(f"{name} is imported by functions/ but this test does not know its distribution")


def required() -> set[str]:
    names = set()
    for line in (FUNCTIONS / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            names.add(re.split(r"[<>=!~\[; ]", line, maxsplit=1)[0].lower())
    return names


def source_id(path: Path) -> str:
    return str(path.relative_to(FUNCTIONS))


@pytest.mark.parametrize("path", SOURCES, ids=source_id)
def test_every_third_party_import_is_a_requirement(path: Path) -> None:
    needed = {third_party(name) for name in imports(path)} - {None}
    assert needed <= required(), f"{path.name} needs {needed - required()} in functions/requirements.txt"


@pytest.mark.parametrize("path", SOURCES[1:], ids=source_id)
def test_the_logic_never_imports_flask(path: Path) -> None:
    assert not {name for name in imports(path) if name.split(".")[0] in ("flask", "werkzeug")}


@pytest.mark.parametrize("path", [p for p in SOURCES[1:] if p != EDGE], ids=source_id)
def test_the_domain_never_imports_the_edge(path: Path) -> None:
    assert "tailrun_functions.edge" not in imports(path), f"{source_id(path)} imports the HTTP edge"


def writes_the_environment(source: str) -> list[int]:
    """Lines that assign to, delete from or update ``os.environ`` (or call ``os.putenv``/``os.unsetenv``)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign | ast.AugAssign | ast.Delete):
            targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            mutators = ("update", "setdefault", "pop", "clear", "popitem", "putenv", "unsetenv")
            if node.func.attr in mutators:
                targets = [node.func.value if node.func.attr not in ("putenv", "unsetenv") else node.func]
        for target in targets:
            text = ast.unparse(target)
            if text.startswith(("os.environ", "os.putenv", "os.unsetenv")):
                lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("path", SOURCES, ids=source_id)
def test_no_module_writes_the_process_environment(path: Path) -> None:
    written = writes_the_environment(path.read_text())
    assert written == [], f"{source_id(path)} writes os.environ (lines {written}): configure by argument"


def test_the_environment_check_sees_a_write() -> None:
    import textwrap

    probe = textwrap.dedent(
        """
        import os
        os.environ["A"] = "1"
        os.environ.update(B="2")
        os.putenv("C", "3")
        value = os.environ.get("D")
        """
    )
    assert writes_the_environment(probe) == [3, 4, 5]


def test_main_holds_only_the_entrypoints() -> None:
    tree = ast.parse(MAIN.read_text())
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert {f.name for f in functions} >= set(TARGETS)
    for function in functions:
        assert [ast.unparse(d) for d in function.decorator_list] == ["functions_framework.http"]
        body = [
            n for n in function.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))
        ]
        assert len(body) == 1 and isinstance(body[0], ast.Return), f"{function.name} does more than delegate"
    assert all(isinstance(n, ast.Import | ast.ImportFrom | ast.FunctionDef | ast.Expr) for n in tree.body)


def test_every_entrypoint_loads_by_name() -> None:
    for target in TARGETS:
        assert functions_framework.create_app(target, source=str(MAIN)) is not None
