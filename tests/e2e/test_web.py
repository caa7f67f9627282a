"""The web front through HTTP (in process): catalogue search, tracking, login, inbox."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from motcua.domain.commands import (
    Attach,
    CompleteStep,
    RequestCorrection,
    RequestSupplement,
    Supplement,
)
from motcua.domain.documents import Upload
from motcua.serialize import to_json
from motcua.services import dossiers as uc
from motcua.services.officials import create_api_token, create_official, revoke_api_tokens
from motcua.storage.db import make_engine
from motcua.web import api
from motcua.web.app import create_app
from motcua.web.common import RequestOnlyRoute, refuse_nul
from tests.conftest import vn
from tests.personas import BIRTH, CITIZEN


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


def track_page(client, code: str, digits: str):
    """The citizen's look-up as a browser sends it: the form's token, then a POST."""
    form = client.get("/tra-cuu", params={"ma": code}).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    return client.post("/tra-cuu", data={"csrf": csrf, "ma": code, "so": digits})


def test_tracking_needs_the_last_four_digits_and_slows_then_blocks_guessers(app, world, client):
    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175", channel="desk",
                              applicant=CITIZEN, official=world["tiepnhan"]).code
    ok = client.post("/api/v1/tracking", json={"code": code, "last4": "5678"})
    assert ok.status_code == 200 and ok.json()["appointment"] == "2026-01-08T09:00:00+07:00"
    page = track_page(client, code, "1234")
    assert "Hẹn trả" in page.text and "09:00 08/01/2026" in page.text
    assert page.headers["cache-control"] == "private, no-store"
    # the digits never come from the address: a link with them only shows the form
    linked = client.get("/tra-cuu", params={"ma": code, "so": "1234"})
    assert "Hẹn trả" not in linked.text and f'value="{code}"' in linked.text
    for _ in range(10):
        bad = client.post("/api/v1/tracking", json={"code": code, "last4": "0000"})
        assert bad.status_code == 404 and bad.json()["error"]["code"] == "khong_tim_thay"
    blocked = client.post("/api/v1/tracking", json={"code": code, "last4": "5678"})
    assert blocked.status_code == 429 and "15 phút" in blocked.json()["error"]["message"]


def test_a_bad_tracking_body_is_a_422_that_names_the_field(client):
    """The look-up's body is read by pydantic-core directly (the busiest public route):
    a bad one is answered as FastAPI's own body parameters are, and the OpenAPI still
    describes it."""
    json, form = "application/json", "application/x-www-form-urlencoded"
    cases = [(json, b"{not json", "nội dung gửi lên (JSON)"),
             (json, b"", "nội dung gửi lên (JSON)"),
             (json, b'{"code": "X"}', "4 số cuối"),
             (json, b'{"code": "X", "last4": "123456"}', "4 số cuối"),
             (json, b'{"code": 5, "last4": "1234"}', "mã hồ sơ"),
             (json, b"[1, 2]", "nội dung gửi lên"),
             (form, b"code=X&last4=1234", "nội dung gửi lên (JSON)"),
             (json, b'{"code": "X\\u0000", "last4": "1234"}', "ký tự NUL")]
    for content_type, body, label in cases:
        r = client.post("/api/v1/tracking", content=body, headers={"Content-Type": content_type})
        error = r.json()["error"]
        assert r.status_code == 422 and error["code"] == "du_lieu_khong_hop_le", body
        assert label in error["message"], (body, error["message"])
    schema = client.get("/api/openapi.json").json()["paths"]["/api/v1/tracking"]["post"]
    fields = schema["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert set(fields) == {"code", "last4"} and schema["requestBody"]["required"] is True


def test_the_app_has_one_dependency_which_the_look_up_awaits_itself(client):
    """The look-up route is called without FastAPI's dependency solving
    (``RequestOnlyRoute``), awaiting the app's one dependency, the NUL check, itself: a
    dependency added to the app would pass it by, so the app keeps that one alone."""
    assert [d.dependency for d in client.app.router.dependencies] == [refuse_nul]
    route = next(r for r in api.router.routes if r.path == "/api/v1/tracking")
    assert isinstance(route, RequestOnlyRoute)


def test_a_kept_tracking_view_shows_every_change_at_the_next_look_up(app, world, client):
    """The public view is kept by the process under the dossier's version: a change shows
    at once, and wrong guesses still count while a right one is kept."""
    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175", channel="desk",
                              applicant=CITIZEN, official=world["tiepnhan"]).code
    first = client.post("/api/v1/tracking", json={"code": code.lower(), "last4": "5678"}).json()
    assert first["current_step"] == 1 and first["status"] == "in_progress"
    uc.act(app, code, RequestSupplement(["Giấy chứng sinh bản chính"]), world["tiepnhan"])
    paused = client.post("/api/v1/tracking", json={"code": code, "last4": "1234"}).json()
    assert paused["status"] == "awaiting_supplement"
    assert paused["missing"] == ["Giấy chứng sinh bản chính"]
    for _ in range(10):
        assert client.post("/api/v1/tracking",
                           json={"code": code, "last4": "9999"}).status_code == 404
    assert client.post("/api/v1/tracking",
                       json={"code": code, "last4": "5678"}).status_code == 429


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


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
FORM = {"name": "Phạm Thị Công Dân", "id_number": "066190001234", "birth_year": "1990",
        "phone": "0912345678", "unit_code": "24175", "kind": "person"}


def form_tokens(html: str) -> dict:
    found = dict(re.findall(r'name="(csrf|key)" value="([^"]+)"', html))
    return {k: found[k] for k in ("csrf", "key") if k in found}


def login(client, username: str) -> str:
    token = form_tokens(client.get("/dang-nhap").text)["csrf"]
    done = client.post("/dang-nhap", data={"username": username, "password": "mat-khau-demo",
                                           "csrf": token})
    assert done.status_code == 200, done.text
    return form_tokens(done.text)["csrf"]


def count_dossiers(app) -> int:
    import sqlalchemy as sa

    with app.engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM dossiers")).scalar()


SLOTS = [("tep_0", ("to-khai.pdf", PDF, "application/pdf")),
         ("tep_1", ("giay-chung-sinh.jpg", JPEG, "image/jpeg"))]


def file_online(client, files=SLOTS, **form):
    tokens = form_tokens(client.get("/thu-tuc/1.001193/nop-truc-tuyen").text)
    return client.post("/thu-tuc/1.001193/nop-truc-tuyen", data={**FORM, **tokens, **form},
                       files=files, follow_redirects=False)


def test_an_online_filing_waits_for_the_desk_then_is_received_with_its_files_in_their_slots(
        app, world, client):
    tokens = form_tokens(client.get("/thu-tuc/1.001193/nop-truc-tuyen").text)
    data = {**FORM, **tokens}
    # the files are sent slot 2 first: each is filed under its own document all the same
    files = [SLOTS[1], SLOTS[0]]
    first = client.post("/thu-tuc/1.001193/nop-truc-tuyen", data=data, files=files,
                        follow_redirects=False)
    again = client.post("/thu-tuc/1.001193/nop-truc-tuyen", data=data, files=files,
                        follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    receipt = client.get(first.headers["location"])
    ref = re.search(r'id="ma-ho-so">([^<]+)<', receipt.text).group(1)
    assert ref.startswith("TT-24175-") and "Chờ tiếp nhận" in receipt.text
    assert "Đăng ký khai sinh" in receipt.text and "Xã Hòa Phú" in receipt.text
    assert "Giấy chứng sinh: " in receipt.text and "giay-chung-sinh.jpg" in receipt.text
    assert count_dossiers(app) == 0  # not received yet: no code, no clock, not in reports
    waiting = track_page(client, ref, "1234")
    assert "Chờ tiếp nhận" in waiting.text and "Bộ phận một cửa đang kiểm tra" in waiting.text

    desk = TestClient(client.app)
    csrf = login(desk, "tiepnhan")
    listed = desk.get("/cho-tiep-nhan")
    assert ref in listed.text
    app.clock.set(vn(2026, 1, 5, 14, 0))  # accepted in the afternoon: the clock starts now
    accepted = desk.post(f"/cho-tiep-nhan/{ref}/tiep-nhan", data={"csrf": csrf},
                         follow_redirects=False)
    assert accepted.status_code == 303
    code = accepted.headers["location"].split("/")[2].split("?")[0]
    dossier = to_json(uc.get_dossier(app, code))
    assert dossier["channel"] == "online" and dossier["status"] == "in_progress"
    assert dossier["received_at"] == "2026-01-05T14:00:00+07:00"
    assert dossier["appointment"] == "2026-01-08T14:00:00+07:00"  # 3 working days from then
    detail = to_json(uc.dossier_detail(app, code, world["tiepnhan"]))
    assert {(a["name"], a["filename"]) for a in detail["attachments"]} == {
        ("Tờ khai đăng ký khai sinh", "to-khai.pdf"), ("Giấy chứng sinh", "giay-chung-sinh.jpg")}
    assert detail["events"][0]["actor"] == "Tiepnhan"
    # a second desk officer (or a double click) cannot accept it twice
    twice = desk.post(f"/cho-tiep-nhan/{ref}/tiep-nhan", data={"csrf": csrf})
    assert twice.status_code == 409 and "đã được xử lý" in twice.text
    assert count_dossiers(app) == 1
    done = track_page(client, ref, "1234")
    assert "Đã tiếp nhận" in done.text and code in done.text
    # the API: filing with a key in a header, listing and accepting as the desk
    headers = {"Idempotency-Key": "khoa-api-0001"}
    body = {"procedure_code": "1.001193", **FORM,
            "doc_names": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]}
    api_files = [("files", SLOTS[0][1]), ("files", SLOTS[1][1])]
    one = client.post("/api/v1/online-submissions", headers=headers, data=body,
                      files=api_files).json()
    two = client.post("/api/v1/online-submissions", headers=headers, data=body,
                      files=api_files).json()
    assert one["ref"] == two["ref"] and (one["repeated"], two["repeated"]) == (False, True)
    token = create_api_token(app, "tiepnhan", "Cổng")
    auth = {"Authorization": f"Bearer {token}"}
    rows = client.get("/api/v1/online-submissions", headers=auth).json()["rows"]
    assert [r["ref"] for r in rows] == [one["ref"]]
    received = client.post(f"/api/v1/online-submissions/{one['ref']}/accept", headers=auth)
    assert received.status_code == 200 and received.json()["status"] == "in_progress"
    assert count_dossiers(app) == 2


def test_a_refused_online_filing_tells_the_citizen_why_and_is_never_a_dossier(
        app, world, client):
    ref = client.get(file_online(client).headers["location"]).text
    ref = re.search(r'id="ma-ho-so">([^<]+)<', ref).group(1)
    desk = TestClient(client.app)
    csrf = login(desk, "tiepnhan")
    blank = desk.post(f"/cho-tiep-nhan/{ref}/tu-choi", data={"csrf": csrf, "reason": "  "})
    assert blank.status_code == 422 and "Cần ghi lý do" in blank.text
    other = TestClient(client.app)
    other_csrf = login(other, "tiepnhan2")  # a desk officer of another ward
    assert other.post(f"/cho-tiep-nhan/{ref}/tu-choi",
                      data={"csrf": other_csrf, "reason": "x"}).status_code == 403
    refused = desk.post(f"/cho-tiep-nhan/{ref}/tu-choi", follow_redirects=False, data={
        "csrf": csrf, "reason": "Giấy chứng sinh chụp mờ, không đọc được số"})
    assert refused.status_code == 303
    seen = track_page(client, ref, "5678")
    assert "Từ chối tiếp nhận" in seen.text and "chụp mờ" in seen.text
    form_03 = desk.get(f"/cho-tiep-nhan/{ref}/in/03")
    assert form_03.headers["content-type"] == "application/pdf"
    from tests.e2e.test_forms import text_of

    printed = text_of(form_03.content)
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN" in printed and "chụp mờ" in printed and ref in printed
    assert count_dossiers(app) == 0
    assert desk.post(f"/cho-tiep-nhan/{ref}/tiep-nhan", data={"csrf": csrf}).status_code == 409


def test_an_online_filing_names_every_problem_at_once(app, world, client):
    only_form = file_online(client, files=[SLOTS[0]], name="", unit_code="SO-TP")
    assert only_form.status_code == 422
    text = only_form.text
    assert "Cần ghi họ tên" in text                       # the applicant
    assert "Sở Tư pháp không tiếp nhận" in text           # a unit of another level
    assert "còn thiếu giấy tờ bắt buộc: Giấy chứng sinh" in text  # the document
    form = client.get("/thu-tuc/1.001193/nop-truc-tuyen").text
    select = form[form.index('<select id="unit_code"'):]
    units = re.findall(r'<option value="([^"]*)"', select[:select.index("</select>")])
    assert "SO-TP" not in units and units[0] == ""        # nothing chosen for the citizen
    assert count_dossiers(app) == 0


@pytest.mark.parametrize("filename,data,message", [
    ("scan.pdf", b"MZ\x90\x00 not a pdf at all", "Chỉ nhận tệp PDF, JPEG hoặc PNG"),
    ("to-khai.docx", b"PK\x03\x04word/document.xml", "Chỉ nhận tệp PDF, JPEG hoặc PNG"),
    ("lon.pdf", PDF + b"0" * 2_000_000, "vượt giới hạn 1 MB"),
])
def test_uploads_are_checked_by_content_and_size_and_nothing_is_half_saved(
        app, client, filename, data, message):
    app.settings = app.settings.__class__(**{**app.settings.__dict__, "max_upload_mb": 1})
    tokens = form_tokens(client.get("/thu-tuc/1.001193/nop-truc-tuyen").text)
    refused = client.post("/thu-tuc/1.001193/nop-truc-tuyen", data={**FORM, **tokens},
                          files=[("tep_0", (filename, data, "application/pdf")), SLOTS[1]])
    assert refused.status_code == 422 and message in refused.text
    assert 'value="Phạm Thị Công Dân"' in refused.text  # what was typed is kept
    assert count_dossiers(app) == 0
    # the refused file is not stored; the acceptable one is kept for the next try
    stored = {f.name for f in app.settings.files_dir.rglob("*") if f.is_file()}
    assert stored == {hashlib.sha256(JPEG).hexdigest()}


def test_attachments_are_served_only_to_those_who_may_see_the_dossier(app, world, client):
    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175", channel="desk",
                              applicant=CITIZEN, official=world["tiepnhan"]).code
    uc.act(app, code, Attach("input", tuple([Upload("Tờ khai", "to-khai.pdf", PDF)])), world["tiepnhan"])
    detail = to_json(uc.dossier_detail(app, code, world["tiepnhan"]))
    attachment = detail["attachments"][0]
    assert attachment["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert (app.settings.files_dir / attachment["sha256"][:2] / attachment["sha256"][2:4]
            / attachment["sha256"]).read_bytes() == PDF
    url = f"/ho-so/{code}/tep/{attachment['id']}"
    assert client.get(url, follow_redirects=False).status_code == 303  # to the login page
    login(client, "tiepnhan2")  # a desk officer of another ward
    assert client.get(url).status_code == 403
    client.cookies.clear()
    login(client, "chuyenvien")
    shown = client.get(url)
    assert shown.content == PDF and shown.headers["content-type"] == "application/pdf"
    assert shown.headers["x-content-type-options"] == "nosniff"


def test_the_dossier_page_offers_only_the_actions_allowed_now_and_needs_csrf(app, world, client):
    csrf = login(client, "tiepnhan")
    receipt = client.get("/tiep-nhan")
    assert "Nộp hộ" in receipt.text
    done = client.post("/tiep-nhan", data={
        "csrf": csrf, "procedure_code": "1.001193", "unit_code": "24175", "channel": "desk",
        "kind": "person", "name": "Y Blô Niê", "id_number": "066050001234", "birth_year": "1950",
        "phone": "0905111222", "on_behalf": "1"},
        files=[("files", ("cccd.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "image/png"))])
    assert done.status_code == 200 and "Đã tiếp nhận hồ sơ" in done.text
    code = re.search(r'<span class="code">([^<]+)</span>', done.text).group(1)
    assert "Nộp hộ" in done.text and "cccd.png" in done.text
    buttons = set(re.findall(r'data-action="([a-z_]+)"', done.text))
    assert buttons == {"complete_step", "request_supplement", "withdraw", "request_correction",
                       "attach"}
    forged = client.post(f"/ho-so/{code}/thao-tac", data={"action": "complete_step",
                                                         "csrf": "gia-mao"})
    assert forged.status_code == 400 and "Phiên làm việc" in forged.text
    assert uc.get_dossier(app, code).current_step == 1
    moved = client.post(f"/ho-so/{code}/thao-tac", data={
        "action": "complete_step", "csrf": csrf, "expected_step": "1"})
    assert "Đã thực hiện" in moved.text and uc.get_dossier(app, code).current_step == 2
    twice = client.post(f"/ho-so/{code}/thao-tac", data={
        "action": "complete_step", "csrf": csrf, "expected_step": "1"})
    assert "không được ghi lại lần nữa" in twice.text
    assert uc.get_dossier(app, code).current_step == 2
    # the page says until when an apology and extension (Form 04) may still be made
    assert "Được lập đến 17:30 07/01/2026" in twice.text


def test_action_forms_and_api_bodies_are_made_from_the_commands(app, world, client):
    """The extension form's fields, the API's ExtendIn model and the parser are one list."""
    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175", channel="desk",
                              applicant=CITIZEN, official=world["tiepnhan"]).code
    login(client, "truongphong")
    page = client.get(f"/ho-so/{code}").text
    form = page[page.index('value="extend"'):]
    form = form[:form.index("</form>")]
    assert 'name="new_appointment"' in form and 'name="reason"' in form and "required" in form
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]
    assert set(schema["ExtendIn"]["properties"]) == {"new_appointment", "reason"}
    assert set(schema["CompleteStepIn"]["properties"]) == {"expected_step", "note"}
    csrf = client.cookies.get("csrf") or re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    refused = client.post(f"/api/v1/dossiers/{code}/actions/extend",
                          json={"reason": "Cần xác minh"}, headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 422 and "Ngày hẹn mới" in refused.json()["error"]["message"]


def test_hand_over_by_code_and_the_heads_correction_queue(app, world, client):
    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175", channel="desk",
                              applicant=CITIZEN, official=world["tiepnhan"]).code
    csrf = login(client, "tiepnhan")
    page = client.post("/ban-giao", data={"csrf": csrf, "code": f"  {code.lower()} "})
    assert f"Hồ sơ {code}: đang ở bước 2: Thẩm định (Xã Hòa Phú)." in page.text
    # a second scan by the desk does not complete the specialist's step
    again = client.post("/ban-giao", data={"csrf": csrf, "code": code})
    assert "đã bàn giao lúc 09:00 05/01/2026 (bước 1: Tiếp nhận, kiểm tra, Tiepnhan)" in again.text
    assert uc.get_dossier(app, code).current_step == 2
    wrong = client.post("/ban-giao", data={"csrf": csrf, "code": "KHONG-CO-MA"})
    assert "Không tìm thấy hồ sơ" in wrong.text
    app.clock.set(vn(2026, 1, 5, 10, 0))
    uc.act(app, code, RequestCorrection(target="step_finished", step_seq=1, new_value=vn(2026, 1, 5, 9, 0), reason="Bàn giao trên giấy", evidence="Sổ giao nhận"), world["tiepnhan"])
    client.cookies.clear()
    csrf = login(client, "truongphong")
    queue = client.get("/dieu-chinh")
    assert code in queue.text and "Sổ giao nhận" in queue.text
    assert "Tiepnhan, 10:00 05/01/2026" in queue.text  # who asked, never an empty name
    client.post(f"/ho-so/{code}/thao-tac", data={"csrf": csrf, "action": "approve_correction",
                                                  "seq": "1", "back": "/dieu-chinh"})
    assert "Không có đề nghị nào chờ duyệt" in client.get("/dieu-chinh").text
    assert to_json(uc.get_dossier(app, code))["steps"][0]["finished_at"] == "2026-01-05T09:00:00+07:00"


@pytest.mark.parametrize("method,url,kwargs", [
    ("get", "/api/v1/dossiers/%00%27;DROP", {}),
    ("get", "/ho-so/<script>alert(1)</script>", {}),
    ("get", "/thu-tuc/khong-co", {}),
    ("post", "/api/v1/tracking", {"json": {"code": "X", "last4": "12345"}}),
    ("post", "/api/v1/tracking", {"json": {"code": "A" * 500, "last4": "1234"}}),
    ("get", "/tra-cuu?ma=%F0%9F%98%80&so=abcd", {}),
    ("get", "/api/v1/calendar/due?from=2026-13-45&days=-1", {}),
    ("get", "/api/v1/procedures?q=" + "đ" * 300, {}),
    ("post", "/api/v1/dossiers", {"json": {"applicant": "khong-phai-doi-tuong"}}),
    ("post", "/api/v1/dossiers/X/actions/khong-co", {"json": {}}),
    ("post", "/api/v1/dossiers/X/actions/extend", {"content": b"{not json"}),
    ("post", "/api/v1/online-submissions", {"data": {"procedure_code": "1.001193"}}),
    ("post", "/ho-so/X/thao-tac", {"data": {"action": "assign", "assignee_id": "abc"}}),
    ("get", "/ho-so/X/tep/khong-phai-so", {}),
    ("delete", "/thu-tuc", {}),
])
def test_bad_input_never_gives_a_500(client, method, url, kwargs):
    client = TestClient(client.app, raise_server_exceptions=False)
    response = getattr(client, method)(url, **kwargs)
    assert 400 <= response.status_code < 500 or response.status_code in (200, 303)
    if url.startswith("/api/") and response.status_code >= 400:
        error = response.json()["error"]
        assert error["code"] and error["message"]


def test_a_lost_database_gives_a_clear_503(app, world):
    client = TestClient(create_app(app, "khoa"), raise_server_exceptions=False)
    app.engine = make_engine("sqlite:////nonexistent-folder/none.sqlite3")
    page = client.get("/thu-tuc")
    assert page.status_code == 503 and "Cơ sở dữ liệu tạm thời" in page.text
    api = client.get("/api/v1/procedures")
    assert api.status_code == 503 and api.json()["error"]["code"] == "csdl_tam_ngung"


def test_administrators_manage_units_procedures_and_officials_through_the_api(app, world):
    create_official(app, username="quantri", full_name="Quản trị", password="mat-khau-demo",
                    roles=[("24175", "admin")])
    admin = {"Authorization": f"Bearer {create_api_token(app, 'quantri', 'kiểm thử')}"}
    desk = {"Authorization": f"Bearer {create_api_token(app, 'tiepnhan', 'kiểm thử')}"}
    client = TestClient(create_app(app, "khoa"), raise_server_exceptions=False)
    unit = {"code": "24999", "name": "Xã Thử Nghiệm", "kind": "commune"}
    assert client.post("/api/v1/units", json=unit, headers=desk).status_code == 403
    assert client.post("/api/v1/units", json=unit, headers=admin).status_code == 201
    bad = client.post("/api/v1/units", json={**unit, "kind": "lang"}, headers=admin)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "du_lieu_khong_hop_le"
    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175", channel="desk",
                              applicant=CITIZEN, official=world["tiepnhan"]).code
    merged = client.post("/api/v1/units/merge", headers=admin, json={
        "sources": ["24175"], "target": "24999", "valid_from": "2026-01-05"}).json()
    assert merged == {"moved_dossiers": 1} and uc.get_dossier(app, code).unit == "24999"
    procedures = client.post("/api/v1/procedures", headers=admin,
                             json=[{**BIRTH, "fee": "8.000 đồng"}]).json()
    assert procedures == {"new_versions": 1, "unchanged": 0}
    assert client.post("/api/v1/procedures", headers=admin,
                       json=[{"name": "thiếu mã"}]).status_code == 422
    made = client.post("/api/v1/officials", headers=admin, json={
        "username": "moi", "full_name": "Cán bộ mới", "password": "mat-khau-moi",
        "roles": [["24999", "desk"]]})
    assert made.status_code == 201 and made.json()["roles"] == ["desk"]
    units = client.get("/api/v1/units", headers=desk).json()["rows"]
    assert revoke_api_tokens(app, "tiepnhan") == 1
    assert client.get("/api/v1/units", headers=desk).status_code == 401
    assert {"code": "24175", "successor": "24999"}.items() <= next(
        u for u in units if u["code"] == "24175").items()


def test_a_citizen_waiting_for_a_supplement_sees_what_is_missing(app, world, client):
    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175", channel="desk",
                              applicant=CITIZEN, official=world["tiepnhan"]).code
    uc.act(app, code, RequestSupplement(["Giấy chứng sinh bản chính"]), world["tiepnhan"])
    page = track_page(client, code, "1234")
    assert "Hồ sơ cần bổ sung." in page.text and "Giấy chứng sinh bản chính" in page.text


@pytest.mark.parametrize(("field", "value", "message"), [
    ("kind", "xyz", ""), ("channel", "xyz", "Kênh nộp “xyz” không hợp lệ"),
    ("birth_year", "²", "Năm sinh “²” không hợp lệ"), ("birth_year", "١٩٩٠", "Năm sinh"),
    ("payment_method", "xyz", ""),
])
def test_the_desk_receipt_form_answers_bad_fields_in_vietnamese_and_keeps_what_was_typed(
        app, world, client, field, value, message):
    csrf = login(client, "tiepnhan")
    answer = client.post("/tiep-nhan", data={
        "csrf": csrf, "procedure_code": "1.001193", "unit_code": "24175", "channel": "desk",
        "kind": "person", "name": "Phạm Thị Công Dân", "id_number": "066190001234",
        "phone": "0912345678", field: value})
    assert answer.status_code == 422 and message in answer.text
    assert "Phạm Thị Công Dân" in answer.text  # nothing typed is lost


def test_the_inbox_pages_with_a_total_and_hides_nothing_in_scope(app, world, client):
    for _ in range(105):
        uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175", channel="desk",
                           applicant=CITIZEN, official=world["tiepnhan"])
    login(client, "tiepnhan")
    first = client.get("/hop-thu")
    assert "Hồ sơ 1–100 trên 105" in first.text and "Trang 1/2" in first.text
    second = client.get("/hop-thu?trang=2")
    assert "Hồ sơ 101–105 trên 105" in second.text
    assert len(re.findall(r'<tr class="[a-z]*"><td data-label="Mã hồ sơ"><a href="/ho-so/', second.text)) == 5
    api = client.get("/api/v1/dossiers?page=2&page_size=50").json()
    assert api["total"] == 105 and api["pages"] == 3 and len(api["rows"]) == 50


def test_a_correct_look_up_of_ones_own_dossier_does_not_reset_guesses_at_anothers(
        app, world, client):
    mine, theirs = (uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                                       channel="desk", applicant=CITIZEN,
                                       official=world["tiepnhan"]).code for _ in range(2))
    for guess in range(9):
        assert client.post("/api/v1/tracking",
                           json={"code": theirs, "last4": f"{guess:04d}"}).status_code == 404
        # the attacker's own dossier, looked up right in between, takes nothing back
        assert client.post("/api/v1/tracking", json={"code": mine, "last4": "5678"}).status_code == 200
    assert client.post("/api/v1/tracking", json={"code": theirs, "last4": "0009"}).status_code == 404
    blocked = client.post("/api/v1/tracking", json={"code": theirs, "last4": "5678"})
    assert blocked.status_code == 429 and "15 phút" in blocked.json()["error"]["message"]


def test_parallel_guesses_are_counted_before_they_are_checked(app):
    """50 simultaneous wrong guesses at one dossier, each in its own connection, get 10
    checks (PostgreSQL: an advisory lock per dossier code; SQLite: the write lock)."""
    import threading

    from motcua.domain.errors import NotFound, TooManyAttempts
    from motcua.services import throttle

    checked: list[int] = []
    refused: list[int] = []
    barrier = threading.Barrier(50)

    def wrong(uow):
        checked.append(1)
        raise NotFound("sai")

    def guess(client: str) -> None:
        barrier.wait()
        try:
            throttle.guarded(app, throttle.GUESSES, targets=("code:X",), clients=(client,),
                             guess=wrong)
        except NotFound:
            pass
        except TooManyAttempts:
            refused.append(1)

    threads = [threading.Thread(target=guess, args=(f"client:{i % 5}",)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(checked) == 10 and len(refused) == 40

    def right(uow):
        return "đúng"

    # another client is blocked at that dossier too: counted per target ...
    with pytest.raises(TooManyAttempts):
        throttle.guarded(app, throttle.GUESSES, targets=("code:X",), clients=("client:9",),
                         guess=right)
    # ... and right guesses elsewhere, by anyone, are let through and write nothing
    for _ in range(20):
        assert throttle.guarded(app, throttle.GUESSES, targets=("code:Y",),
                                clients=("client:9",), guess=right) == "đúng"
    # the window passes: counted failures expire
    app.clock.set(app.clock.now() + timedelta(minutes=16))
    assert throttle.guarded(app, throttle.GUESSES, targets=("code:X",),
                            clients=("client:0",), guess=right) == "đúng"


def test_the_citizen_sees_what_is_missing_and_why_and_supplements_online(app, world, client):
    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175", channel="desk",
                              applicant=CITIZEN, official=world["tiepnhan"]).code
    app.clock.set(vn(2026, 1, 5, 10, 0))
    uc.act(app, code, RequestSupplement(("Giấy chứng sinh", "Tờ khai có chữ ký"),
                                        "Giấy chứng sinh là bản chụp mờ"), world["tiepnhan"])
    seen = track_page(client, code, "1234")
    assert "Giấy chứng sinh là bản chụp mờ" in seen.text and "Tờ khai có chữ ký" in seen.text
    csrf = form_tokens(seen.text)["csrf"]
    app.clock.set(vn(2026, 1, 6, 8, 0))
    sent = client.post("/tra-cuu/bo-sung", data={
        "csrf": csrf, "ma": code, "so": "1234",
        "can_bo_sung": ["Giấy chứng sinh", "Tờ khai có chữ ký"]},
        files=[("tep_0", ("chung-sinh.jpg", JPEG, "image/jpeg"))])
    assert sent.status_code == 200 and "Đã gửi giấy tờ bổ sung" in sent.text
    assert "Đang chờ bộ phận một cửa xác nhận" in sent.text and "chung-sinh.jpg" in sent.text
    detail = to_json(uc.dossier_detail(app, code, world["tiepnhan"]))
    assert detail["status"] == "awaiting_supplement"  # the desk has not confirmed yet
    added = [a for a in detail["attachments"] if a["kind"] == "supplement"]
    assert [(a["name"], a["filename"]) for a in added] == [("Giấy chứng sinh", "chung-sinh.jpg")]
    assert detail["events"][-1]["actor"] == "Phạm Thị Công Dân (bổ sung trực tuyến)"
    # wrong digits send nothing
    wrong = client.post("/tra-cuu/bo-sung", data={
        "csrf": csrf, "ma": code, "so": "0000", "can_bo_sung": ["Giấy chứng sinh"]},
        files=[("tep_0", ("x.pdf", PDF, "application/pdf"))])
    assert "không đúng" in wrong.text
    # the desk confirms: the pause ends then
    app.clock.set(vn(2026, 1, 6, 9, 0))
    view = to_json(uc.act(app, code, Supplement(), world["tiepnhan"]))
    assert view["status"] == "in_progress"
    assert view["paused_minutes"] == 7 * 60  # Mon 10:00 → Tue 09:00, in working hours


def test_the_catalogue_is_in_vietnamese_order_and_forgives_typos_and_everyday_words(
        app, world, client):
    from motcua.services.procedures import procedure_from_dict, save_procedures

    save_procedures(app, [procedure_from_dict({**BIRTH, "code": code, "name": name})
                          for code, name in (("1.004873", "Xác nhận tình trạng hôn nhân"),
                                             ("1.000894", "Đăng ký kết hôn"),
                                             ("1.004884", "Cấp bản sao trích lục hộ tịch"),
                                             ("2.000001", "Ủy quyền chứng thực"))])
    names = re.findall(r"<strong>([^<]+)</strong>", client.get("/thu-tuc").text)
    assert names == ["Cấp bản sao trích lục hộ tịch", "Đăng ký kết hôn", "Đăng ký khai sinh",
                     "Ủy quyền chứng thực", "Xác nhận tình trạng hôn nhân"]
    typo = client.get("/api/v1/procedures", params={"q": "khai sinhh"}).json()
    assert [r["code"] for r in typo["rows"]] == ["1.001193"]
    assert typo["understood_as"] == "khai sinh"
    everyday = client.get("/thu-tuc", params={"q": "làm giấy khai sinh cho con"})
    assert "Đăng ký khai sinh" in everyday.text and "kết quả cho" in everyday.text
    nothing = client.get("/thu-tuc", params={"q": "tàu vũ trụ"})
    assert "Hãy thử ít từ hơn" in nothing.text


def test_ending_a_dossier_asks_for_confirmation_and_pages_name_units(app, world, client):
    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175", channel="desk",
                              applicant=CITIZEN, official=world["tiepnhan"]).code
    uc.act(app, code, CompleteStep(), world["tiepnhan"])
    csrf = login(client, "truongphong")
    page = client.get(f"/ho-so/{code}").text
    assert "<td>Xã Hòa Phú</td>" in page and 'name="xac_nhan"' in page
    assert '<option value="">— Chọn cán bộ —</option>' in page  # nobody assigned by default
    form = {"csrf": csrf, "action": "refuse", "reason": "Không đủ điều kiện",
            "expected_step": "2"}
    unconfirmed = client.post(f"/ho-so/{code}/thao-tac", data=form)
    assert "Hãy đánh dấu ô xác nhận" in unconfirmed.text
    assert to_json(uc.get_dossier(app, code))["status"] == "in_progress"
    done = client.post(f"/ho-so/{code}/thao-tac", data={**form, "xac_nhan": "1"})
    assert "từ chối giải quyết" in done.text
    assert to_json(uc.get_dossier(app, code))["status"] == "refused"
    # switching to large text keeps the address and its query (a search is not lost)
    search = client.get("/thu-tuc", params={"q": "khai sinh"}).text
    assert "ve=/thu-tuc%3Fq%3Dkhai%2Bsinh" in search or "ve=/thu-tuc%3Fq%3Dkhai%20sinh" in search


def test_the_inbox_shows_ones_own_steps_with_their_deadline_and_channel(app, world, client):
    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                              channel="postal", applicant=CITIZEN,
                              official=world["tiepnhan"]).code
    uc.act(app, code, CompleteStep(), world["tiepnhan"])  # now the specialist's step
    login(client, "tiepnhan")
    desk = client.get("/hop-thu").text
    assert code not in desk  # the desk no longer holds it: not in the desk's inbox
    specialist = TestClient(client.app)
    login(specialist, "chuyenvien")
    mine = specialist.get("/hop-thu").text
    assert code in mine and "Bưu chính" in mine and 'data-label="Hạn bước"' in mine
    head = TestClient(client.app)
    login(head, "truongphong")
    assert code not in head.get("/hop-thu").text  # not the head's step ...
    assert code in head.get("/hop-thu?loc=don_vi").text  # ... but the head can follow it


def test_the_desk_finds_the_procedure_checks_its_documents_and_prints_the_receipt(
        app, world, client):
    csrf = login(client, "tiepnhan")
    found = client.get("/tiep-nhan", params={"tim": "khai sinh"}).text
    assert 'name="giay_to" value="Giấy chứng sinh"' in found  # one match: its checklist
    assert 'name="print_now" value="1" checked' in found
    form = {"csrf": csrf, "procedure_code": "1.001193", "unit_code": "24175",
            "channel": "desk", "kind": "person", "name": "Y Blô Niê",
            "id_number": "066050001234", "kiem_tra": "1", "print_now": "1"}
    short = client.post("/tiep-nhan", data={**form, "giay_to": ["Tờ khai đăng ký khai sinh"]})
    assert short.status_code == 422 and "Chưa đủ thành phần hồ sơ bắt buộc: Giấy chứng sinh" \
        in short.text
    done = client.post("/tiep-nhan", data={
        **form, "giay_to": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]})
    assert done.status_code == 200 and 'id="in-tu-dong"' in done.text
    code = re.search(r'<span class="code">([^<]+)</span>', done.text).group(1)
    assert "Giấy chứng sinh" in to_json(uc.get_dossier(app, code))["note"]


def test_catalogue_filters_and_procedure_page_read_as_officials_write(app, world, client):
    from motcua.services.procedures import procedure_from_dict, save_procedures

    save_procedures(app, [procedure_from_dict({**BIRTH, "code": "3.000333", "level": "province",
                                               "name": "Cấp Phiếu lý lịch tư pháp",
                                               "field": "Lý lịch tư pháp",
                                               "fee": "200.000 đồng/phiếu",
                                               "online_level": "toàn trình"})])
    commune = client.get("/thu-tuc", params={"cap": "commune"}).text
    assert "Đăng ký khai sinh" in commune and "lý lịch tư pháp" not in commune
    by_field = client.get("/thu-tuc", params={"linh_vuc": "Lý lịch tư pháp"}).text
    assert "Cấp Phiếu lý lịch tư pháp" in by_field and "Đăng ký khai sinh" not in by_field
    assert "200.000 đồng/phiếu" in by_field and "trực tuyến toàn trình" in by_field
    assert "trực tuyến" not in commune.split("Đăng ký khai sinh")[1][:200]  # not stated: none
    # by agency (names, never codes) and by the online service level the catalogue records
    everything = client.get("/thu-tuc").text
    assert '<option value="cap-xa" >UBND cấp xã</option>' in everything
    assert '<option value="toan-trinh" >Trực tuyến toàn trình</option>' in everything
    assert 'value="mot-phan"' not in everything  # no procedure is recorded "một phần"
    provincial = client.get("/thu-tuc", params={"co_quan": "cap-tinh"}).text
    assert "Cấp Phiếu lý lịch tư pháp" in provincial and "Đăng ký khai sinh" not in provincial
    assert "Cơ quan cấp tỉnh" in provincial.split("Cấp Phiếu lý lịch tư pháp</strong>")[1][:300]
    full = client.get("/thu-tuc", params={"truc_tuyen": "toan-trinh"}).text
    assert "Cấp Phiếu lý lịch tư pháp" in full and "Đăng ký khai sinh" not in full
    assert "Đăng ký khai sinh" in client.get("/thu-tuc", params={"co_quan": "cap-xa"}).text
    page = client.get("/thu-tuc/1.001193").text
    assert "giờ" in page and ",72 giờ" not in page  # step times in hours and minutes
    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175", channel="desk",
                              applicant=CITIZEN, official=world["tiepnhan"]).code
    tracked = track_page(client, code, "5678").text
    assert "Xã Hòa Phú" in tracked and "Phí, lệ phí" in tracked and "data-print" in tracked


def test_files_chosen_before_an_error_are_kept_for_the_next_try(app, world, client):
    refused = file_online(client, name="")
    assert refused.status_code == 422 and "được giữ lại" in refused.text
    tokens = re.findall(r'name="giu" value="([^"]+)"', refused.text)
    key = form_tokens(refused.text)["key"]
    assert len(tokens) == 2 and "Đã có: to-khai.pdf" in refused.text
    data = {**FORM, "csrf": form_tokens(refused.text)["csrf"], "key": key}
    forged = tokens[0][:-4] + ("AAAA" if not tokens[0].endswith("AAAA") else "BBBB")
    tampered = client.post("/thu-tuc/1.001193/nop-truc-tuyen", data={**data, "giu": [forged]},
                           files=[], follow_redirects=False)
    assert tampered.status_code == 422  # an altered token brings nothing back
    again = client.post("/thu-tuc/1.001193/nop-truc-tuyen", data={**data, "giu": tokens},
                        files=[], follow_redirects=False)
    assert again.status_code == 303
    receipt = client.get(again.headers["location"]).text
    assert "Tờ khai đăng ký khai sinh: " in receipt and "giay-chung-sinh.jpg" in receipt


def test_the_electronic_result_is_offered_only_where_the_procedure_allows_it(app, world,
                                                                              client):
    from motcua.services import submissions
    from motcua.services.procedures import procedure_from_dict, save_procedures

    assert "Nhận kết quả điện tử" not in client.get("/thu-tuc/1.001193/nop-truc-tuyen").text
    refused = file_online(client, nhan_kq="electronic")
    assert refused.status_code == 422 and "chưa cho phép trả kết quả điện tử" in refused.text
    save_procedures(app, [procedure_from_dict({**BIRTH, "electronic_result": True})])
    assert "Nhận kết quả điện tử" in client.get("/thu-tuc/1.001193/nop-truc-tuyen").text
    sent = file_online(client, nhan_kq="electronic")
    assert sent.status_code == 303, sent.text[-500:]
    [waiting] = submissions.waiting(app, world["tiepnhan"])
    code = submissions.accept(app, waiting.ref, world["tiepnhan"]).code
    with app.uow() as uow:
        assert uow.postal.electronic(code) is not None


def test_the_citizen_gives_the_number_of_the_parcel_their_papers_travel_in(app, world,
                                                                           client):
    sent = file_online(client)
    ref = sent.headers["location"].split("/nop-thanh-cong/")[1].split("?")[0]
    form = client.get("/tra-cuu", params={"ma": ref}).text
    page = client.post("/tra-cuu", data={"ma": ref, "so": "5678", **form_tokens(form)}).text
    assert "Đã gửi bản giấy của hồ sơ qua bưu điện?" in page
    wrong = client.post("/tra-cuu/buu-gui-ho-so", data={
        "ma": ref, "so": "5678", "so_buu_gui": "EB000717594HK", **form_tokens(page)}).text
    assert "không hợp lệ" in wrong or "sai" in wrong
    done = client.post("/tra-cuu/buu-gui-ho-so", data={
        "ma": ref, "so": "5678", "so_buu_gui": "EB000717618HK", **form_tokens(page)}).text
    assert "Đã ghi số bưu gửi" in done and "bưu gửi EB000717618HK" in done
    assert "Người dân gửi hồ sơ giấy tại bưu cục" in done
    desk = TestClient(create_app(app, "khoa"))
    login(desk, "tiepnhan")
    assert "EB000717618HK" in desk.get(f"/cho-tiep-nhan/{ref}").text
