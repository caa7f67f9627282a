"""Report figures against a hand-counted month at Xã Hòa Phú (24175).

Procedure 1.001193: 3 working days (24 h); steps 4 h, 12 h (both at the commune)
and 8 h (Sở Tư pháp). Office hours 07:30-11:30, 13:30-17:30; Sat 10 Jan 2026 is a
make-up working day. The report is made at 08:30 on Tue 13 Jan 2026.

D1 online, 5 Jan 09:00; steps done 10:00, 11:00, 14:00 the same day: early.
D2 5 Jan 09:00; steps 10:00, 7 Jan 16:00 (20 h worked of 12: 480 min over), 8 Jan
   08:00: ready before due (8 Jan 09:00) on due's day: on time.
D3 5 Jan 09:00; steps 10:00, 8 Jan 17:00 (29 h of 12: 1.020 min over), 9 Jan 08:00:
   late.
D4 5 Jan 09:00, still at step 1: overdue now.
D5 9 Jan 10:00, due 13 Jan 10:00, 1,5 h of 24 h left at 08:30: due soon.
D6 5 Jan 09:00, refused at 10:00: finished early.
D7 5 Jan 09:00, withdrawn: neither finished nor in progress.
D8 at Phường Buôn Ma Thuột (24133), outside the unit.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from motcua.domain.commands import Attach, CompleteStep, Rate, Refuse, ReturnResult, Withdraw
from motcua.domain.documents import Upload
from motcua.domain.lifecycle import APPLICANT
from motcua.reports import make_report
from motcua.reports.core import Period
from motcua.reports.export import to_csv, to_xlsx
from motcua.serialize import to_json
from motcua.services import dossiers as uc
from tests.conftest import vn
from tests.personas import CITIZEN

JAN = Period(date(2026, 1, 1), date(2026, 1, 31))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def at(app, day, hh, mm=0):
    app.clock.set(vn(2026, 1, day, hh, mm))


@pytest.fixture
def month(app, world):
    desk, spec, head, signer = (world[k] for k in ("tiepnhan", "chuyenvien", "truongphong",
                                                   "lanhdao"))

    def receive(day=5, hh=9, channel="desk", unit="24175", official=desk):
        at(app, day, hh)
        return uc.receive_dossier(app, procedure_code="1.001193", unit_code=unit,
                                  channel=channel, applicant=CITIZEN, official=official).code

    def steps(code, *times):
        for (day, hh, mm), who in zip(times, (desk, spec, signer), strict=False):
            at(app, day, hh, mm)
            uc.act(app, code, CompleteStep(), who)

    d1 = receive(channel="online", official=None)
    uc.act(app, d1, Attach("input", tuple([Upload("Tờ khai", "to-khai.pdf", PDF)])), desk)
    steps(d1, (5, 10, 0), (5, 11, 0), (5, 14, 0))
    uc.act(app, d1, Attach("result", tuple([Upload("Giấy khai sinh điện tử", "kq.pdf", PDF)])), desk)
    at(app, 5, 15)
    uc.act(app, d1, ReturnResult(), desk)
    uc.act(app, d1, Rate(5), actor=APPLICANT)
    d2 = receive()
    steps(d2, (5, 10, 0), (7, 16, 0), (8, 8, 0))
    at(app, 8, 9)
    uc.act(app, d2, ReturnResult(), desk)
    uc.act(app, d2, Rate(2, "Phải đi lại nhiều lần"), actor=APPLICANT)
    d3 = receive()
    steps(d3, (5, 10, 0), (8, 17, 0), (9, 8, 0))
    d4 = receive()
    d5 = receive(day=9, hh=10)
    d6 = receive()
    at(app, 5, 10)
    uc.act(app, d6, Refuse("Không thuộc thẩm quyền"), head)
    d7 = receive()
    uc.act(app, d7, Withdraw("Công dân xin rút"), desk)
    d8 = receive(unit="24133", official=world["tiepnhan2"])
    at(app, 13, 8, 30)
    return {"d1": d1, "d2": d2, "d3": d3, "d4": d4, "d5": d5, "d6": d6, "d7": d7, "d8": d8}


def row(report, prefix):
    return next(r for r in report["rows"] if str(r["group"]).startswith(prefix))


def test_ontime_by_unit_matches_the_hand_count(app, month):
    report = make_report(app, "ontime", JAN, "unit")
    commune = row(report, "24175")
    assert {k: commune[k] for k in ("received", "finished", "early", "on_time", "late",
                                    "in_progress", "due_soon", "overdue_now")} == {
        "received": 7, "finished": 4, "early": 2, "on_time": 1, "late": 1, "in_progress": 2,
        "due_soon": 1, "overdue_now": 1}
    assert commune["on_time_rate_pct"] == 75.0 and commune["on_track"] == 0
    assert row(report, "24133")["received"] == 1
    assert report["totals"]["received"] == 8 and report["totals"]["on_time_rate_pct"] == 75.0
    assert report["period"] == {"from": "2026-01-01", "to": "2026-01-31"}
    scoped = make_report(app, "ontime", JAN, "channel", unit_code="24175")
    assert {r["key"]: r["received"] for r in scoped["rows"]} == {"desk": 6, "online": 1}
    by_month = make_report(app, "ontime", JAN, "month")
    assert [(r["group"], r["received"]) for r in by_month["rows"]] == [("01/2026", 8)]
    empty = make_report(app, "ontime", Period(date(2026, 2, 1), date(2026, 2, 28)), "unit")
    assert empty["rows"] == [] and empty["totals"]["on_time_rate_pct"] is None


def test_step_overruns_are_charged_to_the_step_not_the_dossier(app, month):
    by_unit = make_report(app, "steps", JAN, "unit")
    commune, department = row(by_unit, "24175"), row(by_unit, "SO-TP")
    assert (commune["steps_finished"], commune["overruns"], commune["overrun_minutes"]) == \
        (6, 2, 1500)
    assert (department["steps_finished"], department["overruns"]) == (3, 0)
    by_official = make_report(app, "steps", JAN, "official")
    specialist = row(by_official, "Chuyenvien")
    assert (specialist["overruns"], specialist["overrun_minutes"]) == (2, 1500)
    # D2 overran a step yet is on time: accountability is not timeliness
    assert to_json(uc.get_dossier(app, month["d2"]))["timeliness"] == "on_time"


def test_workload_counts_open_steps_and_handled_steps(app, month):
    report = make_report(app, "workload", JAN, "official")
    specialist = row(report, "Chuyenvien")
    assert specialist["handled"] == 3 and specialist["handled_per_week"] == round(3 / (31 / 7), 1)
    unit = make_report(app, "workload", JAN, "unit")
    commune = row(unit, "24175")
    assert commune["open_dossiers"] == 2 and commune["overdue_open"] == 1


def test_index766_computes_each_indicator_as_the_national_portal_does(app, month):
    """Hand count for 24175 at 08:30 on 13 Jan (the period not over: open ones end now).

    2.1: D1, D2, D6 (refused), D7 (withdrawn) ended in time; D5 is still within time;
    D3 was late and D4 is open past due: 5 of 7 -> 71,43% -> 14,29 of 20.
    5.3: results D1, D2, D3, D6; D3 late, D2 rated "không hài lòng": (4 - 2) / 4 = 50%
    -> min(6, 6 x 0,5 / 0,9) = 3,33.
    """
    report = make_report(app, "index766", JAN)
    commune = row(report, "24175")
    ind = {i["code"]: i for i in commune["indicators"]}
    assert ind["2.1"]["inputs"] == {"timely": 5, "handled": 7}
    assert ind["2.1"]["value_pct"] == 71.43 and ind["2.1"]["points"] == 14.29
    assert ind["3.1"]["value_pct"] == 100.0 and ind["3.1"]["points"] == 6.0
    assert ind["3.2"]["value_pct"] == 14.29 and ind["3.2"]["points"] == 1.71
    # no online payment record: nothing is "paid online" however the dossier was filed
    assert ind["4.1"]["inputs"] == {"paid_online": 0, "fee_dossiers": 0}
    assert ind["4.1"]["points"] == 0.0 and ind["4.3"]["status"] == "chưa có dữ liệu"
    assert ind["5.3"]["inputs"] == {"finished": 4, "unsatisfied": 2, "late": 1, "disliked": 1}
    assert ind["5.3"]["value_pct"] == 50.0 and ind["5.3"]["points"] == 3.33
    assert ind["6.1"]["value_pct"] == 25.0 and ind["6.1"]["points"] == 1.5
    assert ind["6.2"]["inputs"] == {"digitised": 1, "received": 7} and ind["6.2"]["points"] == 0.57
    assert ind["1.3"]["inputs"] == {"complete": 0, "procedures": 1} and ind["1.3"]["points"] == 0
    for code in ("1.1", "1.2", "1.4", "6.3", "6.4", "6.5", "6.6", "6.7"):
        assert ind[code]["status"] == "chưa có dữ liệu" and ind[code]["points"] is None
    # no feedback answered in the period: 6 points each (DOMAIN.md: d = 0 gives 6)
    assert ind["5.1"]["inputs"] == {"on_time": 0, "answered": 0} and ind["5.1"]["points"] == 6
    assert ind["5.2"]["inputs"] == {"satisfied": 0, "rated": 0} and ind["5.2"]["points"] == 6
    assert "hồ sơ đã và đang xử lý đúng hạn, trong hạn: 5" in ind["2.1"]["inputs_text"]
    assert commune["points"] == 39.4 and commune["max_points_with_data"] == 70
    groups = {g["group"]: g for g in commune["groups"]}
    assert groups["Tiến độ giải quyết"]["points"] == 14.29
    assert groups["Công khai, minh bạch"]["max_points_with_data"] == 2


def _through_all_steps(app, world, code, *times):
    for when, who in zip(times, ("tiepnhan", "chuyenvien", "lanhdao"), strict=True):
        app.clock.set(when)
        uc.act(app, code, CompleteStep(), world[who])


def _received(app, world, n):
    app.clock.set(vn(2026, 1, 5, 9, 0))
    return [uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                               channel="desk", applicant=CITIZEN,
                               official=world["tiepnhan"]).code for _ in range(n)]


def test_index766_counts_open_dossiers_past_due_at_the_end_of_the_period_as_late(app, world):
    """10 received, 2 finished on time, 8 open and past due -> on-time 20% (4 of 20)."""
    codes = _received(app, world, 10)
    for code in codes[:2]:
        _through_all_steps(app, world, code, vn(2026, 1, 5, 10), vn(2026, 1, 6, 10),
                           vn(2026, 1, 7, 10))
    app.clock.set(vn(2026, 2, 10, 9, 0))
    ind = {i["code"]: i for i in row(make_report(app, "index766", JAN), "24175")["indicators"]}
    assert ind["2.1"]["inputs"] == {"timely": 2, "handled": 10}
    assert ind["2.1"]["value_pct"] == 20.0 and ind["2.1"]["points"] == 4.0


@pytest.mark.parametrize(("disliked_is_late", "rate", "points"),
                         [(True, 50.0, 3.33), (False, 40.0, 2.67)])
def test_index766_satisfaction_counts_each_unsatisfactory_dossier_once(app, world,
                                                                     disliked_is_late, rate,
                                                                     points):
    """10 finished, 5 late; one "không hài lòng" on a late dossier -> 50%, on a timely
    one -> 40%."""
    codes = _received(app, world, 10)
    for code in codes[:5]:  # due Thu 08/01 09:00
        _through_all_steps(app, world, code, vn(2026, 1, 5, 10), vn(2026, 1, 6, 10),
                           vn(2026, 1, 7, 10))
    for code in codes[5:]:
        _through_all_steps(app, world, code, vn(2026, 1, 7, 11), vn(2026, 1, 8, 10),
                           vn(2026, 1, 9, 10))
    app.clock.set(vn(2026, 1, 9, 11))
    for code in codes:
        uc.act(app, code, ReturnResult(), world["tiepnhan"])
    uc.act(app, codes[5] if disliked_is_late else codes[0], Rate(2, "Phải chờ lâu"),
           actor=APPLICANT)
    uc.act(app, codes[1], Rate(5), actor=APPLICANT)
    app.clock.set(vn(2026, 2, 2, 9))
    ind = {i["code"]: i for i in row(make_report(app, "index766", JAN), "24175")["indicators"]}
    assert ind["5.3"]["inputs"]["finished"] == 10 and ind["5.3"]["value_pct"] == rate
    assert ind["5.3"]["points"] == points
    assert ind["2.1"]["value_pct"] == 50.0


def test_only_a_real_online_payment_record_counts_as_paid_online(app, world):
    from motcua.domain.commands import RecordPayment
    from motcua.services.procedures import procedure_from_dict, save_procedures
    from tests.personas import BIRTH

    save_procedures(app, [procedure_from_dict({**BIRTH, "fee_amount": 8000, "fee": "8.000 đồng"})])
    paid, unpaid = (uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                                       channel="online", applicant=CITIZEN,
                                       official=world["tiepnhan"], payment_method="online").code
                    for _ in range(2))
    uc.act(app, paid, RecordPayment(8000, "online", "VNPAY-123456"))
    ind = {i["code"]: i for i in row(make_report(app, "index766", JAN), "24175")["indicators"]}
    assert ind["4.1"]["inputs"] == {"paid_online": 1, "fee_dossiers": 2}
    assert ind["4.1"]["value_pct"] == 50.0 and ind["4.1"]["points"] == 3.0
    assert ind["4.2"]["inputs"] == {"paid_procedures": 1, "fee_procedures": 1}
    assert ind["4.2"]["points"] == 2.0
    assert unpaid


def test_exports_have_vietnamese_headers_and_the_same_figures(app, month):
    report = make_report(app, "ontime", JAN, "unit")
    rows = list(csv.reader(io.StringIO(to_csv(report).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Nhóm", "Tiếp nhận", "Đã giải quyết"]
    commune = next(r for r in rows if r[0].startswith("24175"))
    assert commune[1:4] == ["7", "4", "2"] and rows[-1][0] == "Tổng cộng"
    sheet = load_workbook(io.BytesIO(to_xlsx(report))).active
    assert sheet["A1"].value == "BÁO CÁO KẾT QUẢ GIẢI QUYẾT HỒ SƠ"
    assert sheet["A2"].value == "Kỳ báo cáo: từ ngày 01/01/2026 đến ngày 31/01/2026"
    headers = [c.value for c in sheet[4]]
    assert headers[10] == "Tỷ lệ đúng hạn (%)"
    values = {r[0].value: r for r in sheet.iter_rows(min_row=5)}
    commune_row = next(v for k, v in values.items() if str(k).startswith("24175"))
    assert commune_row[1].value == 7 and commune_row[10].value == 75.0
    assert commune_row[1].number_format == "#,##0" and commune_row[10].number_format == "0.00"
    assert sheet.column_dimensions["A"].width == 40
    index = load_workbook(io.BytesIO(to_xlsx(make_report(app, "index766", JAN)))).active
    texts = [c.value for r in index.iter_rows(min_row=5) for c in r]
    assert "chưa có dữ liệu" in texts and "Tổng điểm" in texts


@pytest.mark.parametrize("by", ["unit", "procedure", "field", "channel", "month", "unit,month"])
def test_the_counters_give_the_same_figures_as_counting_the_dossiers(app, month, by):
    live = make_report(app, "ontime", JAN, by, source="live")
    counted = make_report(app, "ontime", JAN, by, source="stats")
    assert counted == live and live["totals"]["received"] == 8
    assert make_report(app, "index766", JAN, source="stats") == \
        make_report(app, "index766", JAN, source="live")


def test_rebuilding_the_counters_from_the_dossiers_changes_nothing(app, month):
    import sqlalchemy as sa

    from motcua.storage import stats
    from motcua.storage import tables as t

    def snapshot():
        with app.engine.connect() as conn:
            return {table.name: sorted(tuple(r) for r in conn.execute(
                sa.select(table).where(table.c.n != 0))) for table in stats.TABLES}

    kept = snapshot()
    with app.engine.begin() as conn:
        stats.rebuild(conn)
    assert snapshot() == kept and kept[t.unit_stats.name]
