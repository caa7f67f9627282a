"""Synchronising dossiers with the national portal: the portal's simulator over HTTP, the
outbox relay, an hour-long outage, a change of the code map and its replay, the nightly
reconciliation (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa

from motcua.channels.portal import PortalClient
from motcua.domain.calendar import VN_TZ
from motcua.domain.commands import CompleteStep, RequestSupplement, ReturnResult, Supplement
from motcua.domain.errors import ValidationError
from motcua.domain.national import NATIONAL_STATUSES, default_map, parse_portal_date, portal_date
from motcua.services import dossiers as uc
from motcua.services import national_sync as sync
from motcua.services.units import set_agency_code
from motcua.simulators.portal import PortalSimulator, settings_for
from motcua.simulators.providers import Served
from tests.conftest import vn
from tests.personas import CITIZEN
from tests.ports import free_port


def test_portal_dates_and_the_code_map():
    assert portal_date(vn(2026, 1, 5, 9, 3, 7)) == "20260105090307"
    assert parse_portal_date("20260105090307") == vn(2026, 1, 5, 9, 3, 7)
    with pytest.raises(ValidationError, match="yyyyMMddHHmmss"):
        parse_portal_date("05/01/2026")
    codes = default_map()
    assert codes.code("status", "returned") == "10" and codes.code("channel", "postal") == "3"
    assert set(codes.entries["status"].values()) <= set(NATIONAL_STATUSES)
    changed = codes.changed("status", "closed", "7")
    assert changed["status"]["closed"] == "7" and codes.entries["status"]["closed"] == "8"
    with pytest.raises(ValidationError, match="1–10"):
        codes.changed("status", "closed", "11")
    with pytest.raises(ValidationError, match="Không có giá trị"):
        codes.changed("status", "lost", "8")


@pytest.fixture
def admin(app, world):
    from motcua.services.officials import create_official
    from motcua.services.units import create_unit

    create_unit(app, code="P66", name="Tỉnh Đắk Lắk", kind="province")
    return create_official(app, username="quantri", full_name="Quản Trị",
                           password="mat-khau-demo", roles=[("P66", "admin")])


@pytest.fixture
def portal(app, world):
    sim = PortalSimulator()
    served = Served(sim.app(), free_port()).start()
    app.settings = replace(app.settings, **settings_for(sim, served.url),
                           dvcqg_madonvi="H15.50")
    sync.register(app.events)
    set_agency_code(app, "24175", "H15.50.05.13")
    client = PortalClient.from_settings(app.settings)
    yield sim, client, served.url
    client.close()
    served.stop()


def receive(app, world):
    return uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                              channel="desk", applicant=CITIZEN,
                              official=world["tiepnhan"]).code


def handle_to_the_end(app, world, code, step=timedelta(hours=1)):
    for who in ("tiepnhan", "chuyenvien", "lanhdao"):
        app.clock.set(app.clock.now() + step)
        uc.act(app, code, CompleteStep(), world[who])
    uc.act(app, code, ReturnResult(), world["tiepnhan"])


def test_every_change_reaches_the_portal_with_the_national_codes(app, world, portal):
    sim, client, _ = portal
    code = receive(app, world)
    sync.drain(app, client)
    record = sim.dossiers[code]
    assert record["MaTTHC"] == "1.001193" and record["TrangThaiHoSo"] == "4"
    assert record["KenhThucHien"] == "1" and record["HinhThuc"] == "0"
    assert record["LoaiDoiTuong"] == "1" and record["MaDonViXuLy"] == "H15.50.05.13"
    assert record["NgayTiepNhan"] == "20260105090000" and record["DonViXuLy"] == "Xã Hòa Phú"
    assert record["_madonvi"] == "H15.50.05.13"
    [first] = sim.progress[code]
    assert first["TrangThai"] == "2" and first["NguoiXuLy"] == "Tiepnhan"
    assert first["ChucDanh"] == "Cán bộ tiếp nhận (một cửa)"
    assert first["PhongBanXuLy"] == "Xã Hòa Phú"

    app.clock.set(app.clock.now() + timedelta(hours=1))
    uc.act(app, code, CompleteStep(), world["tiepnhan"])
    uc.act(app, code, RequestSupplement(("Giấy chứng sinh",), "Thiếu giấy chứng sinh"),
           world["chuyenvien"])
    sync.drain(app, client)
    assert sim.dossiers[code]["TrangThaiHoSo"] == "5"
    [asked] = sim.dossiers[code]["DanhSachHoSoBoSung"]
    assert asked["NoiDungBoSung"] == "Thiếu giấy chứng sinh" and asked["TrangThaiBoSung"] == "0"
    app.clock.set(app.clock.now() + timedelta(days=1))
    uc.act(app, code, Supplement(), world["tiepnhan"])
    for who in ("chuyenvien", "lanhdao"):
        uc.act(app, code, CompleteStep(), world[who])
    uc.act(app, code, ReturnResult(), world["tiepnhan"])
    result = sync.drain(app, client)
    record = sim.dossiers[code]
    assert record["TrangThaiHoSo"] == "10" and record["NgayTra"]
    assert record["DanhSachHoSoBoSung"][0]["NgayHenTraMoi"]
    states = [p["TrangThai"] for p in sim.progress[code]]
    assert states == ["2", "4", "5", "4", "4", "4", "10"]
    assert result.counts["dead"] == 0


def test_an_hour_long_outage_then_everything_arrives_once_in_order(app, world, portal):
    sim, client, url = portal
    httpx.post(url + "/_fail", json={"down": True})
    codes = []
    start = app.clock.now()
    for minute in range(0, 30, 10):
        app.clock.set(start + timedelta(minutes=minute))
        codes.append(receive(app, world))
        sync.relay(app, client)  # the worker keeps trying: every try fails
    for code in codes:
        handle_to_the_end(app, world, code, timedelta(minutes=3))
    for minute in range(60, 120, 5):
        app.clock.set(start + timedelta(minutes=minute))
        assert sync.relay(app, client).counts["sent"] == 0
    assert not sim.dossiers
    httpx.post(url + "/_fail", json={"down": False})
    app.clock.set(start + timedelta(hours=3))
    result = sync.drain(app, client)
    assert result.counts["dead"] == 0 and result.unchanged > 0
    for code in codes:
        assert sim.dossiers[code]["TrangThaiHoSo"] == "10"
        seen = [(p["ThoiDiemXuLy"], p["TrangThai"]) for p in sim.progress[code]]
        times = [at for at, _ in seen]
        assert len(seen) == 5 and times == sorted(times)  # once each, in order
        assert [s for _, s in seen] == ["2", "4", "4", "4", "10"]
    assert sim.calls["DongBoHoSoMC"] == len(codes)  # one up-to-date record each


def test_a_lost_answer_is_not_sent_twice_and_an_expired_session_is_renewed(app, world, portal):
    sim, client, _ = portal
    receive(app, world)
    sync.drain(app, client)
    with app.uow() as uow:  # motcua lost its trace of the send (a crash after the call)
        uow.conn.execute(sa.text("DELETE FROM national_sync_state"))
        uow.commit()
    sim.expire_sessions()
    sync.enqueue(app, app.clock.now() - timedelta(days=1), app.clock.now() + timedelta(days=1),
                 force=True)
    result = sync.drain(app, client)
    assert result.counts["sent"] == 1 and result.counts["dead"] == 0
    assert sim.calls["TraCuuHoSo"] == 2  # asked the portal, which holds it: an update


def test_a_changed_code_map_is_replayed_only_where_records_change(app, world, portal, admin):
    sim, client, _ = portal
    first, second = receive(app, world), receive(app, world)
    handle_to_the_end(app, world, second)
    sync.drain(app, client)
    calls = sim.calls["DongBoHoSoMC"]
    version = sync.change_code(app, admin, "status", "returned", "9")
    assert version == 2
    window = (app.clock.now() - timedelta(days=2), app.clock.now() + timedelta(days=1))
    assert sync.enqueue(app, *window, force=False) == 2
    result = sync.drain(app, client)
    assert sim.calls["DongBoHoSoMC"] == calls + 1 and result.unchanged == 1
    assert sim.dossiers[second]["TrangThaiHoSo"] == "9"
    assert sim.dossiers[first]["TrangThaiHoSo"] == "4"


def test_a_refused_record_stops_its_dossier_until_an_operator_acts(app, world, portal, admin):
    sim, client, _ = portal
    code = receive(app, world)
    with app.uow() as uow:
        [row, _] = uow.outbox.for_dossier(code)
    sim.password = "mat-khau-da-doi"  # the platform changed the account's password
    result = sync.relay(app, client)
    assert result.counts["dead"] == 1
    [dead] = sync.overview(app, admin).dead
    assert dead.id == row.id and "đăng nhập" in dead.last_error
    assert sync.relay(app, client).counts == {"sent": 0, "retry": 0, "dead": 0}  # held
    sim.password = PortalSimulator.password
    sync.resend(app, row.id, admin)
    result = sync.drain(app, client)
    assert result.counts["sent"] == 2 and code in sim.dossiers
    with pytest.raises(Exception, match="quản trị"):
        sync.overview(app, world["tiepnhan"])


def test_reconciliation_finds_an_injected_difference(app, world, portal):
    sim, client, url = portal
    codes = [receive(app, world) for _ in range(3)]
    sync.drain(app, client)
    window = (app.clock.now() - timedelta(days=1), app.clock.now() + timedelta(days=1))
    clean = sync.reconcile(app, client, *window)
    assert clean["differences"] == 0 and clean["motcua"] == clean["portal"] == 3
    httpx.post(url + "/_drop", json={"MaHoSo": codes[1]})
    found = sync.reconcile(app, client, *window)
    assert found["differences"] == 1 and found["portal"] == 2
    with app.uow() as uow:
        [last, _] = uow.national.reconciliations()[:2]
    [difference] = last.differences
    assert difference == {"unit": "H15.50.05.13", "procedure": "1.001193", "status": "4",
                          "month": "202601", "motcua": 3, "portal": 2}
    httpx.post(url + "/_fail", json={"down": True})
    failed = sync.reconcile(app, client, *window)
    assert failed["error"] and failed["differences"] == 0


def test_the_national_catalogue_is_compared_then_imported_as_new_versions(app, world, portal):
    from motcua.services import catalogue
    from motcua.services.procedures import list_procedures

    sim, client, url = portal
    records, listed = catalogue.fetch(app, client)
    assert [r["MATTHC"] for r in records] == ["1.001193"] and len(listed) > 30
    changes = catalogue.plan(app, records, listed)
    [birth] = [c for c in changes if c.code == "1.001193"]
    # the law's same-day deadline cannot hold the province's 24 working hours of steps:
    # the import refuses that version and says why
    assert birth.kind == "lỗi" and "vượt thời hạn" in birth.error
    assert any(c.kind == "mới" for c in changes)  # listed, not created
    assert catalogue.apply(app, changes) == 0
    # the portal publishes the procedure with three working days, a fee, online in full
    changed = dict(sim.catalogue["1.001193"], MUCDO="Toàn trình")
    changed["CACHTHUCTHUCHIEN"] = [{"KENH": k, "THOIGIAN": [{
        "THOIGIANGIAIQUYET": 3, "DONVITINH": "Ngày làm việc",
        "PHILEPHI": [{"SOTIEN": 8000, "MOTA": "8.000 đồng"}]}]} for k in ("1", "2")]
    httpx.post(url + "/_catalogue", json=changed)
    [again] = [c for c in catalogue.plan(app, *catalogue.fetch(app, client))
               if c.code == "1.001193"]
    assert again.kind == "thay đổi"
    found = {label: new for label, _, new in again.differences}
    assert found["Số tiền (đồng)"] == "8000" and found["Tên thủ tục"] == \
        "Thủ tục đăng ký khai sinh" and "Căn cứ pháp lý" in found
    assert catalogue.apply(app, [again]) == 1
    [p] = [p for p in list_procedures(app) if p.code == "1.001193"]
    assert p.version == 2 and p.online_level == "toàn trình" and p.fee_amount == 8000
    assert [c.value for c in p.channels] == ["desk", "online"] and p.deadline.amount == 3
    assert [s.name for s in p.steps] == ["Tiếp nhận, kiểm tra", "Thẩm định", "Ký duyệt"]
    [same] = [c for c in catalogue.plan(app, *catalogue.fetch(app, client))
              if c.code == "1.001193"]
    assert same.kind == "không đổi" and catalogue.apply(app, [same]) == 0
    with app.uow() as uow:
        assert uow.national.field_code("1.001193").startswith("LV")
    code = receive(app, world)  # the field code now travels with every dossier record
    sync.drain(app, client)
    assert sim.dossiers[code]["MaLinhVuc"].startswith("LV")


def test_the_cli_resends_reconciles_and_reads_a_catalogue_file(app, world, portal, tmp_path,
                                                              monkeypatch):
    from typer.testing import CliRunner

    from motcua.cli.main import app as cli

    sim, client, url = portal
    codes = [receive(app, world) for _ in range(2)]
    sync.drain(app, client)
    for name, value in (("DATABASE_URL", app.settings.database_url),
                        ("DATA_DIR", str(app.settings.data_dir)),
                        ("DVCQG_URL", app.settings.dvcqg_url),
                        ("DVCQG_AUTH_URL", app.settings.dvcqg_auth_url),
                        ("DVCQG_USERNAME", app.settings.dvcqg_username),
                        ("DVCQG_PASSWORD", app.settings.dvcqg_password),
                        ("DVCQG_DSTCODE", app.settings.dvcqg_dstcode),
                        ("PROVINCE", "66")):
        monkeypatch.setenv(f"MOTCUA_{name}", value)
    runner = CliRunner()
    done = runner.invoke(cli, ["sync", "reconcile", "--tu", "01/01/2026", "--den", "31/01/2026"])
    assert done.exit_code == 0, done.output
    assert "chênh lệch: 0" in done.output
    httpx.post(url + "/_drop", json={"MaHoSo": codes[0]})
    done = runner.invoke(cli, ["sync", "reconcile", "--tu", "01/01/2026", "--den", "31/01/2026"])
    assert done.exit_code == 1 and "chênh lệch: 1" in done.output
    done = runner.invoke(cli, ["sync", "resend", "--tu", "05/01/2026", "--den", "05/01/2026"])
    assert done.exit_code == 0 and "Đã xếp 2 hồ sơ" in done.output
    app.clock.set(datetime.now(VN_TZ) + timedelta(minutes=1))  # the CLI queued them now
    sync.drain(app, client)
    assert codes[0] in sim.dossiers
    bad = runner.invoke(cli, ["sync", "resend", "--tu", "31/02/2026", "--den", "05/01/2026"])
    assert bad.exit_code == 2 and "Ngày không hợp lệ" in bad.output
    saved = tmp_path / "danh-muc.json"
    record = dict(sim.catalogue["1.001193"])
    record["CACHTHUCTHUCHIEN"] = [{"KENH": "1", "THOIGIAN": [{
        "THOIGIANGIAIQUYET": 3, "DONVITINH": "Ngày làm việc", "PHILEPHI": []}]}]
    saved.write_text(json.dumps({"result": [record]}, ensure_ascii=False), "utf-8")
    shown = runner.invoke(cli, ["sync", "catalogue", "--file", str(saved)])
    assert shown.exit_code == 0 and "1.001193" in shown.output and "thay đổi" in shown.output
    assert "Tên thủ tục" in shown.output
    applied = runner.invoke(cli, ["sync", "catalogue", "--file", str(saved), "--apply"])
    assert "Đã tạo phiên bản mới cho 1 thủ tục" in applied.output
    saved.write_text("[{\"TEN\": 1}]", "utf-8")
    wrong = runner.invoke(cli, ["sync", "catalogue", "--file", str(saved)])
    assert wrong.exit_code == 2 and "MATTHC" in wrong.output


def test_decision_766_counts_dossiers_that_reached_the_portal_in_time(app, world, portal):
    from motcua.reports import make_report
    from motcua.reports.core import Period

    sim, client, url = portal
    on_time = receive(app, world)
    sync.drain(app, client)
    httpx.post(url + "/_fail", json={"down": True})
    late = receive(app, world)
    app.clock.set(app.clock.now() + timedelta(hours=3))  # the portal was down three hours
    sync.relay(app, client)
    httpx.post(url + "/_fail", json={"down": False})
    app.clock.set(app.clock.now() + timedelta(minutes=2))  # the retry's turn
    sync.drain(app, client)
    assert {on_time, late} <= set(sim.dossiers)
    report = make_report(app, "index766", Period(vn(2026, 1, 1).date(), vn(2026, 1, 31).date()))
    [unit] = report["rows"]
    found = {i["code"]: i for i in unit["indicators"]}
    assert found["1.4"]["inputs"] == {"synced": 1, "received": 2}
    assert found["1.4"]["value_pct"] == 50.0 and found["1.4"]["points"] == 3.0
    assert "chưa nhân" not in found["3.2"]["formula"]
    app.settings = replace(app.settings, dvcqg_url="")  # not connected: no data, as before
    report = make_report(app, "index766", Period(vn(2026, 1, 1).date(), vn(2026, 1, 31).date()))
    found = {i["code"]: i for i in report["rows"][0]["indicators"]}
    assert found["1.4"]["points"] is None and "chưa nhân" in found["3.2"]["formula"]


def test_every_ending_and_extension_is_synced_with_its_national_code(app, world, portal):
    from motcua.domain.commands import Extend, Refuse, Stop, Withdraw
    from motcua.services.dossiers import close_unsupplemented

    sim, client, _ = portal
    head, desk = world["truongphong"], world["tiepnhan"]
    codes = {name: receive(app, world)
             for name in ("refuse", "stop", "withdraw", "extend", "close")}
    uc.act(app, codes["refuse"], Refuse("Không thuộc thẩm quyền"), head)
    uc.act(app, codes["stop"], Stop("Người nộp không đủ điều kiện"), head)
    uc.act(app, codes["withdraw"], Withdraw("Đơn xin rút"), desk)
    uc.act(app, codes["extend"], Extend(vn(2026, 1, 20, 16), "Chờ xác minh"), head)
    uc.act(app, codes["close"], CompleteStep(), desk)
    uc.act(app, codes["close"], RequestSupplement(("Giấy chứng sinh",)), world["chuyenvien"])
    app.clock.set(app.clock.now() + timedelta(days=20))
    assert close_unsupplemented(app) == [codes["close"]]
    result = sync.drain(app, client)
    assert result.counts["dead"] == 0
    expected = {"refuse": ("3", "3"), "stop": ("8", "8"), "withdraw": ("7", "7"),
                "extend": ("4", "4"), "close": ("8", "8")}
    for name, (status, last_step) in expected.items():
        record, steps = sim.dossiers[codes[name]], sim.progress[codes[name]]
        assert (record["TrangThaiHoSo"], steps[-1]["TrangThai"]) == (status, last_step), name
    assert "Không thuộc thẩm quyền" in sim.progress[codes["refuse"]][-1]["NoiDungXuLy"]
    assert sim.dossiers[codes["extend"]]["NgayHenTra"] == "20260120160000"
    assert sim.progress[codes["close"]][-1]["NguoiXuLy"]  # the system, by name
    assert [p["TrangThai"] for p in sim.progress[codes["close"]]] == ["2", "4", "5", "8"]


def test_field_codes_and_agency_identifiers_come_from_the_national_lists(app, world, portal):
    from motcua.services import catalogue

    sim, client, _ = portal
    record = dict(sim.catalogue["1.001193"])
    record["LINHVUCTHUCHIEN"] = [{"MALINHVUC": "", "TENLINHVUC": "HỘ TỊCH"}]
    [filled] = catalogue.with_field_codes([record], client.fields())
    assert filled["LINHVUCTHUCHIEN"][0]["MALINHVUC"] == sim.fields["Hộ tịch"]
    sim.agencies.update({"H15.50.05.13": "Xã Hòa Phú", "H15.50.05.14": "Phường Buôn Ma Thuột"})
    found = {a.unit_code: a for a in catalogue.check_agencies(app, client.agencies())}
    assert found["24175"].finding == ""
    assert found["24133"].finding == "Chưa có mã định danh"
    assert found["24133"].suggestion == "H15.50.05.14"
    set_agency_code(app, "SO-TP", "H15.99")
    found = {a.unit_code: a for a in catalogue.check_agencies(app, client.agencies())}
    assert found["SO-TP"].finding.startswith("Mã không có")
