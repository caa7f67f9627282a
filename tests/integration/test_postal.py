"""Results returned by post, tracked to proof of delivery: the carrier's simulator over
HTTP driven through each scenario, the worker's polling, duplicates and events out of
order, failures, a lost parcel and the review list (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import httpx
import pytest

from motcua.channels.post import HttpCarrier
from motcua.domain.calendar import VN_TZ
from motcua.domain.commands import CompleteStep, ReturnResult
from motcua.domain.errors import IllegalTransition, ValidationError
from motcua.domain.postal import (
    CarrierEvent,
    Outcome,
    ShipmentStatus,
    checked_tracking_number,
    is_s10,
    masked_id,
    parse_contents,
)
from motcua.services import dossiers as uc
from motcua.services import postal
from motcua.simulators.carrier import CarrierSimulator, settings_for
from motcua.simulators.providers import Served
from tests.personas import CITIZEN
from tests.ports import free_port

S = ShipmentStatus


def test_upu_s10_numbers_are_checked_and_other_codes_kept():
    assert is_s10("EB000717618HK") and not is_s10("EB000717594HK")
    assert checked_tracking_number(" eb000717618hk ") == "EB000717618HK"
    with pytest.raises(ValidationError, match="chữ số kiểm tra"):
        checked_tracking_number("EB000717594HK")
    assert checked_tracking_number("10345381626") == "10345381626"  # another carrier's
    with pytest.raises(ValidationError):
        checked_tracking_number("x")
    assert masked_id("066190001234") == "********1234"
    assert parse_contents("Giấy khai sinh\n\nTrích lục; bản sao; 2") == [
        {"name": "Giấy khai sinh", "original": True, "sheets": 1},
        {"name": "Trích lục", "original": False, "sheets": 2}]
    with pytest.raises(ValidationError, match="Dòng 1: số tờ"):
        parse_contents("Giấy khai sinh; bản chính; nhiều")


@pytest.fixture
def carrier(app):
    sim = CarrierSimulator()
    served = Served(sim.app(), free_port()).start()
    app.settings = replace(app.settings, **settings_for(sim, served.url))
    http = HttpCarrier.from_settings(app.settings)
    yield http, served.url
    http.close()
    served.stop()


def by_post(app, world):
    """A dossier whose citizen asked for the result by post, with its result ready."""
    receiver = postal.receiver_from({"address": "12 Lê Duẩn", "commune": "24175"}, CITIZEN)
    code = uc.receive_dossier(
        app, procedure_code="1.001193", unit_code="24175", channel="desk", applicant=CITIZEN,
        official=world["tiepnhan"],
        with_dossier=lambda uow, d: postal.request_return(app, uow, d, receiver,
                                                          app.clock.now())).code
    for who in ("tiepnhan", "chuyenvien", "lanhdao"):
        uc.act(app, code, CompleteStep(), world[who])
    return code


def shipment(app, code):
    with app.uow() as uow:
        [view] = postal.of_dossier(uow, code)
    return view


def advance(app, url, carrier, steps=1, scenario=None, number=None):
    if scenario:
        httpx.post(f"{url}/_scenario", json={"scenario": scenario, "ORDER_NUMBER": number})
    for _ in range(steps):
        app.clock.set(app.clock.now() + timedelta(hours=3))
        httpx.post(f"{url}/_advance", json={
            "at": f"{app.clock.now().astimezone(VN_TZ):%d/%m/%Y %H:%M:%S}"})
    return postal.poll(app, carrier)


def labelled(app, world, carrier, scenario="delivered"):
    http, url = carrier
    code = by_post(app, world)
    view = postal.create_label(app, code, world["tiepnhan"], http)
    httpx.post(f"{url}/_scenario", json={"scenario": scenario,
                                          "ORDER_NUMBER": view.tracking_number})
    postal.hand_over(app, code, world["tiepnhan"], signer_name="Nguyễn Văn Bưu Tá",
                     id_type="the_nganh", id_number="BT-0066-1234")
    return code, view.tracking_number


def test_a_result_by_post_is_returned_only_on_proof_of_delivery(app, world, carrier):
    http, url = carrier
    code = by_post(app, world)
    assert shipment(app, code).status is S.REQUESTED
    with pytest.raises(IllegalTransition, match="bưu chính"):  # not at the desk
        uc.act(app, code, ReturnResult(), world["tiepnhan"])
    view = postal.create_label(app, code, world["tiepnhan"], http)
    assert is_s10(view.tracking_number) and view.status is S.LABEL_CREATED
    again = postal.create_label(app, code, world["tiepnhan"], http)  # a double click
    assert again.tracking_number == view.tracking_number
    with pytest.raises(ValidationError):
        postal.hand_over(app, code, world["tiepnhan"], signer_name="Bưu tá", id_type="cccd",
                         id_number="12")
    done = postal.hand_over(app, code, world["tiepnhan"], signer_name="Nguyễn Văn Bưu Tá",
                            id_type="cccd", id_number="066090001234")
    assert done.status is S.HANDED_TO_POST
    assert done.handovers[0].id_masked == "********1234"
    counts = advance(app, url, http, steps=5)
    assert counts["applied"] == 5
    after = shipment(app, code)
    assert after.status is S.DELIVERED and after.delivered_to == CITIZEN["name"]
    assert after.has_proof and postal.proof_image(app, code).startswith("data:image/png")
    detail = uc.dossier_detail(app, code, world["tiepnhan"])
    assert detail.status.value == "returned"
    assert detail.events[-1]["actor"].startswith("Bưu điện phát thành công")
    # the carrier's events again (the webhook after polling): nothing twice
    assert postal.poll(app, http) == {o.value: 0 for o in Outcome}  # delivered: not asked
    again = [postal.record(app, n or view.tracking_number, e, source="webhook", proof=p)
             for n, e, p in http.track(view.tracking_number)]
    assert again == [Outcome.DUPLICATE] * 5
    # an old event arriving late is kept, the status stays
    older = CarrierEvent(S.IN_TRANSIT, app.clock.now() - timedelta(days=1), "Bưu cục gốc",
                         event_id="300@late")
    assert postal.record(app, view.tracking_number, older, source="webhook") is \
        Outcome.CONFLICT  # after delivery: for review, not applied
    assert shipment(app, code).status is S.DELIVERED
    assert postal.reviews(app, world["tiepnhan"])[0].reason.startswith("Bưu điện báo")


def test_failed_then_redelivered_and_events_out_of_order(app, world, carrier):
    http, url = carrier
    code, number = labelled(app, world, carrier, "failed_then_delivered")
    advance(app, url, http, steps=5)
    view = shipment(app, code)
    assert view.status is S.REDELIVERY and view.failed_attempts == 1
    stale = CarrierEvent(S.IN_TRANSIT, app.clock.now() - timedelta(hours=20), "Bưu cục gốc",
                         event_id="300@stale")
    assert postal.record(app, number, stale, source="poll") is Outcome.RECORDED
    assert shipment(app, code).status is S.REDELIVERY
    advance(app, url, http, steps=2)
    assert shipment(app, code).status is S.DELIVERED
    assert uc.dossier_detail(app, code, world["tiepnhan"]).status.value == "returned"
    [row] = postal.returns_report(app, app.clock.now() - timedelta(days=30),
                                  app.clock.now() + timedelta(days=1), official=world["tiepnhan"])
    assert (row.unit, row.shipments, row.delivered, row.redelivered) == ("Xã Hòa Phú", 1, 1, 1)
    assert (row.returned, row.returned_by_post, row.returned_at_desk) == (1, 1, 0)
    assert postal.returns_report(app, app.clock.now() - timedelta(days=30),
                                 app.clock.now() + timedelta(days=1)) == [row]  # province
    assert row.median_hours == 21.0  # 7 events 3 h apart after the hand-over


def test_two_failed_deliveries_bring_the_result_back_to_the_desk(app, world, carrier):
    http, url = carrier
    code, _ = labelled(app, world, carrier, "failed_twice_returned")
    advance(app, url, http, steps=7)
    with app.uow() as uow:
        told = [r.template for r in uow.notifications.for_dossier(code)]
    assert "gui_buu_chinh" in told and "buu_chinh_khong_phat_duoc" in told
    advance(app, url, http, steps=3)
    assert shipment(app, code).status is S.RETURNED_TO_AGENCY
    uc.act(app, code, ReturnResult(), world["tiepnhan"])  # collected at the desk
    assert uc.dossier_detail(app, code, world["tiepnhan"]).status.value == "returned"


def test_a_parcel_without_news_is_flagged_lost_once(app, world, carrier):
    http, url = carrier
    from motcua.services.officials import set_email

    set_email(app, "truongphong", "truongphong@xa.gov.vn")
    code, _ = labelled(app, world, carrier, "lost")
    advance(app, url, http, steps=3)  # picked up, in transit, then silence
    assert postal.flag_lost(app) == 0
    app.clock.set(app.clock.now() + timedelta(days=8))
    assert postal.flag_lost(app) == 1 and postal.flag_lost(app) == 0
    assert shipment(app, code).lost
    assert any("thất lạc" in r.reason for r in postal.reviews(app, world["tiepnhan"]))
    with app.uow() as uow:
        rows = {r.template: r for r in uow.notifications.for_dossier(code)}
    assert rows["buu_gui_that_lac"].address == "truongphong@xa.gov.vn"
    assert "buu_gui_cham" in rows
    review = postal.reviews(app, world["tiepnhan"])[0]
    postal.resolve(app, review.id, world["tiepnhan"], "Đã gọi bưu cục, bưu gửi đang phát")
    assert postal.reviews(app, world["tiepnhan"]) == []


def test_cancelled_before_the_post_takes_it_then_events_go_to_review(app, world, carrier):
    http, _ = carrier
    code = by_post(app, world)
    view = postal.create_label(app, code, world["tiepnhan"], http)
    with pytest.raises(ValidationError):
        postal.cancel(app, code, world["tiepnhan"], http, "")
    postal.cancel(app, code, world["tiepnhan"], http, "Người dân đến nhận trực tiếp")
    late = CarrierEvent(S.OUT_FOR_DELIVERY, app.clock.now(), "Bưu cục phát", event_id="500@x")
    assert postal.record(app, view.tracking_number, late, source="webhook") is Outcome.CONFLICT
    uc.act(app, code, ReturnResult(), world["tiepnhan"])  # at the desk now
    with pytest.raises(Exception, match="bưu chính"):
        postal.create_label(app, code, world["tiepnhan2"], http)  # another desk


def test_the_postmans_scan_may_come_before_the_clerk_records_the_hand_over(
        app, world, carrier):
    http, url = carrier
    code = by_post(app, world)
    postal.create_label(app, code, world["tiepnhan"], http)
    advance(app, url, http)  # the carrier's "picked up" first
    assert shipment(app, code).status is S.HANDED_TO_POST
    view = postal.hand_over(app, code, world["tiepnhan"], signer_name="Bưu Tá",
                            id_type="the_nganh", id_number="BT00661234")
    assert len(view.handovers) == 1
    with pytest.raises(IllegalTransition, match="một lần"):
        postal.hand_over(app, code, world["tiepnhan"], signer_name="Bưu Tá",
                         id_type="the_nganh", id_number="BT00661234")


def test_a_result_chosen_electronically_is_returned_when_the_signed_result_is_ready(
        app, world):
    """Where the procedure allows it, the applicant chooses the electronic result; the
    dossier is returned by the system once it is ready and a signed result verifies (not
    before, not with an unsigned file); the returns report counts it apart."""
    from motcua.domain.commands import Attach
    from motcua.domain.documents import Upload
    from motcua.domain.lifecycle import Status
    from motcua.services import digitisation as digi
    from motcua.services.procedures import procedure_from_dict, save_procedures
    from tests.conftest import vn
    from tests.personas import BIRTH
    from tests.scans import result_pdf

    def receive(electronic=True):
        return uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                                  channel="desk", applicant=CITIZEN, official=world["tiepnhan"],
                                  with_dossier=postal.filing_hook(app, None,
                                                                  electronic=electronic)).code

    with pytest.raises(ValidationError, match="chưa cho phép trả kết quả điện tử"):
        receive()
    save_procedures(app, [procedure_from_dict({**BIRTH, "electronic_result": "có"})])
    code = receive()
    for who in ("tiepnhan", "chuyenvien"):
        uc.act(app, code, CompleteStep(), world[who])
    uc.act(app, code, Attach("result", (Upload("Giấy khai sinh", "kq.pdf", result_pdf()),)),
           world["lanhdao"])
    uc.act(app, code, CompleteStep(), world["lanhdao"])  # ready, but the file is unsigned
    with app.uow() as uow:
        dossier = uow.dossiers.get(code)
        assert dossier.status is Status.RESULT_READY
        result = next(a for a in uow.attachments.for_dossier(dossier.id) if a.kind == "result")
    digi.sign_result(app, code, result.id, world["lanhdao"])
    with app.uow() as uow:
        dossier = uow.dossiers.get(code)
        returned = uow.postal.electronic(code).returned_at
    assert dossier.status is Status.RETURNED and returned == dossier.returned_at
    report = postal.returns_report(app, vn(2026, 1, 1), vn(2026, 2, 1))
    assert [(r.returned, r.returned_electronically, r.returned_at_desk) for r in report] == \
        [(1, 1, 0)]


def test_the_return_fee_follows_the_tariff_by_zone(app, world):
    """MOTCUA_POSTAL_TARIFF: the unit's own commune, the province, beyond; a zone left
    out costs MOTCUA_POSTAL_FEE; a broken table is said plainly."""
    app.settings = replace(app.settings, postal_fee=30000,
                           postal_tariff='{"noi_xa": 15000, "noi_tinh": 22000}')
    app.catalogue_cache.clear()
    assert postal.tariff(app) == {"noi_xa": 15000, "noi_tinh": 22000, "ngoai_tinh": 30000}

    def fee(commune: str) -> int:
        receiver = postal.receiver_from({"name": CITIZEN["name"], "address": "12 Lê Duẩn",
                                         "commune": commune}, CITIZEN)
        code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                                  channel="desk", applicant=CITIZEN, official=world["tiepnhan"],
                                  with_dossier=postal.filing_hook(app, receiver)).code
        [shipment] = postal.dossier_shipments(app, code)
        return shipment.fee

    assert fee("24175") == 15000      # Hòa Phú itself
    assert fee("24133") == 22000      # elsewhere in Đắk Lắk
    assert fee("00004") == 30000      # Hà Nội: beyond the province
    app.settings = replace(app.settings, postal_tariff='{"noi_xa": "mười lăm"}')
    app.catalogue_cache.clear()
    with pytest.raises(ValidationError, match="MOTCUA_POSTAL_TARIFF"):
        postal.tariff(app)


def test_a_paper_dossier_posted_by_the_citizen_is_followed_to_the_desk(app, world, carrier):
    """Filed online, the citizen posts the papers at their post office and gives the
    number: motcua follows the parcel through the carrier until the desk receives it,
    and the parcel follows the filing when it becomes a dossier."""
    from motcua.domain.documents import Upload
    from motcua.domain.errors import NotFound
    from motcua.services import submissions
    from tests.e2e.test_web import PDF

    client, url = carrier
    view, _ = submissions.submit(
        app, procedure_code="1.001193", unit_code="24175", applicant=CITIZEN,
        uploads=[Upload("Tờ khai đăng ký khai sinh", "tk.pdf", PDF),
                 Upload("Giấy chứng sinh", "cs.pdf", PDF)],
        submission_key="khoa-buu-gui-ho-so-giay")
    number = httpx.post(f"{url}/_posted", json={
        "RECEIVER_FULLNAME": "Bộ phận một cửa, Xã Hòa Phú", "RECEIVER_ADDRESS": "Hòa Phú",
        "scenario": "delivered"}).json()["ORDER_NUMBER"]
    with pytest.raises(NotFound):
        postal.register_inbound(app, view.ref, "0000", number, "127.0.0.1")
    with pytest.raises(ValidationError):
        postal.register_inbound(app, view.ref, "1234", "EB000717594HK", "127.0.0.1")
    assert postal.register_inbound(app, view.ref, "1234", number, "127.0.0.1") == number
    with pytest.raises(ValidationError, match="đã được đăng ký"):
        postal.register_inbound(app, view.ref, "5678", number, "127.0.0.1")
    for _ in range(3):
        httpx.post(f"{url}/_advance", json={"ORDER_NUMBER": number})
    postal.poll(app, client)
    [parcel] = postal.dossier_shipments(app, view.ref)
    assert parcel.direction.value == "inbound" and parcel.status.value == "in_transit"
    code = submissions.accept(app, view.ref, world["tiepnhan"]).code
    [parcel] = postal.dossier_shipments(app, code)  # it followed the filing
    assert postal.dossier_shipments(app, view.ref) == []
    for _ in range(2):
        httpx.post(f"{url}/_advance", json={"ORDER_NUMBER": number})
    postal.poll(app, client)
    [parcel] = postal.dossier_shipments(app, code)
    assert parcel.status.value == "delivered"
    assert parcel.events[0].note.startswith("Người dân gửi hồ sơ giấy tại bưu cục")
    assert parcel.events[-1].status == "delivered" and parcel.delivered_to
