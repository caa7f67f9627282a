"""Issue 14's legal corrections on a real database: the 24/11/2026 data migration, the
Decree 118 supplement restart through the services, extension limits, closing a dossier
whose supplement never came, agency-identifier codes."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from motcua.domain.calendar import DayKind, DayRule, WorkingCalendar
from motcua.domain.commands import CompleteStep, Extend, RequestSupplement, Supplement
from motcua.domain.errors import IllegalTransition
from motcua.serialize import to_json
from motcua.services import dossiers as uc
from motcua.services.audit import verify_audit
from motcua.services.data_migrations import run_pending
from tests.conftest import vn
from tests.personas import CITIZEN


def receive(app, people):
    return uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                              channel="desk", applicant=CITIZEN, official=people["tiepnhan"])


def test_dossiers_computed_with_24_november_2026_as_a_working_day_are_recomputed_and_audited(
        app, world):
    correct = app.calendar
    assert not correct.is_working_day(date(2026, 11, 24))
    app.calendar = WorkingCalendar(  # the calendar motcua shipped before the correction
        rules=[*correct.rules.values(), DayRule(date(2026, 11, 24), DayKind.WORKING_DAY, "cũ")],
        hours=correct.hours, first_year=correct.first_year, last_year=correct.last_year)
    app.clock.set(vn(2026, 11, 2, 8, 0))  # handled wholly before 24/11: stays as it is
    untouched = receive(app, world).code
    for when, who in ((vn(2026, 11, 2, 9), "tiepnhan"), (vn(2026, 11, 3, 9), "chuyenvien"),
                      (vn(2026, 11, 4, 9), "lanhdao")):
        app.clock.set(when)
        uc.act(app, untouched, CompleteStep(), world[who])
    app.clock.set(vn(2026, 11, 20, 14, 0))  # Fri; 3 working days
    late = receive(app, world).code
    assert to_json(uc.get_dossier(app, late))["appointment"] == "2026-11-25T14:00:00+07:00"
    for when, who in ((vn(2026, 11, 20, 15), "tiepnhan"), (vn(2026, 11, 23, 9), "chuyenvien"),
                      (vn(2026, 11, 26, 10), "lanhdao")):
        app.clock.set(when)
        view = to_json(uc.act(app, late, CompleteStep(), world[who]))
    assert view["timeliness"] == "late"
    with app.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM data_migrations"))
    app.calendar = correct
    app.clock.set(vn(2026, 11, 30, 9))
    reports = {m.name: report for m, report in run_pending(app)}
    report = reports["2026-11-24-ngay-van-hoa-viet-nam"]
    assert report == [{"code": late,
                       "due_before": "2026-11-25T14:00:00+07:00",
                       "due_after": "2026-11-26T14:00:00+07:00",
                       "appointment_before": "2026-11-25T14:00:00+07:00",
                       "appointment_after": "2026-11-26T14:00:00+07:00",
                       "timeliness_before": "late", "timeliness_after": "on_time"}]
    view = to_json(uc.get_dossier(app, late))
    assert view["timeliness"] == "on_time" and view["due"] == "2026-11-26T14:00:00+07:00"
    assert view["steps"][2]["planned_deadline"] == "2026-11-26T14:00:00+07:00"
    detail = to_json(uc.dossier_detail(app, late, world["tiepnhan"]))
    event = detail["events"][-1]
    assert event["action"] == "recalendar" and "24/11/2026" in event["data"]["reason"]
    assert event["data"]["before"]["timeliness"] == "late"
    assert verify_audit(app).broken == []
    assert run_pending(app) == []  # once only
    assert to_json(uc.get_dossier(app, untouched))["timeliness"] == "early"


def test_a_complete_supplement_restarts_the_deadline_and_the_citizens_appointment(app, world):
    app.clock.set(vn(2026, 3, 2, 8, 0))
    code = receive(app, world).code
    app.clock.set(vn(2026, 3, 3, 10, 0))
    uc.act(app, code, RequestSupplement(("Giấy chứng sinh",)), world["tiepnhan"])
    app.clock.set(vn(2026, 3, 4, 14, 0))
    view = to_json(uc.act(app, code, Supplement(), world["tiepnhan"]))
    assert view["due"] == view["appointment"] == "2026-03-09T14:00:00+07:00"
    assert view["appointment_history"] == [
        {"kind": "receipt", "appointment": "2026-03-05T08:00:00+07:00"},
        {"kind": "supplement", "appointment": "2026-03-09T14:00:00+07:00"}]
    assert view["extension_until"] == "2026-03-06T17:30:00+07:00"


def test_the_api_says_until_when_an_extension_is_possible_and_refuses_it_after(app, world):
    code = receive(app, world).code  # Mon 05/01/2026 09:00 -> Thu 08/01 09:00
    assert to_json(uc.get_dossier(app, code))["extension_until"] == "2026-01-07T17:30:00+07:00"
    app.clock.set(vn(2026, 1, 8, 8, 0))
    with pytest.raises(IllegalTransition, match="chậm nhất 17:30 07/01/2026"):
        uc.act(app, code, Extend(vn(2026, 1, 12, 17, 30), "Cần xác minh"), world["truongphong"])


def test_codes_use_the_national_agency_identifier_when_the_province_chooses_it(app, world):
    from motcua.domain.errors import ValidationError
    from motcua.services.units import set_agency_code

    with pytest.raises(ValidationError, match="không đúng dạng"):
        set_agency_code(app, "24175", "xã Hòa Phú")
    assert set_agency_code(app, "24175", "h15.50.05.13").agency_code == "H15.50.05.13"
    before = receive(app, world).code
    assert before == "24175-260105-0001"  # the province has not chosen agency codes
    object.__setattr__(app.settings, "dossier_code_prefix", "agency")
    after = receive(app, world).code
    assert after == "H15.50.05.13-260105-0001"
    assert uc.get_dossier(app, before).code == before  # codes already given never change


def test_reports_can_be_tested_from_a_scenario_with_rate_and_pay_lines(tmp_path):
    import json

    from motcua.bootstrap import build
    from motcua.replay import run_replay
    from motcua.reports import make_report
    from motcua.reports.core import Period
    from motcua.settings import Settings

    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps({
        "units": [{"code": "XA-A", "name": "UBND xã A", "kind": "commune"}],
        "procedures": [{"code": "1.000001", "name": "Thủ tục có lệ phí", "unit": "XA-A",
                        "fee_amount": 8000, "deadline": {"working_days": 1},
                        "steps": [{"name": "Giải quyết", "unit": "XA-A", "working_hours": 8}]}]},
        ensure_ascii=False), "utf-8")
    lines = [
        {"at": "2026-01-05T09:00", "action": "receive", "dossier": "A", "procedure": "1.000001"},
        {"at": "2026-01-05T09:10", "action": "pay", "dossier": "A", "amount": 8000,
         "method": "online", "reference": "VNPAY-1"},
        {"at": "2026-01-05T09:00", "action": "receive", "dossier": "B", "procedure": "1.000001"},
        {"at": "2026-01-05T09:20", "action": "pay", "dossier": "B", "amount": 8000,
         "method": "cash", "reference": "BL-0001"},
        {"at": "2026-01-06T10:00", "action": "complete_step", "dossier": "A"},
        {"at": "2026-01-06T10:00", "action": "complete_step", "dossier": "B"},
        {"at": "2026-01-06T11:00", "action": "return", "dossier": "A"},
        {"at": "2026-01-06T11:05", "action": "rate", "dossier": "A", "rating": 1},
    ]
    scenario = tmp_path / "s.jsonl"
    scenario.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), "utf-8")
    url = f"sqlite:///{tmp_path}/r.sqlite3"
    out = {r["ref"]: r for r in run_replay(catalog, scenario, url)}
    assert out["A"]["paid_online"] and not out["B"]["paid_online"]
    assert out["A"]["satisfaction"] == 1 and out["A"]["timeliness"] == "late"
    app = build(Settings(database_url=url, data_dir=tmp_path / "d"))
    app.clock = type("Clock", (), {"now": staticmethod(lambda: vn(2026, 2, 1, 9))})()
    try:
        report = make_report(app, "index766", Period(date(2026, 1, 1), date(2026, 1, 31)))
    finally:
        app.close()
    ind = {i["code"]: i for i in report["rows"][0]["indicators"]}
    assert ind["4.1"]["inputs"] == {"paid_online": 1, "fee_dossiers": 2}
    assert ind["5.3"]["inputs"] == {"finished": 2, "unsatisfied": 2, "late": 2, "disliked": 1}


def test_the_system_closes_dossiers_whose_supplement_never_came_and_reports_late_requests(
        app, world):
    from motcua.reports import make_report
    from motcua.reports.core import Period

    app.clock.set(vn(2026, 3, 2, 8, 0))
    waiting, answered = receive(app, world).code, receive(app, world).code
    app.clock.set(vn(2026, 3, 3, 10, 0))
    uc.act(app, waiting, RequestSupplement(("Giấy chứng sinh",)), world["tiepnhan"])
    app.clock.set(vn(2026, 3, 6, 9, 0))  # more than 3 working days after receipt
    uc.act(app, answered, RequestSupplement(("Tờ khai",)), world["tiepnhan"])
    app.clock.set(vn(2026, 3, 18, 17, 0))
    assert uc.close_unsupplemented(app) == []  # the 15 days end at 17:30 today
    app.clock.set(vn(2026, 3, 19, 7, 30))
    assert uc.close_unsupplemented(app) == [waiting]
    view = to_json(uc.get_dossier(app, waiting))
    assert view["status"] == "closed" and view["timeliness"] is None
    report = make_report(app, "supplements", Period(date(2026, 3, 1), date(2026, 3, 31)))
    [commune] = report["rows"]
    assert commune["group"].startswith("24175")
    assert {k: commune[k] for k in ("requests", "late_requests", "awaited", "closed")} == {
        "requests": 2, "late_requests": 1, "awaited": 1, "closed": 1}


def test_the_inbox_marks_as_due_soon_a_dossier_whose_last_day_for_an_apology_is_today(
        app, world):
    from motcua.reports.inbox import inbox

    code = receive(app, world).code  # Mon 05/01 09:00 -> Thu 08/01 09:00
    uc.act(app, code, CompleteStep(), world["tiepnhan"])
    app.clock.set(vn(2026, 1, 7, 10, 0))  # 7 of 24 working hours left: not due soon by share
    [row] = inbox(app, world["chuyenvien"]).rows
    assert row.apology_today and row.urgency.value == "soon"
    app.clock.set(vn(2026, 1, 6, 10, 0))
    [row] = inbox(app, world["chuyenvien"]).rows
    assert not row.apology_today and row.urgency is None
