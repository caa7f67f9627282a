"""Notifications through the outbox, sent by the real channel clients to a real SMTP server
(aiosmtpd) and to the providers' simulator over HTTP; on SQLite and PostgreSQL."""

from __future__ import annotations

import mailbox
from dataclasses import replace
from datetime import timedelta
from email import message_from_bytes
from email.policy import default

import httpx
import pytest

from motcua import channels
from motcua.domain.commands import Assign, CompleteStep, Extend, RequestSupplement, ReturnResult
from motcua.domain.errors import IllegalTransition, ValidationError
from motcua.domain.notifications import (
    SMS_MAX_CHARS,
    Channel,
    Template,
    check_template,
    msisdn,
    render,
)
from motcua.services import dossiers as uc
from motcua.services import notifications as notes
from motcua.services import reminders
from motcua.services.officials import set_email
from motcua.simulators.mailbox import MailServer, letters
from motcua.simulators.providers import ProviderSimulator, Served, settings_for
from motcua.worker import Worker
from tests.personas import CITIZEN
from tests.ports import free_port


@pytest.fixture
def mail(tmp_path):
    server = MailServer(tmp_path / "mail", free_port()).start()
    yield server
    server.stop()


@pytest.fixture
def sim():
    simulator = ProviderSimulator(receipts=False)
    served = Served(simulator.app(), free_port()).start()
    yield simulator, served.url
    served.stop()


def configure(app, mail=None, sim=None):
    extra = {}
    if mail is not None:
        extra.update(smtp_host="127.0.0.1", smtp_port=mail.port)
    if sim is not None:
        extra.update(settings_for(*sim))
    app.settings = replace(app.settings, **extra)
    return channels.senders(app.settings)


def receive(app, people, notify=None, **applicant):
    return uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                              channel="desk", applicant={**CITIZEN, **applicant},
                              official=people["tiepnhan"], notify=notify)


def later(app, delta: timedelta) -> None:
    app.clock.set(app.clock.now() + delta)


def rows(app, code):
    with app.uow() as uow:
        return uow.notifications.for_dossier(code)


def test_a_change_writes_its_notification_in_its_transaction_and_sends_nothing(app, world):
    view = receive(app, world)
    [row] = rows(app, view.code)
    assert (row.template, row.channel, row.status) == ("da_tiep_nhan", "zns", "pending")
    assert list(row.fallback) == ["sms", "print"]
    assert row.address == "0912345678" and row.recipient_name == CITIZEN["name"]
    # minimal parameters: no ID number, no internal note
    assert CITIZEN["id_number"] not in str(row.params)
    assert row.params["ma_ho_so"] == view.code and row.params["ngay_hen"]
    with pytest.raises(IllegalTransition):  # a refused act writes nothing
        uc.act(app, view.code, ReturnResult(), world["tiepnhan"])
    assert len(rows(app, view.code)) == 1


def test_email_arrives_with_its_vietnamese_subject_and_both_parts(app, world, mail):
    senders = configure(app, mail=mail)
    view = uc.receive_dossier(
        app, procedure_code="1.001193", unit_code="24175", channel="desk",
        applicant={**CITIZEN, "phone": "", "email": "cong.dan@example.vn"},
        official=world["tiepnhan"], notify={"channels": ["email"], "consent": True})
    result = notes.relay(app, senders)
    assert result.counts["sent"] == 1
    [row] = rows(app, view.code)
    assert row.status == "sent" and row.provider_message_id == f"motcua-{row.id}@localhost"
    [letter] = letters(mail.folder)
    assert letter.subject.startswith(f"Hồ sơ {view.code} đã được tiếp nhận, hẹn trả")
    assert "cong.dan@example.vn" in letter.to and "Phạm Thị Công Dân" in letter.to
    assert letter.message_id == f"<motcua-{row.id}@localhost>"
    assert "Ngày hẹn trả kết quả" in letter.text and "<p>" in letter.html
    box = mailbox.Maildir(mail.folder)
    raw = box.get_bytes(letter.key)
    assert b"=?utf-8?" in raw.split(b"\n\n", 1)[0].lower()  # the subject encoded (RFC 2047)
    parsed = message_from_bytes(raw, policy=default)
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]


def test_zns_then_sms_then_the_desk_print_list_when_a_number_cannot_be_reached(
        app, world, sim):
    senders = configure(app, sim=sim)
    view = receive(app, world, phone="0999123456")
    notes.relay(app, senders)  # ZNS: not on Zalo (-118): dead, SMS queued
    notes.relay(app, senders)  # SMS: 108: dead, print queued
    assert notes.relay(app, senders).counts == {"sent": 0, "retry": 0, "dead": 0, "fallback": 0}
    found = {r.channel: r for r in rows(app, view.code)}
    assert found["zns"].status == "dead" and "-118" in found["zns"].last_error
    assert found["zns"].attempts == 1  # a permanent failure is never retried
    assert found["sms"].status == "dead" and "108" in found["sms"].last_error
    assert found["print"].status == "pending"
    [notice] = notes.to_print(app, world["tiepnhan"])
    assert notice.dossier_code == view.code and view.code in notice.rendered.text
    assert notes.to_print(app, world["tiepnhan2"]) == []  # another desk's list
    notes.handed_over(app, notice.id, world["tiepnhan"])
    assert notes.to_print(app, world["tiepnhan"]) == []


def test_provider_requests_have_the_providers_shapes(app, world, sim):
    simulator, _ = sim
    senders = configure(app, sim=sim)
    view = receive(app, world, notify={"channels": ["sms", "zns"], "consent": False})
    notes.relay(app, senders)
    [sms] = simulator.messages
    body = sms["request"]
    assert body["Phone"] == "0912345678" and body["Brandname"] == "MOTCUA"
    assert body["SmsType"] == "2" and body["IsUnicode"] == "0"
    assert body["RequestId"].startswith("motcua-")
    assert body["Content"].isascii() and len(body["Content"]) <= SMS_MAX_CHARS
    assert f"da tiep nhan ho so {view.code}" in body["Content"]
    [row] = rows(app, view.code)
    assert row.provider_message_id == sms["id"]
    # eSMS's callbacks may leave RequestId empty: the SMSID finds the row
    assert notes.delivered(app, "", sms["id"]) == 1
    assert rows(app, view.code)[0].status == "delivered"
    assert notes.delivered(app, "motcua-abc", "") == 0
    # a ZNS request for the same event (a citizen who chose Zalo)
    other = receive(app, world, notify={"channels": ["zns"], "consent": False})
    notes.relay(app, senders)
    zns = simulator.messages[-1]["request"]
    assert zns["phone"] == "84912345678" and zns["template_id"] == "motcua_da_tiep_nhan"
    assert zns["tracking_id"].startswith("motcua-")
    assert zns["template_data"]["ma_ho_so"] == other.code
    assert all(len(v) <= 200 for v in zns["template_data"].values())


def test_the_smtp_server_down_for_a_while_rows_wait_then_go(app, world, tmp_path):
    port = free_port()
    app.settings = replace(app.settings, smtp_host="127.0.0.1", smtp_port=port)
    senders = channels.senders(app.settings)
    view = uc.receive_dossier(
        app, procedure_code="1.001193", unit_code="24175", channel="desk",
        applicant={**CITIZEN, "phone": "", "email": "a@example.vn"}, official=world["tiepnhan"])
    assert notes.relay(app, senders).counts["retry"] == 1
    [row] = rows(app, view.code)
    assert row.status == "failed_retryable" and row.attempts == 1
    assert row.next_attempt_at == app.clock.now() + timedelta(seconds=30)
    assert notes.relay(app, senders).counts["retry"] == 0  # not due yet
    server = MailServer(tmp_path / "later", port).start()
    try:
        later(app, timedelta(seconds=31))
        assert notes.relay(app, senders).counts["sent"] == 1
    finally:
        server.stop()
    assert len(letters(tmp_path / "later")) == 1


def test_a_provider_answering_4xx_is_dead_at_once_shown_and_retried_by_the_operator(
        app, world, sim, client_admin):
    simulator, url = sim
    senders = configure(app, sim=sim)
    view = receive(app, world, notify={"channels": ["zns"], "consent": False})
    httpx.post(f"{url}/_control", json={"fail": "4xx"})
    notes.relay(app, senders)
    zns = next(r for r in rows(app, view.code) if r.channel == "zns")
    assert zns.status == "dead" and zns.attempts == 1 and "HTTP 400" in zns.last_error
    admin = client_admin
    assert any(n.id == zns.id for n in notes.failed(app, admin))
    httpx.post(f"{url}/_control", json={"fail": None})
    notes.retry(app, zns.id, admin)
    notes.relay(app, senders)
    zns = next(r for r in rows(app, view.code) if r.channel == "zns")
    assert zns.status == "sent"


def test_the_rating_invitation_needs_consent_and_stops_after_unsubscribing(app, world, sim):
    senders = configure(app, sim=sim)
    def returned(notify):
        code = receive(app, world, notify=notify).code
        for who in ("tiepnhan", "chuyenvien", "lanhdao"):
            uc.act(app, code, CompleteStep(), world[who])
        uc.act(app, code, ReturnResult(), world["tiepnhan"])
        return {r.template: r for r in rows(app, code)}, code

    without, _ = returned({"channels": ["sms"], "consent": False})
    assert "moi_danh_gia" not in without  # not consented to: not queued at all
    assert without["co_ket_qua"].status == "pending"  # a mandatory notice all the same
    with_consent, code = returned({"channels": ["sms"], "consent": True})
    invite = with_consent["moi_danh_gia"]
    assert invite.status == "pending" and "/thong-bao/huy?ma=" in invite.params["huy_dang_ky"]
    mac = invite.params["huy_dang_ky"].rsplit("k=", 1)[1]
    with pytest.raises(ValidationError):
        notes.unsubscribe(app, code, "0" * len(mac))
    assert notes.unsubscribe(app, code, mac)
    with app.uow() as uow:
        assert uow.notifications.preferences(code).unsubscribed_at is not None
    notes.relay(app, senders)  # queued before the unsubscribe: checked again when sent
    after = {r.template: r for r in rows(app, code)}
    assert after["moi_danh_gia"].status == "suppressed"
    assert after["da_tra_ket_qua"].status == "sent"


def test_supplement_extension_and_assignment_tell_who_must_know(app, world):
    set_email(app, "chuyenvien", "chuyenvien@xa.gov.vn")
    code = receive(app, world).code
    uc.act(app, code, RequestSupplement(("Giấy chứng sinh",), reason="Thiếu bản chính"),
           world["tiepnhan"])
    asked = next(r for r in rows(app, code) if r.template == "yeu_cau_bo_sung")
    assert asked.params["giay_to_thieu"] == "Giấy chứng sinh"
    assert asked.params["ly_do"] == "Thiếu bản chính" and asked.params["han_bo_sung"]
    code = receive(app, world).code
    uc.act(app, code, CompleteStep(), world["tiepnhan"])
    uc.act(app, code, Assign(world["chuyenvien"].id), world["truongphong"])
    assigned = next(r for r in rows(app, code) if r.template == "giao_xu_ly")
    assert (assigned.recipient_kind, assigned.address) == ("official", "chuyenvien@xa.gov.vn")
    appointment = uc.dossier_detail(app, code, world["truongphong"]).appointment
    uc.act(app, code, Extend(appointment + timedelta(days=1), reason="Chờ xác minh"),
           world["truongphong"])
    sorry = next(r for r in rows(app, code) if r.template == "xin_loi_gia_han")
    assert sorry.params["ly_do"] == "Chờ xác minh" and sorry.params["ngay_hen_moi"]


def test_an_overdue_step_is_told_then_escalated_to_the_head_then_the_leader_once(app, world):
    set_email(app, "tiepnhan", "tiepnhan@xa.gov.vn")
    set_email(app, "truongphong", "truongphong@xa.gov.vn")
    code = receive(app, world).code  # step 1: 4 working hours at the desk
    assert reminders.run(app)["due_soon"] == 0
    later(app, timedelta(hours=3, minutes=30))  # 09:00 -> 12:30: 2.5 h worked
    later(app, timedelta(hours=1, minutes=30))  # 14:00: 3 h worked, 1 h left (< 20%? no)
    later(app, timedelta(minutes=15))  # 14:15: 3.25 h, 0.75 h left < 0.8 h
    assert reminders.run(app)["due_soon"] == 1
    later(app, timedelta(hours=1))  # 15:15: overdue by 15 min
    counts = reminders.run(app)
    assert counts["overdue"] == 1 and counts["escalate_head"] == 0
    later(app, timedelta(days=1))  # next day 15:15: overdue by 8 working hours
    counts = reminders.run(app)
    assert counts["escalate_head"] == 1 and counts["escalate_leader"] == 1
    assert reminders.run(app) == dict.fromkeys(reminders.RULE_LABELS, 0)  # never twice
    by_template = {}
    for r in rows(app, code):
        by_template.setdefault(r.template, []).append(r)
    assert [r.address for r in by_template["qua_han"]] == ["tiepnhan@xa.gov.vn"]
    assert [r.address for r in by_template["chuyen_cap"]] == ["truongphong@xa.gov.vn"]
    with app.uow() as uow:
        log = reminders.for_dossier(uow, code)
    assert {"due_soon", "overdue", "escalate_head", "escalate_leader"} <= {x.rule for x in log}
    leader = next(x for x in log if x.rule == "escalate_leader")
    assert "chưa có cán bộ" in leader.note  # the commune has no signer in this world
    head = next(x for x in log if x.rule == "escalate_head")
    assert head.recipients == ["Truongphong"] and "quá 8,2 giờ làm việc" in head.note  # 8 h 15 min


def test_the_worker_sends_runs_its_jobs_once_and_passes_them_on(app, world, mail):
    configure(app, mail=mail)
    set_email(app, "truongphong", "truongphong@xa.gov.vn")
    receive(app, world)
    later(app, timedelta(days=2))
    worker, other = Worker(app), Worker(app)
    done = worker.run_jobs()
    assert done["nhac_viec_chuyen_cap"]["escalate_head"] == 1
    assert other.run_jobs() == {}  # the turn is taken until the next run
    worker.drain()
    assert any("Chuyển cấp xử lý" in m.subject for m in letters(mail.folder))


@pytest.fixture
def client_admin(app):
    from motcua.services.officials import create_official
    from motcua.services.units import create_unit

    create_unit(app, code="P66", name="Tỉnh Đắk Lắk", kind="province")
    return create_official(app, username="quantri", full_name="Quản Trị", password="mat-khau-demo",
                           roles=[("P66", "admin")])


def test_templates_are_checked_versioned_and_rows_keep_their_version(app, world, client_admin):
    with pytest.raises(ValidationError, match="không dùng được"):
        check_template("{ten.__class__}", "x", "y")
    with pytest.raises(ValidationError):
        notes.save_template(app, "da_tiep_nhan", subject="Xin chào {ho_ten}", body="b", sms="s",
                            zns_template_id="", official=client_admin)
    before = receive(app, world).code
    saved = notes.save_template(app, "da_tiep_nhan", subject="Đã nhận hồ sơ {ma_ho_so}",
                                body="Kính gửi {ten}.\n\nHẹn {ngay_hen}.", sms="Hen {ngay_hen}",
                                zns_template_id="", official=client_admin)
    assert saved.version == 2
    after = receive(app, world).code
    assert rows(app, before)[0].template_version == 1
    assert rows(app, after)[0].template_version == 2


def test_rendering_escapes_html_strips_sms_diacritics_and_normalises_numbers():
    t = Template("x", 1, "Hồ sơ {ma_ho_so}", "Kính gửi {ten}", "Kính gửi {ten}")
    out = render(t, {"ten": "<b>Đỗ Thị Ánh</b>", "ma_ho_so": "X"})
    assert "&lt;b&gt;Đỗ Thị Ánh&lt;/b&gt;" in out.html and "<b>" not in out.html
    assert out.sms == "Kinh gui <b>Do Thi Anh</b>"
    assert msisdn("0912 345 678") == msisdn("+84912345678") == "84912345678"
    with pytest.raises(ValidationError):
        msisdn("12345")
    assert Channel.PRINT.label == "In và trao tay"


def test_a_long_vietnamese_subject_is_folded_without_losing_a_space():
    from motcua.channels.email import EmailSender

    template = Template("x", 1, "Hồ sơ {ma_ho_so} có nguy cơ trễ hẹn {ngay_hen}: lập Mẫu 04",
                        "Kính gửi {ten}", "x")
    params = {"ma_ho_so": "24175-261130-0002", "ngay_hen": "17:30 01/12/2026",
              "ten": "Nguyễn Quốc Huy"}
    outgoing = notes.Outgoing(7, "motcua-7", Channel.EMAIL, "huy@xa.gov.vn", "Nguyễn Quốc Huy",
                              template, params, render(template, params))
    raw = EmailSender("127.0.0.1", 25, "Một cửa <motcua@xa.gov.vn>").message(outgoing).as_bytes()
    head = raw.split(b"\n\n", 1)[0]
    assert head.isascii() and b"\n " in head  # encoded and folded
    parsed = message_from_bytes(raw, policy=default)
    assert str(parsed["Subject"]) == ("Hồ sơ 24175-261130-0002 có nguy cơ trễ hẹn "
                                      "17:30 01/12/2026: lập Mẫu 04")
    assert str(parsed["To"]) == "Nguyễn Quốc Huy <huy@xa.gov.vn>"


def test_due_soon_may_also_be_set_in_working_hours_before_the_step_deadline(app, world):
    code = receive(app, world).code  # step 1: 4 working hours
    assert reminders.run(app)["due_soon"] == 0  # 100% left: not by the share
    app.settings = replace(app.settings, due_soon_hours=6)
    assert reminders.run(app)["due_soon"] == 1  # fewer than 6 working hours left
    with app.uow() as uow:
        assert [x.rule for x in reminders.for_dossier(uow, code)] == ["due_soon"]
