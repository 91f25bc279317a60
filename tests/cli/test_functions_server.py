"""The local server serves every HTTP function of a main.py at /<name> and answers everything else in JSON."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tailrun.local.functions_server import create_app, load_http_functions

SCENARIO = Path(__file__).parent / "scenario_functions" / "main.py"


@pytest.fixture
def client() -> FlaskClient:
    functions = load_http_functions(SCENARIO)
    app = create_app(
        functions, config={"project": "p", "state_dir": "/somewhere"}, config_path="/_tailrun/config"
    )
    return app.test_client()


def test_discovers_only_the_decorated_functions() -> None:
    assert sorted(load_http_functions(SCENARIO)) == ["echo", "explode"]


def test_each_function_answers_at_its_name(client: FlaskClient) -> None:
    answer = client.post("/echo", json={"x": 1})
    assert answer.status_code == 200
    assert answer.get_json() == {"method": "POST", "body": {"x": 1}, "via": "helper"}


def test_an_unknown_path_is_a_json_404(client: FlaskClient) -> None:
    answer = client.post("/not_a_function_endpoint")
    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "not_found"


def test_a_crashing_function_answers_json_not_a_html_page(client: FlaskClient) -> None:
    answer = client.post("/explode")
    assert answer.status_code == 500
    assert answer.get_json() == {"error": {"code": "internal", "message": "internal error: RuntimeError"}}


def test_the_configuration_is_served_to_loopback_clients_only(client: FlaskClient) -> None:
    assert client.get("/_tailrun/config").get_json()["state_dir"] == "/somewhere"
    remote = client.get("/_tailrun/config", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert remote.status_code == 403
    assert "somewhere" not in remote.get_data(as_text=True)


def test_a_missing_source_is_named() -> None:
    with pytest.raises(FileNotFoundError, match=re.escape("/nowhere/main.py")):
        load_http_functions(Path("/nowhere/main.py"))
