"""The seven Circular 03/2025 forms, rendered from real dossiers and read back.

Text is extracted with pypdf and checked field by field (diacritics included);
pages are rendered with pdftoppm (poppler-utils) and checked to be A4, not blank
and inside their margins; the QR code and the barcode are decoded with zbarimg.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from motcua.domain.commands import (
    CompleteStep,
    Extend,
    Refuse,
    RequestSupplement,
    ReturnResult,
    Stop,
    Supplement,
)
from motcua.domain.errors import IllegalTransition
from motcua.forms import content as printing
from motcua.forms.pdf import long_date, render_form, render_log_book
from motcua.services import dossiers as uc
from tests.conftest import vn
from tests.personas import CITIZEN

A4 = (595.28, 841.89)


@pytest.fixture
def dossiers(app, world):
    """Three dossiers whose histories fill every form: supplement + extension + return,
    a refusal, a stop."""
    clock = app.clock
    desk, head = world["tiepnhan"], world["truongphong"]
    applicant = {**CITIZEN, "address": "Thôn 3, xã Hòa Phú, tỉnh Đắk Lắk"}
    clock.set(vn(2026, 1, 5, 9, 5))
    full = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                              channel="desk", applicant=applicant, official=desk).code
    clock.set(vn(2026, 1, 5, 10, 0))
    uc.act(app, full, CompleteStep(), desk)
    clock.set(vn(2026, 1, 5, 14, 0))
    uc.act(app, full, RequestSupplement(["Giấy chứng sinh bản chính", "Sổ hộ khẩu"]), world["chuyenvien"])
    clock.set(vn(2026, 1, 6, 9, 0))
    uc.act(app, full, Supplement(), desk)
    clock.set(vn(2026, 1, 6, 10, 0))
    uc.act(app, full, Extend(vn(2026, 1, 13, 16, 0), "Cần xác minh thông tin cư trú"), head)
    clock.set(vn(2026, 1, 7, 15, 0))
    uc.act(app, full, CompleteStep(), world["chuyenvien"])
    clock.set(vn(2026, 1, 8, 9, 0))
    uc.act(app, full, CompleteStep())  # the signer's step at Sở Tư pháp
    clock.set(vn(2026, 1, 8, 10, 30))
    uc.act(app, full, ReturnResult(), desk)
    refused = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                                 channel="desk", applicant=applicant, official=desk).code
    uc.act(app, refused, Refuse("Hồ sơ không thuộc thẩm quyền của xã"), head)
    stopped = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                                 channel="desk", applicant=applicant, official=desk).code
    uc.act(app, stopped, Stop("Có tranh chấp về quan hệ cha, mẹ, con"), head)
    return {"full": full, "refused": refused, "stopped": stopped}


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


def pages_png(pdf: bytes, tmp_path, dpi: int = 100) -> list:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    source = folder / "form.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(source), str(folder / "page")],
                   check=True)
    return sorted(folder.glob("page*.png"))


def decode(png) -> list[str]:
    run = subprocess.run([shutil.which("zbarimg") or "zbarimg", "-q", str(png)],
                         capture_output=True, text=True)
    return run.stdout.split()


def check_layout(pdf: bytes, tmp_path, size=A4) -> None:
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        assert (round(float(page.mediabox.width), 1), round(float(page.mediabox.height), 1)) \
            == (round(size[0], 1), round(size[1], 1))
    fonts = {str(f) for p in reader.pages for f in p["/Resources"]["/Font"].values()
             for f in [f.get_object()["/BaseFont"]]}
    assert any("DejaVuSerif" in f for f in fonts), fonts
    for png in pages_png(pdf, tmp_path, dpi=40):
        image = Image.open(png).convert("L")
        width, height = image.size
        dark = sum(image.histogram()[:128])
        assert dark > 0.005 * width * height, "blank page"
        margin = int(0.035 * width)  # about 7 mm of paper all round stays white
        for box in ((0, 0, width, margin), (0, height - margin, width, height),
                    (0, 0, margin, height), (width - margin, 0, width, height)):
            assert image.crop(box).getextrema()[0] > 200, f"ink outside the margins at {box}"


def test_form_01_receipt_has_every_field_a_barcode_and_a_qr_code(app, dossiers, tmp_path):
    data = printing.dossier_forms(app, dossiers["full"])
    pdf = render_form(data, "01")
    text = text_of(pdf)
    code = dossiers["full"]
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "XÃ HÒA PHÚ", "Số: 0001/TNHS", "Hòa Phú, ngày 05 tháng 01 năm 2026",
                     "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", f"Mã hồ sơ: {code}",
                     "Ông/Bà: Phạm Thị Công Dân", "066190001234",
                     "Thôn 3, xã Hòa Phú, tỉnh Đắk Lắk", "0912345678",
                     "Đăng ký khai sinh (mã thủ tục 1.001193)", "Tờ khai đăng ký khai sinh",
                     "Giấy chứng sinh", "Số lượng hồ sơ: 01 bộ",
                     "Thời gian nhận hồ sơ: 09 giờ 05 phút, ngày 05/01/2026",
                     # a reprint shows the current appointment (the extension's) and the first
                     "Thời gian trả kết quả giải quyết hồ sơ: 16 giờ 00 phút, ngày 13/01/2026",
                     "hẹn khi tiếp nhận: 09 giờ 05 phút, ngày 08/01/2026",
                     "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)",
                     "Tiepnhan"):
        assert expected in text, expected
    check_layout(pdf, tmp_path)
    codes = decode(pages_png(pdf, tmp_path, dpi=200)[0])
    assert f"QR-Code:{app.settings.public_url}/tra-cuu?ma={code}" in codes
    assert f"CODE-128:{code}" in codes


def test_forms_02_to_06_say_what_happened(app, dossiers, tmp_path):
    full = printing.dossier_forms(app, dossiers["full"])
    assert printing.applicable(full) == ["01", "02", "04", "06"]
    expected = {
        "02": ["PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "ngày 05 tháng 01 năm 2026",
               "1. Giấy chứng sinh bản chính", "2. Sổ hộ khẩu", "NGƯỜI HƯỚNG DẪN",
               "không tính vào thời hạn giải quyết"],
        "04": ["VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
               "ngày 06 tháng 01 năm 2026", "Kính gửi: Ông/Bà Phạm Thị Công Dân",
               "Lý do: Cần xác minh thông tin cư trú",
               "hẹn trả kết quả vào 16 giờ 00 phút, ngày 13/01/2026", "THỦ TRƯỞNG CƠ QUAN"],
        "06": ["PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "Bước 1: Tiếp nhận, kiểm tra",
               "Giao: Người nộp hồ sơ", "Nhận: Xã Hòa Phú", "Bước 3: Ký duyệt",
               "Nhận: Sở Tư pháp", "Cơ quan phối hợp giải quyết hồ sơ: Sở Tư pháp",
               "Nhận: 09:05 05/01/2026", "Hoàn thành, chuyển: 10:00 05/01/2026", "Trả kết quả",
               "Trả: 10:30 08/01/2026"],
    }
    for form, phrases in expected.items():
        text = text_of(render_form(full, form))
        for phrase in phrases:
            assert phrase in text, (form, phrase)
    # form 06 judges each step against its planned deadline, from the audit trail
    six = text_of(render_form(full, "06"))
    ratings = [h["rating"] for h in full["handoffs"]]
    assert ratings[0] == "Đúng hạn" and all(r in six for r in ratings)
    assert "Tiepnhan" in six  # who handed step 1 over, from the audit trail
    refused = printing.dossier_forms(app, dossiers["refused"])
    text = text_of(render_form(refused, "03"))
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert "Hồ sơ không thuộc thẩm quyền của xã" in text and "Truongphong" in text
    stopped = printing.dossier_forms(app, dossiers["stopped"])
    text = text_of(render_form(stopped, "05"))
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text
    assert "Lý do: Có tranh chấp về quan hệ cha, mẹ, con" in text
    for data, form in ((full, "02"), (full, "04"), (full, "06"), (refused, "03"),
                       (stopped, "05")):
        check_layout(render_form(data, form), tmp_path)
    with pytest.raises(IllegalTransition, match="chưa được gia hạn"):
        printing.require_form(refused, "04")


def test_form_07_log_book_lists_the_units_dossiers_for_the_period(app, dossiers, tmp_path):
    book = printing.log_book(app, "24175", date(2026, 1, 1), date(2026, 1, 31))
    assert [r["code"] for r in book["rows"]] == sorted(dossiers.values())
    pdf = render_log_book(book)
    text = text_of(pdf)
    for phrase in ("SỔ THEO DÕI HỒ SƠ", "Từ ngày 01/01/2026 đến ngày 31/01/2026",
                   "Tổng số: 3 hồ sơ", "Tên thủ tục hành chính", *dossiers.values(),
                   "Đã trả kết quả", "Từ chối giải quyết", "Dừng giải quyết",
                   "ngày 31 tháng 01 năm 2026"):
        assert phrase in text, phrase
    check_layout(pdf, tmp_path, size=(A4[1], A4[0]))
    empty = printing.log_book(app, "24175", date(2026, 2, 1), date(2026, 2, 28))
    assert empty["rows"] == [] and "Tổng số: 0 hồ sơ" in text_of(render_log_book(empty))


def test_dates_are_written_as_officials_write_them():
    assert long_date(date(2025, 1, 16)) == "ngày 16 tháng 01 năm 2025"
    assert long_date(date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert long_date(date(2026, 3, 9)) == "ngày 09 tháng 3 năm 2026"
    assert long_date(date(2026, 12, 31)) == "ngày 31 tháng 12 năm 2026"


def test_forms_render_on_the_command_line(app, dossiers, database_url, tmp_path):
    out = tmp_path / "giay-hen.pdf"
    motcua = [sys.executable, "-m", "motcua.cli.main"]
    done = subprocess.run([*motcua, "forms", "render", "--dossier", dossiers["full"], "--form",
                           "01", "--out", str(out), "--database", database_url],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Đã in mẫu 01" in done.stdout and "Phạm Thị Công Dân" in text_of(out.read_bytes())
    book = tmp_path / "so.pdf"
    done = subprocess.run([*motcua, "forms", "render", "--form", "07", "--unit", "24175",
                           "--from", "01/01/2026", "--to", "31/01/2026", "--out", str(book),
                           "--database", database_url], capture_output=True, text=True)
    assert done.returncode == 0 and "SỔ THEO DÕI HỒ SƠ" in text_of(book.read_bytes())
    refused = subprocess.run([*motcua, "forms", "render", "--dossier", dossiers["refused"],
                              "--form", "04", "--out", str(tmp_path / "x.pdf"),
                              "--database", database_url], capture_output=True, text=True)
    assert refused.returncode == 2 and "chưa được gia hạn" in refused.stderr


def test_officials_print_from_the_dossier_page(app, world, dossiers):
    from fastapi.testclient import TestClient

    from motcua.web.app import create_app
    from tests.e2e.test_web import login

    client = TestClient(create_app(app, "khoa"))
    login(client, "tiepnhan")
    page = client.get(f"/ho-so/{dossiers['full']}")
    assert f"/ho-so/{dossiers['full']}/in/04" in page.text
    pdf = client.get(f"/ho-so/{dossiers['full']}/in/01")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "GIẤY TIẾP NHẬN" in text_of(pdf.content)
    assert client.get(f"/ho-so/{dossiers['refused']}/in/04").status_code == 400
    book = client.get("/so-theo-doi", params={"don_vi": "24175", "tu": "01/01/2026",
                                              "den": "31/01/2026"})
    assert "SỔ THEO DÕI HỒ SƠ" in text_of(book.content)
    assert client.get("/so-theo-doi", params={"don_vi": "24133", "tu": "01/01/2026",
                                              "den": "31/01/2026"}).status_code == 403
    # automatic printing of form 01 at desk receipt, when configured
    app.settings = app.settings.__class__(**{**app.settings.__dict__, "print_receipt": True})
    app.clock.set(app.clock.now() + timedelta(minutes=5))
    csrf = login(client, "tiepnhan")
    done = client.post("/tiep-nhan", data={
        "csrf": csrf, "procedure_code": "1.001193", "unit_code": "24175", "channel": "desk",
        "kind": "person", "name": "Y Blô Niê", "id_number": "066050001234"})
    assert 'id="in-tu-dong"' in done.text and "/in/01" in done.text
