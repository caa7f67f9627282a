"""Digitisation at the desk: scans stored at once and read by the worker (Tesseract's
Vietnamese model through OCRmyPDF) on generated scanned-like pages, search by a word
inside a scan, bad scans kept for a person, certified copies and signed results verified
fail-closed, the citizen's store and its reuse, Decision 766 group 6 (SQLite and
PostgreSQL)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta

import pikepdf
import pytest

from motcua import signing
from motcua.domain.commands import Attach, CompleteStep
from motcua.domain.documents import Upload
from motcua.domain.errors import PermissionDenied, ValidationError
from motcua.reports import make_report
from motcua.reports.core import Period
from motcua.reports.inbox import inbox
from motcua.services import digitisation as digi
from motcua.services import dossiers as uc
from tests.conftest import vn
from tests.personas import CITIZEN
from tests.scans import page, pdf_of, result_pdf

CERTIFICATE = "Giấy chứng sinh"


def receive(app, world, applicant=CITIZEN) -> str:
    return uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                              channel="desk", applicant=applicant,
                              official=world["tiepnhan"]).code


def photos(*pages: bytes) -> list[Upload]:
    return [Upload("", f"anh-{n}.jpg", data) for n, data in enumerate(pages, start=1)]


def component(app, code):
    [row] = digi.of_dossier(app, code)
    return row


def test_a_scan_is_stored_at_once_then_read_and_found_by_a_word_inside(app, world):
    code = receive(app, world)
    app.clock.set(app.clock.now() + timedelta(hours=2))
    scanned = digi.scan(app, code, world["tiepnhan"], name=CERTIFICATE, original=True,
                        uploads=photos(page(angle=3.0), page([], seed=2)))
    row = component(app, code)
    assert row.id == scanned and row.pages == 2 and row.source == "photos"
    assert row.same_day and row.ocr_status == "queued" and row.scanned_by_name == "Tiepnhan"
    assert row.sha256 == __import__("hashlib").sha256(app.files.read(row.sha256)).hexdigest()
    with app.uow() as uow:
        dossier = uow.dossiers.get(code)
        [stored] = uow.digitisation.stored(CITIZEN["id_number"])
    assert dossier.inputs_digitised and stored.name == CERTIFICATE and not stored.signed
    assert digi.run_ocr(app) == {"done": 1, "retried": 0, "person": 0}
    row = component(app, code)
    assert row.ocr_status == "done" and row.blank_pages == [2]
    # a search aid: a tone mark may be misread ("Trân"); the folded text is what is searched
    assert "tran thi mai anh" in row.ocr_search and "hoa phu" in row.ocr_search
    with pikepdf.open(io.BytesIO(app.files.read(row.ocr_sha256))) as searchable:
        assert "pdfaid" in str(searchable.open_metadata())  # PDF/A
    found = inbox(app, world["tiepnhan"], q="mai anh")  # without diacritics
    assert [r.row.code for r in found.rows] == [code]
    assert not inbox(app, world["tiepnhan"], q="không có chữ này").rows
    assert digi.run_ocr(app) == {"done": 0, "retried": 0, "person": 0}


def _encrypted() -> bytes:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf_of([page(noise=0)]))) as doc:
        doc.save(out, encryption=pikepdf.Encryption(owner="chu", user="mo-khoa"))
    return out.getvalue()


def test_bad_scans_are_refused_plainly_or_kept_for_a_person(app, world):
    code = receive(app, world)
    desk = world["tiepnhan"]
    with pytest.raises(ValidationError, match="PDF, JPEG hoặc PNG"):
        digi.scan(app, code, desk, name=CERTIFICATE, original=True,
                  uploads=[Upload("", "a.txt", b"khong phai anh")])
    with pytest.raises(ValidationError, match="thành phần hồ sơ"):
        digi.scan(app, code, desk, name="Sổ đỏ", original=True, uploads=photos(page()))
    with pytest.raises(ValidationError, match="một tệp PDF"):
        digi.scan(app, code, desk, name=CERTIFICATE, original=True,
                  uploads=[Upload("", "a.pdf", pdf_of([page()])),
                           Upload("", "b.pdf", pdf_of([page()]))])
    with pytest.raises(ValidationError, match="ngày hết hiệu lực|dd/mm/yyyy"):
        digi.scan(app, code, desk, name=CERTIFICATE, original=True, uploads=photos(page()),
                  valid_to="31/02/2030")
    with pytest.raises(PermissionDenied):
        digi.scan(app, code, world["tiepnhan2"], name=CERTIFICATE, original=True,
                  uploads=photos(page()))
    locked = digi.scan(app, code, desk, name=CERTIFICATE, original=True,
                       uploads=[Upload("", "khoa.pdf", _encrypted())])
    broken = digi.scan(app, code, desk, name=CERTIFICATE, original=True,
                       uploads=[Upload("", "hong.pdf", b"%PDF-1.4\n1 0 obj hong")])
    app.settings = replace(app.settings, ocr_max_pages=1)
    long_one = digi.scan(app, code, desk, name="Tờ khai đăng ký khai sinh", original=True,
                         uploads=photos(*(page([], size=(620, 877), dpi=75, seed=n)
                                          for n in range(3))))
    rows = {r.id: r for r in digi.of_dossier(app, code)}
    assert "mật khẩu" in rows[locked].ocr_error and rows[locked].ocr_status == "person"
    assert "hỏng" in rows[broken].ocr_error and rows[broken].ocr_status == "person"
    assert "quá 1 trang" in rows[long_one].ocr_error
    for row in rows.values():  # the originals are kept all the same
        assert app.files.read(row.sha256)
    # a time-out is retried, then left for a person
    app.settings = replace(app.settings, ocr_max_pages=200, ocr_timeout_s=0.05, ocr_attempts=2)
    slow = digi.scan(app, code, desk, name=CERTIFICATE, original=False, uploads=photos(page()))
    assert digi.run_ocr(app) == {"done": 0, "retried": 1, "person": 0}
    assert "quá 0 giây" in component_by_id(app, code, slow).ocr_error
    app.clock.set(app.clock.now() + timedelta(minutes=6))
    assert digi.run_ocr(app) == {"done": 0, "retried": 0, "person": 1}
    assert component_by_id(app, code, slow).ocr_status == "person"
    app.settings = replace(app.settings, ocr_timeout_s=600)
    digi.retry(app, slow, desk)
    assert digi.run_ocr(app)["done"] == 1


def component_by_id(app, code, component_id):
    return next(r for r in digi.of_dossier(app, code) if r.id == component_id)


def test_certified_copies_and_signed_results_verify_and_feed_the_store(app, world):
    code = receive(app, world)
    desk = world["tiepnhan"]
    original = digi.scan(app, code, desk, name=CERTIFICATE, original=True,
                         uploads=[Upload("", "scan.pdf", pdf_of([page(noise=0)]))])
    copy = digi.scan(app, code, desk, name="Tờ khai đăng ký khai sinh", original=False,
                     uploads=photos(page(noise=0)))
    with pytest.raises(PermissionDenied):
        digi.certify(app, original, world["tiepnhan2"])
    with pytest.raises(ValidationError, match="từ bản chính"):
        digi.certify(app, copy, desk)
    digi.certify(app, original, desk)  # before OCR: the scan itself is certified
    with pytest.raises(ValidationError, match="đã được chứng thực"):
        digi.certify(app, original, desk)
    row = component_by_id(app, code, original)
    assert row.verification.valid and row.verification.test
    assert "THỬ NGHIỆM" in row.verification.text and row.certified_by_name == "Tiepnhan"
    signed = app.files.read(row.certified_sha256)
    tampered = signed.replace(b"/Producer", b"/Producex", 1)
    keys = digi.keys(app)
    assert not signing.verify(tampered, keys.roots).valid
    assert not signing.verify(app.files.read(row.sha256), keys.roots).valid  # unsigned
    stranger = signing.TestAuthority(app.settings.data_dir / "ca-khac").root()
    assert not signing.verify(signed, (stranger,)).valid  # unknown signer: not valid

    for who in ("tiepnhan", "chuyenvien"):
        uc.act(app, code, CompleteStep(), world[who])
    view = uc.act(app, code, Attach("result", (Upload("Giấy khai sinh", "kq.pdf",
                                                      result_pdf()),)), world["lanhdao"])
    with app.uow() as uow:
        dossier = uow.dossiers.get(code)
        result = next(a for a in uow.attachments.for_dossier(dossier.id) if a.kind == "result")
    with pytest.raises(PermissionDenied):
        digi.sign_result(app, code, result.id, desk)
    digi.sign_result(app, code, result.id, world["lanhdao"])
    with app.uow() as uow:
        results = [a for a in uow.attachments.for_dossier(dossier.id) if a.kind == "result"]
        store = uow.digitisation.stored(CITIZEN["id_number"])
    check = digi.verify(app, results[-1].sha256)
    assert check.valid and len(check.signatures) == 2
    assert [s.signer.split(" (")[0] for s in check.signatures] == ["Lanhdao", "Xã Hòa Phú"]
    assert {(d.kind, d.signed) for d in store} == {("component", False), ("component", True),
                                                   ("result", True)}
    assert view.code == code

    # the same person files again: the certified copy is offered first, and reused
    again = receive(app, world)
    [offer, *_] = digi.offers(app, CITIZEN["id_number"], [CERTIFICATE, "Tờ khai"])
    assert offer.signed and offer.name == CERTIFICATE
    assert digi.reuse(app, again, offer.id, desk) == CERTIFICATE
    [reused] = digi.of_dossier(app, again)
    assert reused.reused_from_id == offer.id and reused.source == "reuse"
    # the reused certified copy carries a stamp's words: it is read in full all the same
    while digi.run_ocr(app)["done"]:
        pass
    [reused] = digi.of_dossier(app, again)
    assert reused.ocr_status == "done" and "mai anh" in reused.ocr_search
    assert "sao y tu ban chinh" in reused.ocr_search
    other = dict(CITIZEN, id_number="066190009999", phone="0987654321")
    stranger_code = receive(app, world, other)
    with pytest.raises(PermissionDenied, match="không phải của người nộp"):
        digi.reuse(app, stranger_code, offer.id, desk)
    assert digi.offers(app, "066190009999", [CERTIFICATE]) == []

    report = make_report(app, "index766", Period(vn(2026, 1, 1).date(), vn(2026, 1, 31).date()))
    found = {i["code"]: i for i in report["rows"][0]["indicators"]}
    assert found["6.3"]["inputs"] == {"certified": 1, "with_components": 2}
    assert found["6.4"]["inputs"] == {"reused": 1, "components": 3}
    assert found["6.5"]["inputs"] == {"shared": 1, "with_components": 2}
    assert found["6.4"]["points"] == round(min(2, 2 * (100 / 3) / 80), 2)


def test_the_digitisation_report_by_unit_and_by_procedure(app, world):
    from motcua.reports.export import to_csv, to_xlsx

    code = receive(app, world)
    receive(app, world)  # received, nothing digitised
    digi.scan(app, code, world["tiepnhan"], name=CERTIFICATE, original=True,
              uploads=[Upload("", "scan.pdf", pdf_of([page(noise=0)]))])
    period = Period(vn(2026, 1, 1).date(), vn(2026, 1, 31).date())
    by_unit = make_report(app, "digitisation", period)
    [row] = by_unit["rows"]
    assert row["group"] == "24175 Xã Hòa Phú" and row["received"] == 2
    assert (row["with_components"], row["same_day"], row["same_day_pct"]) == (1, 1, 50.0)
    assert row["shared"] == 1 and row["reused"] == 0 and row["reused_pct"] == 0.0
    by_procedure = make_report(app, "digitisation", period, by="procedure")
    assert by_procedure["rows"][0]["group"].startswith("1.001193 ")
    assert "Số hóa trong ngày tiếp nhận" in to_csv(by_unit).decode("utf-8")
    from motcua.reports import behind  # the 766 inputs open the dossiers behind them

    assert [r.code for r in behind(app, period, "scanned")] == [code]
    assert [r.code for r in behind(app, period, "shared")] == [code]
    assert behind(app, period, "certified") == []
    assert to_xlsx(by_procedure)[:2] == b"PK"


def test_the_signer_writes_the_result_in_motcua_then_signs_it(app, world):
    """A result written on the dossier page: A4 with Decree 30's margins and parts, the
    applicant as addressee, the signer's block; only the dossier's signer; then signed
    and sealed like an uploaded result, and offered in the citizen's store."""
    from pypdf import PdfReader

    from motcua.forms.pdf import written_result
    from tests.e2e.test_forms import text_of

    code = receive(app, world)
    fields = dict(title="Giấy xác nhận tình trạng hôn nhân", number="125/GXN-UBND",
                  summary="Về việc xác nhận tình trạng hôn nhân",
                  body="Ủy ban nhân dân xã Hòa Phú xác nhận:\nÔng/Bà có tên trên hiện "
                       "chưa đăng ký kết hôn với ai.", position="Chủ tịch")
    with pytest.raises(PermissionDenied):
        digi.generate_result(app, code, world["tiepnhan"], written_result, **fields)
    with pytest.raises(ValidationError, match="nội dung"):
        digi.generate_result(app, code, world["lanhdao"], written_result,
                             **{**fields, "body": " "})
    assert digi.generate_result(app, code, world["lanhdao"], written_result,
                                **fields) == fields["title"]
    with app.uow() as uow:
        dossier = uow.dossiers.get(code)
        [result] = [a for a in uow.attachments.for_dossier(dossier.id) if a.kind == "result"]
    pdf = app.files.read(result.sha256)
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == \
        (210, 297)
    text = text_of(pdf)
    for part in ("UBND XÃ HÒA PHÚ", "Số: 125/GXN-UBND", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                 "Hòa Phú, ngày 05 tháng 01 năm 2026", "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",
                 f"Kính gửi: Ông/Bà {CITIZEN['name']}", "chưa đăng ký kết hôn",
                 "Nơi nhận:", f"Lưu: VT, hồ sơ {code}", "TM. UBND XÃ HÒA PHÚ", "CHỦ TỊCH",
                 "Lanhdao"):
        assert part in text, part
    digi.sign_result(app, code, result.id, world["lanhdao"])
    with app.uow() as uow:
        results = [a for a in uow.attachments.for_dossier(dossier.id) if a.kind == "result"]
        store = uow.digitisation.stored(CITIZEN["id_number"])
    assert digi.verify(app, results[-1].sha256).valid
    assert [(d.kind, d.signed, d.name) for d in store] == [
        ("result", True, fields["title"])]
