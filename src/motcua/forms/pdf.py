"""PDFs of the Circular 03/2025/TT-VPCP forms (Appendix I), drawn with ReportLab.

Text is set in DejaVu Serif from Debian's fonts-dejavu packages, embedded (as a
subset) in each PDF, so Vietnamese prints with every diacritic and stays
selectable and extractable. Each dossier form carries the dossier code as a
Code 128 barcode and a QR code of its public tracking page. Dates are written
as Decree 30/2020 asks: "Buôn Ma Thuột, ngày 05 tháng 01 năm 2026" (a zero
before days under 10 and months 1 and 2).
"""

from __future__ import annotations

import io
import os
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.graphics.barcode import code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.fonts import addMapping
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from motcua.forms.content import FORMS, result_document

FONT_DIR = Path(os.environ.get("MOTCUA_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))
FONT_FILES = {"Serif": "DejaVuSerif.ttf", "Serif-Bold": "DejaVuSerif-Bold.ttf",
              "Serif-Italic": "DejaVuSerif-Italic.ttf",
              "Serif-BoldItalic": "DejaVuSerif-BoldItalic.ttf"}
_fonts_ready = False


class FontMissing(RuntimeError):
    pass


def _register_fonts() -> None:
    global _fonts_ready
    if _fonts_ready:
        return
    for name, filename in FONT_FILES.items():
        path = FONT_DIR / filename
        if not path.exists():
            raise FontMissing(f"Thiếu phông chữ {path}: cài gói Debian fonts-dejavu-core và "
                              f"fonts-dejavu-extra (make fonts) hoặc đặt MOTCUA_FONT_DIR.")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    # each face is also a family, so <b> and <i> work whatever face a style starts from
    faces = {(0, 0): "Serif", (1, 0): "Serif-Bold", (0, 1): "Serif-Italic",
             (1, 1): "Serif-BoldItalic"}
    for (bold, italic), family in faces.items():
        for b in (0, 1):
            for i in (0, 1):
                addMapping(family, b, i, faces[(bold or b, italic or i)])
    _fonts_ready = True


def _style(name: str, size: float = 12, **kw) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=kw.pop("font", "Serif"), fontSize=size,
                          leading=kw.pop("leading", size * 1.35), **kw)


S = {
    "body": _style("body", 12, alignment=TA_JUSTIFY, spaceAfter=2, leading=15.5),
    "small": _style("small", 9),
    "cell": _style("cell", 9, leading=11.5),
    "cell_b": _style("cell_b", 9, font="Serif-Bold", leading=11.5, alignment=TA_CENTER),
    "book": _style("book", 7.4, leading=9),
    "book_b": _style("book_b", 7.4, font="Serif-Bold", leading=9, alignment=TA_CENTER),
    "center": _style("center", 12, alignment=TA_CENTER),
    "agency": _style("agency", 11, alignment=TA_CENTER, leading=14),
    "motto": _style("motto", 11, font="Serif-Bold", alignment=TA_CENTER, leading=14),
    "title": _style("title", 14, font="Serif-Bold", alignment=TA_CENTER, spaceBefore=6,
                    spaceAfter=8),
    "date": _style("date", 12, font="Serif-Italic", alignment=TA_RIGHT),
    "sign": _style("sign", 12, font="Serif-Bold", alignment=TA_CENTER),
    "sign_i": _style("sign_i", 10.5, font="Serif-Italic", alignment=TA_CENTER),
}


def long_date(day: date | datetime) -> str:
    """ "ngày 05 tháng 01 năm 2026": zero before days < 10 and months 1-2 (Decree 30/2020)."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def clock_date(value: datetime | None) -> str:
    """ "09 giờ 05 phút, ngày 05/01/2026" (blank dots when unknown, for hand filling)."""
    if value is None:
        return "…… giờ …… phút, ngày …/…/……"
    return f"{value:%H} giờ {value:%M} phút, ngày {value:%d/%m/%Y}"


def short(value: datetime | None, sep: str = " ") -> str:
    return f"{value:%H:%M}{sep}{value:%d/%m/%Y}" if value else ""


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(text, S[style])


def _e(text: object) -> str:
    return escape(str(text or ""))


def _field(label: str, value: object) -> Paragraph:
    shown = _e(value) if value not in (None, "") else "……………………………………"
    return _p(f"{label}: <b>{shown}</b>")


def _header(agency: tuple[str, str], number: str, place: str, day: datetime | date | None,
            width: float) -> list:
    left = [_p(_e(agency[0]), "agency"), _p(f"<b>{_e(agency[1])}</b>", "agency"),
            _p("—————", "agency")]
    if number:
        left.append(_p(f"Số: {_e(number)}", "agency"))
    right = [_p("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "motto"),
             _p("<u>Độc lập - Tự do - Hạnh phúc</u>", "motto")]
    table = Table([[left, right]], colWidths=[width * 0.4, width * 0.6])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    out = [table, Spacer(1, 4 * mm)]
    if day is not None:
        out.append(_p(f"{_e(place)}, {long_date(day)}", "date"))
    return out


def _codes(code: str, url: str, width: float) -> Table:
    bars = code128.Code128(code, barHeight=11 * mm, barWidth=0.33 * mm, humanReadable=False,
                           quiet=True)
    qr = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = qr.getBounds()
    size = 24 * mm
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(qr)
    left = [bars, _p(f"Mã hồ sơ: <b>{_e(code)}</b>", "small")]
    right = [drawing, _p("Quét để tra cứu hồ sơ", "small")]
    table = Table([[left, right]], colWidths=[width - 32 * mm, 32 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def _signatures(width: float, *columns: tuple[str, str, str]) -> KeepTogether:
    cells = []
    for title, hint, name in columns:
        cells.append([_p(title, "sign"), _p(hint, "sign_i"), Spacer(1, 16 * mm),
                      _p(f"<b>{_e(name)}</b>" if name else "", "center")])
    if len(cells) == 1:
        cells.insert(0, "")
    table = Table([cells], colWidths=[width / 2, width / 2])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return KeepTogether([Spacer(1, 3 * mm), table])


def _person(name: str) -> str:
    """An official's name for a signature; nothing when the actor was not an official."""
    return "" if not name or "(nộp trực tuyến)" in name or name == "Hệ thống" else name


def _applicant_block(d: dict) -> list:
    a = d["applicant"]
    return [_field("Ông/Bà", a["name"]),
            _field("Số định danh cá nhân / Mã số thuế", a["id_number"]),
            _field("Địa chỉ", a["address"]),
            _p(f"Số điện thoại: <b>{_e(a['phone']) or '……………'}</b>"
               f"&nbsp;&nbsp;&nbsp; Thư điện tử: <b>{_e(a['email']) or '……………'}</b>")]


def _opening(d: dict, form: str, suffix: str, day, width: float) -> list:
    """What every dossier form starts with: agency and motto blocks, place and date, the title,
    the dossier's barcode and QR code."""
    number = f"{d['sequence']}/{suffix}" if suffix else ""
    return [*_header(d["agency"], number, d["place"], day, width), _p(FORMS[form].upper(), "title"),
            _codes(d["code"], d["tracking_url"], width), Spacer(1, 2 * mm)]


def _form_01(d: dict, width: float) -> list:
    docs = [_p(f"&nbsp;&nbsp;- {_e(name)}{f' ({_e(copies)})' if copies else ''};")
            for name, copies in d["documents"]] or [_p("&nbsp;&nbsp;- ……………………")]
    return [
        *_opening(d, "01", "TNHS", d["received_at"], width),
        _p(f"{_e(d['unit_name'])} đã tiếp nhận hồ sơ của:"), *_applicant_block(d),
        _field("Nội dung yêu cầu giải quyết",
               f"{d['procedure_name']} (mã thủ tục {d['procedure_code']})"),
        _p("1. Thành phần hồ sơ nộp gồm:"), *docs,
        _p("2. Số lượng hồ sơ: 01 bộ."),
        _p(f"3. Thời gian giải quyết hồ sơ theo quy định: {_e(d['deadline_text'])}."),
        _p(f"4. Thời gian nhận hồ sơ: <b>{clock_date(d['received_at'])}</b>."),
        _p(f"5. Thời gian trả kết quả giải quyết hồ sơ: <b>{clock_date(d['appointment'])}</b>"
           + ("." if d["appointment"] == d["appointment_at_receipt"] else
              f" (hẹn khi tiếp nhận: {clock_date(d['appointment_at_receipt'])}; hẹn lại sau khi "
              f"nhận đủ hồ sơ bổ sung hoặc gia hạn).")),
        _p(f"6. Hình thức nộp: {_e(d['channel'])}; nhận kết quả tại {_e(d['unit_name'])}."),
        _p(f"Vào Sổ theo dõi hồ sơ, số thứ tự: {_e(d['sequence'])}."),
        _signatures(width, ("NGƯỜI NỘP HỒ SƠ", "(Ký và ghi rõ họ tên)", d["applicant"]["name"]),
                    ("NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)",
                     _person(d["received_by"]))),
    ]


def _form_02(d: dict, width: float) -> list:
    request = d["supplements"][-1]
    items = [_p(f"&nbsp;&nbsp;{i}. {_e(m)}") for i, m in enumerate(request["missing"], 1)]
    body = [
        *_opening(d, "02", "PYCBS", request["requested_at"], width),
        _field("Hồ sơ của", d["applicant"]["name"]),
        _field("Nội dung yêu cầu giải quyết", d["procedure_name"]),
        _field("Ngày tiếp nhận", f"{d['received_at']:%d/%m/%Y}"),
        _p(f"Sau khi xem xét, {_e(d['unit_name'])} đề nghị Ông/Bà bổ sung, hoàn thiện hồ sơ "
           f"gồm những nội dung sau:"),
        *(items or [_p("&nbsp;&nbsp;1. ……………………………………")]),
    ]
    if request["reason"]:
        body.append(_p(f"Lý do: {_e(request['reason'])}."))
    if request["seq"] > 1:
        body.append(_p(f"<i>(Yêu cầu bổ sung lần thứ {request['seq']}.)</i>"))
    return [*body,
            _p("Thời gian chờ bổ sung, hoàn thiện hồ sơ không tính vào thời hạn giải quyết."),
            _p(f"Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà liên hệ "
               f"{_e(d['unit_name'])} để được hướng dẫn."),
            _signatures(width, ("NGƯỜI HƯỚNG DẪN", "(Ký và ghi rõ họ tên)", ""))]


def _form_03(d: dict, width: float) -> list:
    event = d["close_event"]
    return [
        *_opening(d, "03", "TCHS", event["at"], width),
        _p(f"{_e(d['unit_name'])} tiếp nhận hồ sơ của:"), *_applicant_block(d),
        _field("Nội dung yêu cầu giải quyết", d["procedure_name"]),
        _p(f"Qua xem xét, {_e(d['unit_name'])} thông báo không tiếp nhận, giải quyết hồ sơ "
           f"này với lý do cụ thể như sau: <b>{_e(d['close_reason'])}</b>."),
        _p("Xin thông báo cho Ông/Bà được biết và thực hiện."),
        _signatures(width, ("NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)",
                            _person(event["by"]))),
    ]


def _form_04(d: dict, width: float) -> list:
    event = d["extension_event"]
    unit = _e(d["unit_name"])
    return [
        *_opening(d, "04", "XLGH", event["at"], width),
        _p(f"Kính gửi: Ông/Bà <b>{_e(d['applicant']['name'])}</b>.", "center"),
        _p(f"Ngày {d['received_at']:%d/%m/%Y}, {unit} tiếp nhận giải quyết hồ sơ của Ông/Bà, "
           f"mã hồ sơ {_e(d['code'])}, nội dung yêu cầu giải quyết: "
           f"{_e(d['procedure_name'])}."),
        _p(f"Thời gian hẹn trả kết quả giải quyết hồ sơ: "
           f"<b>{clock_date(d['appointment_before_extension'])}</b>."),
        _p(f"Tuy nhiên, {unit} chưa thể trả kết quả giải quyết hồ sơ cho Ông/Bà đúng thời gian "
           f"đã hẹn. Lý do: <b>{_e(d['extension_reason'])}</b>."),
        _p(f"Sự chậm trễ này có thể gây phiền hà, tốn kém chi phí đi lại cho Ông/Bà. {unit} "
           f"xin lỗi Ông/Bà và xin gia hạn thời gian giải quyết, hẹn trả kết quả vào "
           f"<b>{clock_date(d['appointment'])}</b>."),
        _p("Xin trân trọng cảm ơn sự hợp tác của Ông/Bà."),
        _signatures(width, ("THỦ TRƯỞNG CƠ QUAN", "(Ký, ghi rõ họ tên và đóng dấu)", "")),
    ]


def _form_05(d: dict, width: float) -> list:
    event = d["close_event"]
    unit = _e(d["unit_name"])
    return [
        *_opening(d, "05", "TBDGQ", event["at"], width),
        _p(f"Kính gửi: Ông/Bà <b>{_e(d['applicant']['name'])}</b>.", "center"),
        _p(f"Ngày {d['received_at']:%d/%m/%Y}, {unit} tiếp nhận hồ sơ của Ông/Bà, mã hồ sơ "
           f"{_e(d['code'])}, nội dung yêu cầu giải quyết: {_e(d['procedure_name'])}."),
        _p(f"{unit} thông báo dừng giải quyết hồ sơ nêu trên. Lý do: "
           f"<b>{_e(d['close_reason'])}</b>."),
        _p(f"Ông/Bà liên hệ {unit} để nhận lại hồ sơ và được hướng dẫn."),
        _signatures(width, ("THỦ TRƯỞNG CƠ QUAN", "(Ký, ghi rõ họ tên và đóng dấu)", "")),
    ]


def _form_06(d: dict, width: float) -> list:
    others = sorted({h["to_unit"] for h in d["handoffs"]} - {d["unit_name"]})
    head = [_p(x, "cell_b") for x in ("BƯỚC, CƠ QUAN GIAO VÀ NHẬN", "THỜI GIAN GIAO, NHẬN HỒ SƠ",
                                      "KẾT QUẢ (trước hạn / đúng hạn / quá hạn)",
                                      "NGƯỜI GIAO, GHI CHÚ")]
    rows = [head]
    for h in d["handoffs"]:
        note = _e(h["handed_by"])
        if h["send_backs"]:
            note += f"; trả lại {h['send_backs']} lần"
        rows.append([
            _p(f"<b>Bước {h['seq']}: {_e(h['name'])}</b><br/>Giao: {_e(h['from_unit'])}"
               f"<br/>Nhận: {_e(h['to_unit'])}", "cell"),
            _p(f"Nhận: {short(h['received_at'])}<br/>Hoàn thành, chuyển: "
               f"{short(h['finished_at'])}<br/>Hạn bước: {short(h['planned_deadline'])}",
               "cell"),
            _p(f"<b>{_e(h['rating'])}</b>" if h["rating"] else "Đang xử lý"
               if h["received_at"] and not h["finished_at"] else "", "cell"),
            _p(note, "cell")])
    rows.append([_p("<b>Trả kết quả</b><br/>Giao: " + _e(d["unit_name"])
                    + "<br/>Nhận: Người nộp hồ sơ", "cell"),
                 _p(f"Có kết quả: {short(d['result_ready_at'])}<br/>"
                    f"Trả: {short(d['returned_at'])}<br/>Hạn: {short(d['due'])}", "cell"),
                 _p(f"<b>{_e(d['timeliness'])}</b>", "cell"),
                 _p(_e(_person(d["returned_by"])), "cell")])
    for p in d.get("postal", []):
        rows.append([_p(f"<b>Bưu chính công ích</b> ({_e(p['tracking_number'])})<br/>Giao: "
                        f"{_e(p['from'])}<br/>Nhận: {_e(p['to'])}", "cell"),
                     _p(f"Bàn giao: {short(p['at'])}", "cell"), _p("", "cell"),
                     _p(f"Người ký nhận: {_e(p['signer'])}", "cell")])
    table = Table(rows, colWidths=[width * 0.33, width * 0.27, width * 0.18, width * 0.22],
                  repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))]))
    return [
        *_opening(d, "06", "", d["received_at"], width),
        _field("Kèm theo hồ sơ của", d["applicant"]["name"]),
        _field("Nội dung yêu cầu giải quyết", d["procedure_name"]),
        _field("Ngày hẹn trả kết quả", clock_date(d["appointment"])),
        _field("Cơ quan (bộ phận) giải quyết hồ sơ", d["unit_name"]),
        _field("Cơ quan phối hợp giải quyết hồ sơ", ", ".join(others) or "Không"),
        Spacer(1, 2 * mm), table,
    ]


BUILDERS = {"01": _form_01, "02": _form_02, "03": _form_03, "04": _form_04, "05": _form_05,
            "06": _form_06}


def _document(story_of, pagesize, title: str, author: str,
              margins: tuple[float, float, float, float] = (15, 15, 25, 15)) -> bytes:
    """A PDF of ``story_of(width)``; ``margins`` in mm: top, bottom, left, right."""
    _register_fonts()
    buffer = io.BytesIO()
    top, bottom, left, right = (m * mm for m in margins)
    doc = SimpleDocTemplate(buffer, pagesize=pagesize, leftMargin=left, rightMargin=right,
                            topMargin=top, bottomMargin=bottom, title=title, author=author,
                            creator="motcua", lang="vi")
    doc.build(story_of(doc.width))
    return buffer.getvalue()


def render_form(data: dict, form: str) -> bytes:
    """One of forms 01-06 for a dossier, from ``services.printing.dossier_forms``."""
    return _document(lambda width: BUILDERS[form](data, width), A4,
                     f"{FORMS[form]} - {data['code']}", data["unit_name"])


def render_log_book(book: dict) -> bytes:
    """Form 07, the log book of a unit over a period, on A4 landscape."""
    _register_fonts()
    heads = ["STT", "Mã hồ sơ", "Tên thủ tục hành chính", "Số lượng hồ sơ (bộ)",
             "Tên cá nhân, tổ chức", "Địa chỉ, số điện thoại", "Cơ quan chủ trì giải quyết",
             "Nhận hồ sơ (giờ, ngày)", "Hẹn trả kết quả", "Chuyển hồ sơ đến cơ quan giải quyết",
             "Ngày có kết quả / yêu cầu bổ sung", "Trả kết quả (giờ, ngày)", "Ghi chú"]
    rows = [[_p(h, "book_b") for h in heads]]
    for i, r in enumerate(book["rows"], 1):
        rows.append([_p(str(i), "book"), _p(_e(r["code"]), "book"), _p(_e(r["procedure"]), "book"),
                     _p("01", "book"), _p(_e(r["applicant"]), "book"), _p(_e(r["contact"]), "book"),
                     _p(_e(r["lead_unit"]), "book"),
                     *(_p(short(r[k], "<br/>"), "book") for k in (
                         "received_at", "appointment", "handed_over", "result_or_supplement",
                         "returned_at")),
                     _p(_e(r["note"]), "book")])
    shares = [3.5, 11.5, 14, 4.5, 9, 10, 9, 6.5, 6.5, 6.5, 6.5, 6.5, 8]

    def story(width: float) -> list:
        table = Table(rows, colWidths=[width * s / sum(shares) for s in shares], repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 2),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                                   ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))]))
        return [*_header(book["agency"], "", book["place"], book["last"], width),
                _p(FORMS["07"].upper(), "title"),
                _p(f"Đơn vị: <b>{_e(book['unit_name'])}</b> · Từ ngày "
                   f"{book['first']:%d/%m/%Y} đến ngày {book['last']:%d/%m/%Y} · "
                   f"Tổng số: <b>{len(book['rows'])}</b> hồ sơ", "center"),
                Spacer(1, 3 * mm), table]

    return _document(story, landscape(A4), f"{FORMS['07']} - {book['unit_name']}",
                     book["unit_name"])


def render_result(d: dict) -> bytes:
    """A result document written in motcua (Decree 30/2020's parts: agency and number,
    motto, place and date, title and summary, addressee, body, recipients, signature
    block), on A4 with Decree 30's margins (top and bottom 20 mm, left 30, right 15), to
    be signed digitally by the signer and sealed by the agency."""
    def story(width: float) -> list:
        paragraphs = [_p(_e(line)) for line in d["body"].splitlines() if line.strip()]
        recipients = [_p("<b><i>Nơi nhận:</i></b>", "small"),
                      *[_p(f"- {_e(r)};", "small") for r in d["recipients"]]]
        block = [_p(f"<b>{_e(d['on_behalf'])}</b>", "sign"), _p(f"<b>{_e(d['position'])}</b>",
                                                                 "sign"),
                 Spacer(1, 22 * mm), _p(f"<b>{_e(d['signer'])}</b>", "center")]
        table = Table([[recipients, block]], colWidths=[width * 0.45, width * 0.55])
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        return [*_header(d["agency"], d["number"], d["place"], d["day"], width),
                _p(_e(d["title"]).upper(), "title"), _p(_e(d["summary"]), "center"),
                Spacer(1, 4 * mm), _p(f"Kính gửi: {_e(d['addressee'])}.", "center"),
                Spacer(1, 2 * mm), *paragraphs, Spacer(1, 4 * mm), KeepTogether([table])]
    return _document(story, A4, f"{d['title']} - {d['code']}", d["unit_name"],
                     margins=(20, 20, 30, 15))


def written_result(ctx, uow, dossier, signer_name: str, **fields) -> bytes:
    """The PDF of a result the signer wrote in motcua (``services.digitisation``'s
    ``render``)."""
    return render_result(result_document(ctx, uow, dossier, signer_name, **fields))


def render_text_page(title: str, text: str) -> bytes:
    """A plain one-page PDF with a title and a paragraph (demo scans, test documents)."""
    return _document(lambda width: [_p(_e(title), "title"), _p(_e(text))], A4, title, "motcua")
