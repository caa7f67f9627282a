"""Feedback and complaints over real sockets: a citizen sends one about a dossier, the
unit's head acknowledges and answers, the citizen rates the answer once, the public page
shows it without personal data, and Decision 766 5.1 and 5.2 count it (SQLite and
PostgreSQL)."""

from __future__ import annotations

import httpx

from motcua.reports import make_report
from motcua.reports.core import Period
from motcua.services import dossiers as uc
from motcua.simulators.providers import Served
from motcua.web.app import create_app
from tests.conftest import vn
from tests.e2e.test_notifications_web import signed_in
from tests.e2e.test_web import form_tokens
from tests.personas import CITIZEN
from tests.ports import free_port

TEXT = "Tôi nộp hồ sơ đã quá hẹn hai ngày mà chưa nhận được kết quả, đề nghị giải thích."


def test_feedback_from_the_citizen_to_the_answer_and_the_766_figures(app, world):
    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                              channel="desk", applicant=CITIZEN,
                              official=world["tiepnhan"]).code
    web = Served(create_app(app, "khoa-phan-anh"), free_port()).start()
    try:
        citizen = httpx.Client(base_url=web.url, timeout=10)
        form = citizen.get("/phan-anh").text
        fields = {"name": CITIZEN["name"], "phone": CITIZEN["phone"], "ma_ho_so": code,
                  "noi_dung": TEXT, "cong_khai": "1"}
        short = citizen.post("/phan-anh", data={**fields, "noi_dung": "ngắn",
                                                **form_tokens(form)})
        assert short.status_code == 422 and "ít nhất 20 ký tự" in short.text
        bad_phone = citizen.post("/phan-anh", data={**fields, "phone": "12345",
                                                    **form_tokens(form)})
        assert "10 chữ số" in bad_phone.text
        sent = citizen.post("/phan-anh", data={**fields, **form_tokens(form)})
        assert sent.status_code == 200 and "Đã gửi phản ánh, kiến nghị" in sent.text
        pa = sent.text.split("<strong>")[1].split("</strong>")[0]
        assert pa.startswith("PA-260105-")
        head, csrf = signed_in(web.url, "truongphong")
        listed = head.get("/phan-anh/xu-ly").text
        assert pa in listed and TEXT in listed
        outsider, other_csrf = signed_in(web.url, "tiepnhan2")
        refused = outsider.post(f"/phan-anh/{pa}/tra-loi", follow_redirects=True,
                                data={"csrf": other_csrf, "tra_loi": "Không phải của tôi."})
        assert "đơn vị khác" in refused.text
        head.post(f"/phan-anh/{pa}/tiep-nhan", data={"csrf": csrf})
        answered = head.post(f"/phan-anh/{pa}/tra-loi", follow_redirects=True, data={
            "csrf": csrf, "tra_loi": "Hồ sơ chờ xác minh; kết quả trả ngày 09/01/2026."})
        assert f"Đã trả lời phản ánh {pa}" in answered.text
        tracked = citizen.post("/phan-anh/tra-cuu", data={"ma": pa, "so": "5678",
                                                          **form_tokens(form)})
        assert "Hồ sơ chờ xác minh" in tracked.text and "Hài lòng" in tracked.text
        rated = citizen.post("/phan-anh/danh-gia", data={"ma": pa, "so": "5678",
                                                         "hai_long": "1", **form_tokens(form)})
        assert "đã đánh giá: hài lòng" in rated.text
        again = citizen.post("/phan-anh/danh-gia", data={"ma": pa, "so": "5678",
                                                         "hai_long": "0", **form_tokens(form)})
        assert "đã đánh giá câu trả lời này" in again.text
        wrong = citizen.post("/phan-anh/tra-cuu", data={"ma": pa, "so": "0000",
                                                        **form_tokens(form)})
        assert wrong.status_code == 404
        public = citizen.get("/phan-anh/cong-khai").text
        assert "Hồ sơ chờ xác minh" in public and CITIZEN["phone"] not in public
        assert CITIZEN["name"] not in public
    finally:
        web.stop()
    report = make_report(app, "index766", Period(vn(2026, 1, 1).date(),
                                                 vn(2026, 1, 31).date()))
    found = {i["code"]: i for i in report["rows"][0]["indicators"]}
    assert found["5.1"]["inputs"] == {"on_time": 1, "answered": 1}
    assert found["5.1"]["points"] == 6.0
    assert found["5.2"]["inputs"] == {"satisfied": 1, "rated": 1}
    by_unit = make_report(app, "feedback", Period(vn(2026, 1, 1).date(), vn(2026, 1, 31).date()))
    [row] = by_unit["rows"]
    assert (row["received"], row["answered"], row["on_time_pct"], row["satisfied"]) == \
        (1, 1, 100.0, 1)


def test_the_three_level_rating_asks_why_and_reaches_the_head(app, world):
    from motcua.domain.commands import CompleteStep, ReturnResult

    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                              channel="desk", applicant=CITIZEN,
                              official=world["tiepnhan"]).code
    for who in ("tiepnhan", "chuyenvien", "lanhdao"):
        uc.act(app, code, CompleteStep(), world[who])
    uc.act(app, code, ReturnResult(), world["tiepnhan"])
    web = Served(create_app(app, "khoa-danh-gia"), free_port()).start()
    try:
        citizen = httpx.Client(base_url=web.url, timeout=10)
        form = citizen.get("/tra-cuu", params={"ma": code}).text
        page = citizen.post("/tra-cuu", data={"ma": code, "so": "1234", **form_tokens(form)})
        assert "Rất hài lòng" in page.text and "Bình thường" not in page.text
        assert "Thái độ phục vụ" in page.text
        base = {"ma": code, "so": "1234", **form_tokens(page.text)}
        why = citizen.post("/tra-cuu/danh-gia", data={**base, "rating": "1"})
        assert "chưa hài lòng về điều gì" in why.text
        odd = citizen.post("/tra-cuu/danh-gia", data={**base, "rating": "3"})
        assert "Chọn Rất hài lòng, Hài lòng hoặc Không hài lòng" in odd.text
        done = citizen.post("/tra-cuu/danh-gia", data={
            **base, "rating": "1", "tieu_chi": ["Số lần phải đi lại", "không-có"],
            "comment": "Phải đến ba lần."})
        assert "Cảm ơn Ông/Bà đã đánh giá" in done.text
        head, _ = signed_in(web.url, "truongphong")
        listed = head.get("/phan-anh/xu-ly").text
        assert code in listed
        assert "Chưa hài lòng về: Số lần phải đi lại; Phải đến ba lần." in listed
    finally:
        web.stop()
    with app.uow() as uow:
        assert uow.dossiers.get(code).satisfaction == 1


def test_feedback_deadlines_in_working_or_calendar_days(app, world):
    """Defaults count working days; a province whose regulation counts calendar days sets
    MOTCUA_FEEDBACK_DAYS=calendar, and a last day off moves to the next working day."""
    import dataclasses

    from motcua.services import feedback

    def deadlines(**settings) -> tuple:
        app.settings = dataclasses.replace(app.settings, **settings)
        code = feedback.send(app, name=CITIZEN["name"], phone=CITIZEN["phone"], email="",
                             content=TEXT, unit_code="24175")
        with app.uow() as uow:
            row = uow.feedback.get(code)
        return row.ack_due, row.answer_due

    # received Monday 05/01/2026 at 09:00; Saturday 10/01/2026 is a make-up working day
    assert deadlines() == (vn(2026, 1, 8, 9, 0), vn(2026, 1, 16, 9, 0))
    # 3 calendar days: Thursday 08/01 at the close; 6: Sunday 11/01, moved to Monday 12/01
    assert deadlines(feedback_days="calendar", feedback_answer_days=6) == \
        (vn(2026, 1, 8, 17, 30), vn(2026, 1, 12, 17, 30))


def test_the_kiosk_at_the_desk_takes_one_rating_and_clears_itself(app, world):
    """A public page: code and the last 4 digits, the three levels; nothing about the
    dossier shown; a second rating refused; a desk officer's session adds nothing."""
    from motcua.domain.commands import CompleteStep, ReturnResult

    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                              channel="desk", applicant=CITIZEN,
                              official=world["tiepnhan"]).code
    web = Served(create_app(app, "khoa-quay"), free_port()).start()
    try:
        kiosk, _ = signed_in(web.url, "tiepnhan")  # the desk's own browser, signed in
        blank = kiosk.get("/danh-gia-tai-quay").text
        assert "Cán bộ không đánh giá thay" in blank and CITIZEN["name"] not in blank
        early = kiosk.post("/danh-gia-tai-quay", data={
            "ma": code, "so": "1234", "rating": "5", **form_tokens(blank)})
        assert early.status_code == 400, early.text  # not returned yet: nothing to rate
        for who in ("tiepnhan", "chuyenvien", "lanhdao"):
            uc.act(app, code, CompleteStep(), world[who])
        uc.act(app, code, ReturnResult(), world["tiepnhan"])
        wrong = kiosk.post("/danh-gia-tai-quay", data={
            "ma": code, "so": "0000", "rating": "5", **form_tokens(blank)})
        assert wrong.status_code == 404 and "không đúng" in wrong.text
        done = kiosk.post("/danh-gia-tai-quay", data={
            "ma": code, "so": "1234", "rating": "4", **form_tokens(blank)})
        assert done.status_code == 200 and f"Cảm ơn Ông/Bà đã đánh giá hồ sơ {code}" in done.text
        assert 'http-equiv="refresh"' in done.text and CITIZEN["name"] not in done.text
        again = kiosk.post("/danh-gia-tai-quay", data={
            "ma": code, "so": "1234", "rating": "1", "comment": "Đổi ý.",
            **form_tokens(blank)})
        assert again.status_code == 400 and "mỗi hồ sơ đánh giá một lần" in again.text
        assert "Thái độ phục vụ" in again.text  # the form again, for the next person
    finally:
        web.stop()
    with app.uow() as uow:
        dossier = uow.dossiers.get(code)
        assert dossier.satisfaction == 4
        rated = [e for e in uow.audit.events(dossier.id, code) if e.action == "rate"]
    assert [e.actor_id for e in rated] == [None]  # the applicant, never the officer
