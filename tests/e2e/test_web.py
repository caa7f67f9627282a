"""The web front through HTTP (in process): catalogue search, tracking, login, inbox."""

from __future__ import annotations

import re
import unicodedata

import pytest
from fastapi.testclient import TestClient

from motcua.services import dossiers as uc
from motcua.web.app import create_app
from tests.personas import CITIZEN


@pytest.fixture
def client(app, world):
    return TestClient(create_app(app, "khoa-bi-mat-kiem-thu"))


@pytest.mark.parametrize("q", ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH",
                               unicodedata.normalize("NFD", "đăng ký khai sinh")])
def test_catalogue_search_ignores_diacritics_case_and_normal_form(client, q):
    page = client.get("/thu-tuc", params={"q": q})
    assert page.status_code == 200 and "Đăng ký khai sinh" in page.text
    api = client.get("/api/v1/procedures", params={"q": q}).json()
    assert [r["code"] for r in api["rows"]] == ["1.001193"]


def test_tracking_needs_the_last_four_digits_and_slows_then_blocks_guessers(app, world, client):
    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175", channel="desk",
                              applicant=CITIZEN, official=world["tiepnhan"])["code"]
    ok = client.get("/api/v1/tracking", params={"code": code, "last4": "5678"})
    assert ok.status_code == 200 and ok.json()["appointment"] == "2026-01-08T09:00:00+07:00"
    page = client.get("/tra-cuu", params={"ma": code, "so": "1234"})
    assert "Hẹn trả" in page.text and "09:00 08/01/2026" in page.text
    client.app.state.throttle.slow_after = 100  # keep the test quick; blocking is what we check
    for _ in range(10):
        bad = client.get("/api/v1/tracking", params={"code": code, "last4": "0000"})
        assert bad.status_code == 404 and bad.json()["error"]["code"] == "khong_tim_thay"
    blocked = client.get("/api/v1/tracking", params={"code": code, "last4": "5678"})
    assert blocked.status_code == 403 and "15 phút" in blocked.json()["error"]["message"]


def test_login_needs_the_csrf_token_and_shows_the_officials_inbox(app, world, client):
    uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175", channel="desk",
                       applicant=CITIZEN, official=world["tiepnhan"])
    assert client.get("/hop-thu", follow_redirects=False).status_code == 303
    form = client.get("/dang-nhap").text
    token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    refused = client.post("/dang-nhap", data={"username": "tiepnhan", "password": "mat-khau-demo",
                                             "csrf": "gia-mao"})
    assert refused.status_code == 400
    wrong = client.post("/dang-nhap", data={"username": "tiepnhan", "password": "sai",
                                           "csrf": token})
    assert wrong.status_code == 401 and "không đúng" in wrong.text
    done = client.post("/dang-nhap", data={"username": "tiepnhan", "password": "mat-khau-demo",
                                          "csrf": token})
    assert done.status_code == 200 and "Hồ sơ cần xử lý" in done.text
    assert "Phạm Thị Công Dân" in done.text


def test_api_errors_are_json_with_a_stable_code_and_no_500(client):
    assert client.get("/api/v1/dossiers/KHONG-CO").json()["error"]["code"] == "can_dang_nhap"
    bad = client.get("/api/v1/calendar/due", params={"from": "hôm qua"})
    assert bad.status_code == 422
    due = client.get("/api/v1/calendar/due", params={"from": "2026-01-09T15:30:00+07:00",
                                                     "days": 0, "cutoff": "15:00"}).json()
    assert due["appointment"] == "2026-01-10T17:30:00+07:00"
    assert client.get("/api/openapi.json").status_code == 200
