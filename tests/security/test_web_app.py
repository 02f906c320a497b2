"""The web app under hostile requests: schemathesis on its OpenAPI schema, body-size and
write-rate limits, console routes without a session, odd bodies on the storefront forms.

Runs against the web app of the running product (uvicorn on a free port, the shop in
PostgreSQL); the limit middleware is also checked in-process on a tiny app with small limits.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from bot.web.limits import RequestLimits


@pytest.mark.e2e
def test_api_never_answers_with_a_server_error(running_stack: Any) -> None:
    """schemathesis cases (valid and invalid) for every operation in /openapi.json."""
    from hypothesis import given
    from hypothesis import strategies as st
    from schemathesis import GenerationMode

    schema = schemathesis.openapi.from_url(f"{running_stack.web_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the schema lists no operations"
    strategies = [op.as_strategy(generation_mode=GenerationMode.POSITIVE) for op in operations]
    # invalid inputs only exist for operations that take any (GET /health takes none)
    strategies += [
        op.as_strategy(generation_mode=GenerationMode.NEGATIVE)
        for op in operations
        if list(op.iter_parameters()) or list(op.body)
    ]
    seen: set[str] = set()

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def check(data: Any) -> None:
        for strategy in strategies:
            case = data.draw(strategy)
            response = case.call(timeout=30)
            seen.add(f"{case.method} {case.path}")
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} -> {response.status_code}: "
                f"{response.text[:300]}"
            )
            assert "Traceback" not in response.text

    check()
    assert len(seen) == len(operations)


@pytest.mark.e2e
@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/console/"),
        ("GET", "/console/api/conversations"),
        ("GET", "/console/conversations/1"),
        ("GET", "/console/api/conversations/1"),
        ("POST", "/console/conversations/1/reveal"),
        ("POST", "/console/conversations/1/tags"),
        ("POST", "/console/customers/delete"),
        ("POST", "/console/handoffs/1/take"),
    ],
)
def test_console_routes_need_a_session(running_stack: Any, method: str, path: str) -> None:
    response = httpx.request(method, f"{running_stack.web_url}{path}", follow_redirects=False)
    assert response.status_code in (401, 403, 303, 307), (path, response.status_code)


@pytest.mark.e2e
@pytest.mark.parametrize(
    "body",
    [
        b"email=%27+OR+1%3D1+--&password=x",
        b"email=" + b"a" * 200_000,
        b"\xff\xfe\x00garbage",
        b"email=<script>alert(1)</script>",
    ],
)
def test_sign_in_form_survives_odd_bodies(running_stack: Any, body: bytes) -> None:
    response = httpx.post(
        f"{running_stack.web_url}/sign-in",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert response.status_code < 500, response.text[:300]
    assert "<script>alert(1)</script>" not in response.text


@pytest.mark.e2e
def test_bodies_over_the_limit_get_413(running_stack: Any) -> None:
    response = httpx.post(
        f"{running_stack.web_url}/sign-in",
        content=b"x" * (2 << 20),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


def _tiny_app(**limits: Any) -> TestClient:
    app = FastAPI()

    @app.post("/echo")
    async def echo(body: dict[str, Any]) -> dict[str, Any]:
        return body

    @app.get("/ping")
    def ping() -> dict[str, str]:
        return {"ok": "yes"}

    app.add_middleware(RequestLimits, **limits)
    return TestClient(app)


def test_write_rate_limit_per_client() -> None:
    client = _tiny_app(write_limit=3, window_s=60)
    codes = [client.post("/echo", json={"n": i}).status_code for i in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    assert client.post("/echo", json={}).headers["retry-after"] == "60"
    assert client.get("/ping").status_code == 200  # reads are not limited


def test_streamed_body_over_the_limit_is_cut_off() -> None:
    client = _tiny_app(max_body_bytes=1000)

    def chunks():  # no Content-Length: the middleware has to count
        for _ in range(10):
            yield b"x" * 500

    response = client.post("/echo", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert client.post("/echo", json={"small": True}).status_code == 200
