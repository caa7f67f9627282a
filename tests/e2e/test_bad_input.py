"""Every route, walked with a table of bad values: never a 5xx, always a 4xx with a
Vietnamese message (issue 15, part 4). Bounded: one value table, each parameter alone."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from motcua.services import dossiers as uc
from motcua.services.officials import create_official
from motcua.web.app import create_app
from tests.e2e.test_web import login
from tests.personas import CITIZEN

BAD = ["xyz", "²", "01/01/0001", "9" * 25, "-1", "' OR 1=1 --", "<script>x</script>",
       "a" * 5000, " ".join(["đăng ký"] * 800), "\u0000", "2026-13-45", "0"]
VIETNAMESE = re.compile(r"[\u00c0-\u1ef9]")  # a letter with a Vietnamese diacritic


@pytest.fixture
def walker(app, world):
    create_official(app, username="quantri", full_name="Quản Trị Toàn Quyền",
                    password="mat-khau-demo",
                    roles=[("24175", r) for r in ("desk", "specialist", "head", "signer",
                                                  "admin")])
    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                              channel="desk", applicant=CITIZEN, official=world["tiepnhan"]).code
    client = TestClient(create_app(app, "k" * 32), raise_server_exceptions=False)
    csrf = login(client, "quantri")
    return client, csrf, code


def _routes(app):
    from motcua.web import api, cchc, citizen, dashboard, officials

    routes = [r for m in (api, cchc, citizen, dashboard, officials) for r in m.router.routes]
    for route in routes:
        if isinstance(route, APIRoute) and route.path not in ("/dang-xuat",):
            for method in sorted(route.methods - {"HEAD"}):
                yield route, method


def _problem(response, where: str) -> str | None:
    if response.status_code >= 500:
        return f"{where}: {response.status_code} {response.text[:200]}"
    if response.status_code >= 400:
        if "json" in response.headers.get("content-type", ""):
            text = response.json()["error"]["message"]
        else:
            text = response.text
        if not VIETNAMESE.search(text):
            return f"{where}: no Vietnamese message: {text[:200]}"
    return None


def _path(route, code: str, override: dict | None = None) -> str:
    values = {"code": code, "fmt": "xlsx", "kind": "on-time", "year": "2026", "form": "01",
              "attachment_id": "1", "unit_code": "24175", "action": "complete_step"}
    values.update(override or {})
    return re.sub(r"{(\w+)(:\w+)?}", lambda m: values.get(m.group(1), "1"), route.path)


def _described_body(route) -> list[str]:
    """The fields of a body a route reads itself (described in its ``openapi_extra``)."""
    body = (route.openapi_extra or {}).get("requestBody", {})
    schema = body.get("content", {}).get("application/json", {}).get("schema", {})
    return list(schema.get("properties", {}))


def test_every_route_answers_bad_values_with_a_4xx_in_vietnamese(walker):
    client, csrf, code = walker
    checked = 0
    problems: list[str] = []

    def _check(response, where: str) -> None:
        problem = _problem(response, where)
        if problem and len(problems) < 40:
            problems.append(problem)

    for route, method in _routes(client.app):
        dep = route.dependant
        queries = [p.alias for p in dep.query_params]
        bodies = [p.alias for p in dep.body_params] or _described_body(route)
        headers = {"X-CSRF-Token": csrf}
        for name in [p.name for p in dep.path_params]:
            for value in BAD[:8]:
                url = _path(route, code, {name: value.replace("/", "%2F")})
                r = client.request(method, url, headers=headers,
                                   data={"csrf": csrf} if method == "POST" else None)
                _check(r, f"{method} {url[:80]}")
                checked += 1
        for name in queries:
            for value in BAD:
                r = client.request(method, _path(route, code), params={name: value},
                                   headers=headers)
                _check(r, f"{method} {route.path}?{name}={value[:20]}")
                checked += 1
        if method == "POST" and bodies:
            for value in BAD:
                form = {name: value for name in bodies if name not in ("files", "file")}
                form["csrf"] = csrf
                r = client.request(method, _path(route, code), data=form, headers=headers)
                _check(r, f"{method} {route.path} form={value[:20]}")
                r = client.request(method, _path(route, code), json={n: value for n in bodies},
                                   headers=headers)
                _check(r, f"{method} {route.path} json={value[:20]}")
                checked += 2
    assert problems == [], "\n".join(problems)
    assert checked > 500
