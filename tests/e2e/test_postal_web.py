"""The post end to end over real sockets: a citizen files online asking for the result by
post, the desk accepts, prints the label and hands the parcel over; the carrier's
simulator pushes its events to motcua's webhook through a failed delivery and a
redelivery to the proof; the citizen's tracking page shows every step (SQLite and
PostgreSQL)."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import httpx
from pypdf import PdfReader

from motcua.domain.commands import CompleteStep
from motcua.services import dossiers as uc
from motcua.services import submissions
from motcua.simulators.carrier import CarrierSimulator, settings_for
from motcua.simulators.providers import Served
from motcua.web.app import create_app
from tests.e2e.test_notifications_web import signed_in
from tests.e2e.test_web import SLOTS, form_tokens
from tests.ports import free_port


def test_a_result_by_post_from_the_filing_to_the_proof_on_the_tracking_page(app, world):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    sim = CarrierSimulator(webhook=f"{base}/api/v1/buu-chinh/su-kien",
                           webhook_token="khoa-buu-chinh", default_scenario="failed_then_delivered")
    carrier = Served(sim.app(), free_port()).start()
    app.settings = replace(app.settings, public_url=base, **settings_for(sim, carrier.url))
    web = Served(create_app(app, "khoa-buu-chinh-web"), port).start()
    try:
        citizen = httpx.Client(base_url=base, timeout=10)
        form_page = citizen.get("/thu-tuc/1.001193/nop-truc-tuyen").text
        assert "Qua bưu chính công ích" in form_page and "Xã Hòa Phú" in form_page
        fields = {"name": "Phạm Thị Công Dân", "id_number": "066190001234",
                  "birth_year": "1990", "phone": "0912345678", "unit_code": "24175",
                  "kind": "person", "nhan_kq": "post", "kq_dia_chi": "12 Lê Duẩn",
                  "kq_xa": "", **form_tokens(form_page)}
        refused = citizen.post("/thu-tuc/1.001193/nop-truc-tuyen", data=fields, files=SLOTS)
        assert refused.status_code == 422 and "Chọn xã, phường nơi nhận kết quả" in refused.text
        fields.update(kq_xa="24175", **form_tokens(refused.text))
        filed = citizen.post("/thu-tuc/1.001193/nop-truc-tuyen", data=fields, files=SLOTS,
                             follow_redirects=False)
        assert filed.status_code == 303, filed.text
        [waiting] = submissions.waiting(app, world["tiepnhan"])
        code = submissions.accept(app, waiting.ref, world["tiepnhan"]).code
        for who in ("tiepnhan", "chuyenvien", "lanhdao"):
            uc.act(app, code, CompleteStep(), world[who])
        desk, csrf = signed_in(base, "tiepnhan")
        page = desk.get(f"/ho-so/{code}").text
        assert "Người dân đăng ký nhận qua bưu chính" in page and "Tạo vận đơn" in page
        wrong = desk.post(f"/ho-so/{code}/buu-chinh/van-don", follow_redirects=True, data={
            "csrf": csrf, "thanh_phan": "Trích lục khai sinh; bản photo"})
        assert "ghi “bản chính” hoặc “bản sao”" in wrong.text
        desk.post(f"/ho-so/{code}/buu-chinh/van-don", data={
            "csrf": csrf, "so_niem_phong": "NP-0001",
            "thanh_phan": "Giấy khai sinh; bản chính; 1\nTrích lục khai sinh; bản sao; 2"})
        page = desk.get(f"/ho-so/{code}").text
        number = re.search(r"bưu gửi (EE\d{9}VN)", page).group(1)
        label = desk.get(f"/ho-so/{code}/buu-chinh/nhan.pdf")
        pdf = PdfReader(io.BytesIO(label.content))
        box = pdf.pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (298, 420)  # A6
        text = pdf.pages[0].extract_text()
        assert number in text and "Phạm Thị Công Dân" in text and "Xã Hòa Phú" in text
        assert "Trích lục khai sinh (bản sao, 2 tờ)" in text and "NP-0001" in text
        done = desk.post(f"/ho-so/{code}/buu-chinh/ban-giao", data={
            "csrf": csrf, "nguoi_nhan": "Nguyễn Văn Bưu Tá", "loai_giay_to": "the_nganh",
            "so_giay_to": "BT00661234"}, follow_redirects=True)
        assert "Đã bàn giao cho bưu điện" in done.text and "******1234" in done.text
        record = PdfReader(io.BytesIO(desk.get(f"/ho-so/{code}/buu-chinh/bien-ban.pdf").content))
        assert "BIÊN BẢN BÀN GIAO" in record.pages[0].extract_text()
        for _ in range(7):  # picked up … not at home … redelivered … delivered, by webhook
            httpx.post(f"{carrier.url}/_advance", json={})
        detail = uc.dossier_detail(app, code, world["tiepnhan"])
        assert detail.status.value == "returned"
        csrf_t = form_tokens(citizen.get("/tra-cuu", params={"ma": code}).text)["csrf"]
        tracked = citizen.post("/tra-cuu", data={"csrf": csrf_t, "ma": code, "so": "5678"}).text
        for step in ("Đã bàn giao cho bưu điện", "Phát không thành công", "Phát lại",
                     "Đã phát thành công"):
            assert step in tracked, step
        assert 'alt="Chữ ký người nhận"' in tracked and "data:image/png;base64," in tracked
        form06 = PdfReader(io.BytesIO(desk.get(f"/ho-so/{code}/in/06").content))
        text06 = "".join(p.extract_text() for p in form06.pages)
        assert "Bưu chính công ích" in text06 and number in text06
        assert "Nguyễn Văn Bưu Tá" in text06 and "Phạm Thị Công Dân" in text06
        lead, _ = signed_in(base, "truongphong")  # the commune's head: his dashboard
        dash = lead.get("/lanh-dao").text
        returns = dash.split("Trả kết quả: tại quầy, qua bưu chính, điện tử")[1].split(
            "</table>")[0]
        assert re.search(r"Xã Hòa Phú</th><td>1</td><td>0</td><td>1</td><td>0</td><td>1</td>"
                         r"<td>1</td><td>1</td>", returns), returns
        listing = desk.get("/buu-chinh").text
        assert number in listing and "Đã phát thành công" in listing
        # the webhook refuses what does not come from the carrier
        hook = f"{base}/api/v1/buu-chinh/su-kien"
        assert httpx.post(hook, json={"DATA": {}, "TOKEN": "sai"}).status_code == 403
        assert httpx.post(hook, json={"DATA": {"ORDER_STATUS": "x"},
                                      "TOKEN": "khoa-buu-chinh"}).status_code == 400
        assert httpx.post(hook, json={"DATA": {"ORDER_NUMBER": "EE999999999VN",
                                               "ORDER_STATUS": 501,
                                               "ORDER_STATUSDATE": "05/01/2026 10:00:00"},
                                      "TOKEN": "khoa-buu-chinh"}).status_code == 404
    finally:
        web.stop()
        carrier.stop()
