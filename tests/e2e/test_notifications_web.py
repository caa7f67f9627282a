"""Notifications end to end over real sockets: the web app served by uvicorn, a real SMTP
server, the providers' simulator calling the delivery-receipt webhooks back; the pages of
the operator, the desk, the dossier and the citizen's unsubscribe (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest

from motcua.services import dossiers as uc
from motcua.services.officials import create_official, set_email
from motcua.services.units import create_unit
from motcua.simulators.mailbox import MailServer, letters
from motcua.simulators.providers import ProviderSimulator, Served, settings_for
from motcua.web.app import create_app
from motcua.worker import Worker
from tests.e2e.test_web import SLOTS, form_tokens
from tests.personas import CITIZEN
from tests.ports import free_port


@pytest.fixture
def site(app, world, tmp_path):
    """The app served over HTTP with the SMTP server and the providers' simulator."""
    mail = MailServer(tmp_path / "mail", free_port()).start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    simulator = ProviderSimulator(zns_webhook=f"{base}/api/v1/thong-bao/bien-nhan/zns")
    providers = Served(simulator.app(), free_port()).start()
    app.settings = replace(app.settings, smtp_host="127.0.0.1", smtp_port=mail.port,
                           public_url=base, receipt_token="khoa-bien-nhan",
                           demo_mailbox=mail.folder, **settings_for(simulator, providers.url))
    create_unit(app, code="P66", name="Tỉnh Đắk Lắk", kind="province")
    create_official(app, username="quantri", full_name="Quản Trị", password="mat-khau-demo",
                    roles=[("P66", "admin")])
    web = Served(create_app(app, "khoa-thong-bao"), port).start()
    yield base, providers.url, mail
    web.stop()
    providers.stop()
    mail.stop()


def signed_in(base: str, username: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, timeout=10)
    token = form_tokens(client.get("/dang-nhap").text)["csrf"]
    done = client.post("/dang-nhap", data={"username": username, "password": "mat-khau-demo",
                                           "csrf": token}, follow_redirects=True)
    assert done.status_code == 200, done.text
    return client, form_tokens(done.text)["csrf"]


def wait_for(check, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("not within the time")


def statuses(app, code):
    with app.uow() as uow:
        return {(r.template, r.channel): r.status for r in uow.notifications.for_dossier(code)}


def test_an_online_filing_sends_a_real_email_shown_in_the_test_mailbox(app, world, site):
    base, _, mail = site
    citizen = httpx.Client(base_url=base, timeout=10)
    tokens = form_tokens(citizen.get("/thu-tuc/1.001193/nop-truc-tuyen").text)
    form = {"name": "Phạm Thị Công Dân", "id_number": "066190001234", "birth_year": "1990",
            "phone": "0912345678", "email": "cong.dan@example.vn", "unit_code": "24175",
            "kind": "person", "kenh": "email", "dong_y": "1", **tokens}
    filed = citizen.post("/thu-tuc/1.001193/nop-truc-tuyen", data=form, files=SLOTS)
    assert filed.status_code == 303, filed.text  # to the filing's receipt
    Worker(app).drain()
    [letter] = letters(mail.folder)
    assert letter.subject.startswith("Đã nhận hồ sơ trực tuyến TT-24175-")
    assert "chờ tiếp nhận" in letter.subject and "cong.dan@example.vn" in letter.to
    page = citizen.get("/hop-thu-thu-nghiem")
    assert page.status_code == 200 and letter.subject in page.text


def test_delivery_receipts_from_zalo_and_the_sms_provider_mark_rows_delivered(
        app, world, site):
    base, _, _ = site
    zalo = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175", channel="desk",
                              applicant=CITIZEN, official=world["tiepnhan"],
                              notify={"channels": ["zns"], "consent": False}).code
    sms = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175", channel="desk",
                             applicant=CITIZEN, official=world["tiepnhan"],
                             notify={"channels": ["sms"], "consent": False}).code
    Worker(app).drain()
    wait_for(lambda: statuses(app, zalo)[("da_tiep_nhan", "zns")] == "delivered")
    wait_for(lambda: statuses(app, sms)[("da_tiep_nhan", "sms")] == "delivered")
    with app.uow() as uow:
        row = uow.notifications.for_dossier(zalo)[0]
    assert row.delivered_at is not None and row.provider_message_id
    # receipts that do not come from the provider change nothing
    forged = httpx.post(f"{base}/api/v1/thong-bao/bien-nhan/zns", json={
        "event_name": "user_received_message", "timestamp": "1", "message": {"msg_id": "x"}},
        headers={"X-ZEvent-Signature": "mac=00"})
    assert forged.status_code == 403
    wrong = httpx.get(f"{base}/api/v1/thong-bao/bien-nhan/sms",
                      params={"khoa": "sai", "SMSID": "x", "SendStatus": "5"})
    assert wrong.status_code == 403


def test_operator_desk_and_dossier_pages_show_what_was_sent_and_what_failed(app, world, site):
    base, providers, _ = site
    set_email(app, "truongphong", "truongphong@xa.gov.vn")
    unreachable = uc.receive_dossier(
        app, procedure_code="1.001193", unit_code="24175", channel="desk",
        applicant={**CITIZEN, "phone": "0999123456"}, official=world["tiepnhan"]).code
    httpx.post(f"{providers}/_control", json={"fail": "4xx"})
    failing = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                                 channel="desk", applicant=CITIZEN, official=world["tiepnhan"],
                                 notify={"channels": ["zns"], "consent": False}).code
    worker = Worker(app)
    worker.drain()
    httpx.post(f"{providers}/_control", json={"fail": None})
    app.clock.set(app.clock.now() + timedelta(days=2))
    worker.run_jobs()  # both dossiers' first step is overdue: escalated to the head
    admin, csrf = signed_in(base, "quantri")
    page = admin.get("/thong-bao")
    assert page.status_code == 200 and "Không gửi được" in page.text
    with app.uow() as uow:
        dead = next(r.id for r in uow.notifications.for_dossier(failing) if r.channel == "zns")
    assert f'action="/thong-bao/{dead}/gui-lai"' in page.text
    assert admin.post(f"/thong-bao/{dead}/gui-lai", data={"csrf": csrf},
                      follow_redirects=True).status_code == 200
    worker.drain()
    assert statuses(app, failing)[("da_tiep_nhan", "zns")] in ("sent", "delivered")
    desk, csrf = signed_in(base, "tiepnhan")
    listing = desk.get("/thong-bao/can-in")
    assert unreachable in listing.text and "Đã in và trao" in listing.text
    notice = re.search(r'action="/thong-bao/(\d+)/da-trao"', listing.text).group(1)
    desk.post(f"/thong-bao/{notice}/da-trao", data={"csrf": csrf})
    assert unreachable not in desk.get("/thong-bao/can-in").text
    assert desk.get("/thong-bao").status_code == 403  # the operator's page is not the desk's
    dossier = desk.get(f"/ho-so/{unreachable}").text
    assert "Thông báo đã gửi" in dossier and "Không gửi được" in dossier
    assert "Chuyển cấp lãnh đạo phòng" in dossier and "Truongphong" in dossier
    assert "0999***456" in dossier and "0999123456" not in dossier.split("Thông báo đã gửi")[1]


def test_templates_are_edited_by_the_administrator_and_citizens_can_unsubscribe(
        app, world, site):
    base, _, _ = site
    admin, csrf = signed_in(base, "quantri")
    form = admin.get("/mau-thong-bao", params={"mau": "da_tiep_nhan"})
    assert form.status_code == 200 and "đang dùng phiên bản 1" in form.text
    bad = admin.post("/mau-thong-bao", data={
        "csrf": csrf, "mau": "da_tiep_nhan", "tieu_de": "Xin chào {ho_ten}",
        "noi_dung": "x", "tin_nhan": "y", "ma_zns": ""}, follow_redirects=True)
    assert "không dùng được" in bad.text
    good = admin.post("/mau-thong-bao", data={
        "csrf": csrf, "mau": "da_tiep_nhan", "tieu_de": "Đã tiếp nhận hồ sơ {ma_ho_so}",
        "noi_dung": "Kính gửi {ten}.\n\nHẹn trả {ngay_hen}.", "tin_nhan": "Hen tra {ngay_hen}",
        "ma_zns": "motcua_da_tiep_nhan"}, follow_redirects=True)
    assert "phiên bản 2" in good.text
    desk, _ = signed_in(base, "tiepnhan")
    assert desk.get("/mau-thong-bao").status_code == 403
    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                              channel="desk", applicant=CITIZEN, official=world["tiepnhan"],
                              notify={"channels": ["sms"], "consent": True}).code
    from motcua.services.notifications import unsubscribe_mac

    citizen = httpx.Client(base_url=base, timeout=10)
    ask = citizen.get("/thong-bao/huy", params={"ma": code, "k": unsubscribe_mac(app, code)})
    assert ask.status_code == 200 and "Xác nhận hủy nhận tin" in ask.text
    with app.uow() as uow:
        assert uow.notifications.preferences(code).unsubscribed_at is None  # a GET changes nothing
    done = citizen.post("/thong-bao/huy", data={"ma": code, "k": unsubscribe_mac(app, code)})
    assert done.status_code == 200 and "Đã ghi nhận" in done.text
    forged = citizen.post("/thong-bao/huy", data={"ma": code, "k": "0" * 24})
    assert forged.status_code == 400
