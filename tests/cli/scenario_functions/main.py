"""A tiny functions source for the local server's tests: two HTTP entrypoints and a helper that is not one."""

from __future__ import annotations

import functions_framework
import helper  # a sibling module: importable because the server puts this folder on sys.path


@functions_framework.http
def echo(request):  # type: ignore[no-untyped-def]
    return {"method": request.method, "body": request.get_json(silent=True), "via": helper.NAME}, 200


@functions_framework.http
def explode(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("boom")


def not_a_function_endpoint(request):  # type: ignore[no-untyped-def]
    return "never served"
