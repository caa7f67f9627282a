"""Paying a fee online over real sockets, against the gateway's simulator (VNPAY's merchant
API): from the tracking page to the gateway and back, the IPN counted once; a replayed,
forged, unknown or wrong-amount callback refused; a lost IPN found by the worker's query;
Decision 766's "paid online" from the record (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import httpx

from motcua.channels.payment import Gateway, sign, signed_query
from motcua.reports import make_report
from motcua.reports.core import Period
from motcua.services import dossiers as uc
from motcua.services import payments
from motcua.services.procedures import procedure_from_dict, save_procedures
from motcua.simulators.payment import PaymentSimulator, settings_for
from motcua.simulators.providers import Served
from motcua.web.app import create_app
from tests.conftest import vn
from tests.e2e.test_web import form_tokens
from tests.personas import BIRTH, CITIZEN
from tests.ports import free_port

FEE = dict(BIRTH, code="1.000893", name="Cấp bản sao trích lục hộ tịch",
           fee="8.000 đồng/bản sao", fee_amount=8000)


def test_a_fee_paid_online_is_counted_once_and_only_on_the_gateway_word(app, world):
    save_procedures(app, [procedure_from_dict(FEE)])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    sim = PaymentSimulator(ipn_url=f"{base}/api/v1/thanh-toan/ipn")
    gateway_server = Served(sim.app(), free_port()).start()
    app.settings = replace(app.settings, public_url=base, **settings_for(sim, gateway_server.url))
    web = Served(create_app(app, "khoa-thanh-toan"), port).start()
    try:
        code = uc.receive_dossier(app, procedure_code="1.000893", unit_code="24175",
                                  channel="desk", applicant=CITIZEN,
                                  official=world["tiepnhan"]).code
        citizen = httpx.Client(base_url=base, timeout=10)
        form = citizen.get("/tra-cuu", params={"ma": code}).text
        tracked = citizen.post("/tra-cuu", data={"ma": code, "so": "1234",
                                                 **form_tokens(form)})
        assert "Thanh toán trực tuyến 8.000 đồng" in tracked.text
        wrong = citizen.post("/tra-cuu/thanh-toan", data={"ma": code, "so": "0000",
                                                          **form_tokens(tracked.text)})
        assert wrong.status_code == 404  # the 4 digits are checked again
        go = citizen.post("/tra-cuu/thanh-toan", data={"ma": code, "so": "1234",
                                                       **form_tokens(tracked.text)})
        to_gateway = go.headers["location"]
        query = {k: v[0] for k, v in parse_qs(urlparse(to_gateway).query).items()}
        assert query["vnp_Amount"] == "800000" and query["vnp_TmnCode"] == sim.tmn_code
        assert "Thanh toán" in citizen.get(to_gateway).text
        ref = query["vnp_TxnRef"]
        paid = citizen.post(f"{gateway_server.url}/paymentv2/pay",
                            data={"ref": ref, "ket_qua": "00"}, follow_redirects=True)
        assert sim.ipn_answers == [{"RspCode": "00", "Message": "Confirm Success"}]
        assert "Biên lai thanh toán trực tuyến" in paid.text and "8.000 đồng" in paid.text
        assert "Đã thanh toán" in paid.text
        with app.uow() as uow:
            dossier = uow.dossiers.get(code)
            [row] = uow.payments.of_dossier(code)
            actions = [e.action for e in uow.audit.events(dossier.id, code)]
        assert dossier.paid_online and row.status == "paid" and row.callbacks == 2
        assert actions[-1] == "pay"

        result = sim.orders[ref]["result"]
        assert sim.send_ipn(result)["RspCode"] == "02"  # replayed: nothing changes
        forged = dict(result, vnp_Amount="100")
        assert sim.send_ipn(forged)["RspCode"] == "97"  # changed after signing
        unknown = dict(result, vnp_TxnRef="KHONG-CO")
        unknown["vnp_SecureHash"] = sign(sim.secret, signed_query(unknown))
        assert sim.send_ipn(unknown)["RspCode"] == "01"
        with app.uow() as uow:
            assert [e.action for e in uow.audit.events(dossier.id, code)].count("pay") == 1
        again = citizen.post("/tra-cuu", data={"ma": code, "so": "1234",
                                               **form_tokens(tracked.text)}).text
        assert "đã thanh toán" in again and "Thanh toán trực tuyến 8.000" not in again

        # a second dossier: the IPN is lost, the browser never comes back
        lost = uc.receive_dossier(app, procedure_code="1.000893", unit_code="24175",
                                  channel="desk", applicant=CITIZEN,
                                  official=world["tiepnhan"]).code
        gateway = Gateway.from_settings(app.settings)
        url = payments.start(app, gateway, lost, "1234", "127.0.0.1")
        lost_ref = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}["vnp_TxnRef"]
        httpx.get(url)
        httpx.post(f"{gateway_server.url}/_ipn", json={"deliver": False})
        httpx.post(f"{gateway_server.url}/paymentv2/pay", data={"ref": lost_ref,
                                                                "ket_qua": "00"})
        wrong_amount = dict(sim.orders[lost_ref]["result"], vnp_Amount="500000")
        wrong_amount["vnp_SecureHash"] = sign(sim.secret, signed_query(wrong_amount))
        assert payments.result(app, gateway, wrong_amount, "ipn").code == "04"
        assert payments.reconcile(app, gateway) == {"paid": 0, "failed": 0, "unknown": 0}
        app.clock.set(app.clock.now() + timedelta(minutes=20))
        assert payments.reconcile(app, gateway) == {"paid": 1, "failed": 0, "unknown": 0}
        with app.uow() as uow:
            assert uow.dossiers.get(lost).paid_online
        report = make_report(app, "index766", Period(vn(2026, 1, 1).date(),
                                                     vn(2026, 1, 31).date()))
        found = {i["code"]: i for i in report["rows"][0]["indicators"]}
        assert found["4.1"]["inputs"] == {"paid_online": 2, "fee_dossiers": 2}
        assert re.search(r"\d", found["4.1"]["formula"])
    finally:
        web.stop()
        gateway_server.stop()


def test_the_desk_records_cash_transfer_or_cod_and_a_head_refunds_once(app, world):
    """Cash with its receipt number, at the receiving desk only, once; never "paid
    online"; a head pays it back with the reason, once; both in the audit chain."""
    from fastapi.testclient import TestClient

    from tests.e2e.test_web import login

    save_procedures(app, [procedure_from_dict(FEE)])
    code = uc.receive_dossier(app, procedure_code="1.000893", unit_code="24175",
                              channel="desk", applicant=CITIZEN,
                              official=world["tiepnhan"]).code
    desk = TestClient(create_app(app, "khoa-thu-phi"))
    csrf = login(desk, "tiepnhan")
    page = desk.get(f"/ho-so/{code}").text
    assert "Phí, lệ phí: 8.000 đồng" in page and "Ghi nhận đã thu 8.000 đồng" in page
    missing = desk.post(f"/ho-so/{code}/thu-phi", data={"csrf": csrf, "hinh_thuc": "cash"},
                        follow_redirects=True)
    assert "Nhập số biên lai" in missing.text
    online = desk.post(f"/ho-so/{code}/thu-phi", follow_redirects=True, data={
        "csrf": csrf, "hinh_thuc": "online", "so_chung_tu": "GIA-MAO"})
    assert "Chọn hình thức" in online.text  # the desk cannot say "paid online"
    outsider = TestClient(create_app(app, "khoa-thu-phi"))
    other = login(outsider, "tiepnhan2")
    refused = outsider.post(f"/ho-so/{code}/thu-phi", follow_redirects=True, data={
        "csrf": other, "hinh_thuc": "cash", "so_chung_tu": "BL-0001"})
    assert "không có quyền" in refused.text
    done = desk.post(f"/ho-so/{code}/thu-phi", follow_redirects=True, data={
        "csrf": csrf, "hinh_thuc": "cash", "so_chung_tu": "BL-0001"})
    assert "Đã ghi nhận thu phí" in done.text and "BL-0001" in done.text
    twice = desk.post(f"/ho-so/{code}/thu-phi", follow_redirects=True, data={
        "csrf": csrf, "hinh_thuc": "transfer", "so_chung_tu": "CK-9"})
    assert "đã được ghi nhận thanh toán" in twice.text
    [row] = payments.of_dossier(app, code)
    assert (row.method, row.status, row.amount, row.gateway_reference) == \
        ("cash", "paid", 8000, "BL-0001")
    assert row.recorded_by == world["tiepnhan"].full_name
    assert "Hoàn tiền" not in done.text  # a desk officer does not refund
    head = TestClient(create_app(app, "khoa-thu-phi"))
    head_csrf = login(head, "truongphong")
    no_reason = head.post(f"/ho-so/{code}/hoan-tien", follow_redirects=True, data={
        "csrf": head_csrf, "giao_dich": row.reference, "ly_do": ""})
    assert "Lý do" in no_reason.text or "lý do" in no_reason.text
    back = head.post(f"/ho-so/{code}/hoan-tien", follow_redirects=True, data={
        "csrf": head_csrf, "giao_dich": row.reference, "so_tien": "8000",
        "ly_do": "Hồ sơ bị từ chối tại bước thẩm định."})
    assert "Đã ghi nhận hoàn trả 8.000 đồng" in back.text and "Đã hoàn tiền" in back.text
    again = head.post(f"/ho-so/{code}/hoan-tien", follow_redirects=True, data={
        "csrf": head_csrf, "giao_dich": row.reference, "ly_do": "Lần nữa."})
    assert "Chỉ hoàn được khoản đã thanh toán" in again.text
    with app.uow() as uow:
        dossier = uow.dossiers.get(code)
        actions = [(e.action, e.data.get("method") or e.data.get("reason"))
                   for e in uow.audit.events(dossier.id, code) if e.action in ("pay", "refund")]
    assert not dossier.paid_online
    assert actions == [("pay", "cash"), ("refund", "Hồ sơ bị từ chối tại bước thẩm định.")]
