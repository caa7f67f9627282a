"""The post's papers: the A6 label of a parcel (Code 128 of the tracking number, QR code
of the tracking page, sender and receiver, contents) and the hand-over record between
the one-stop desk and the post (Circular 17/2017/TT-BTTTT: both sides sign)."""

from __future__ import annotations

from reportlab.graphics.barcode import code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from motcua.domain.text import vn_number
from motcua.forms.pdf import _document, _e, _field, _header, _p, _signatures, short


def _qr(url: str, size: float) -> Drawing:
    qr = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = qr.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(qr)
    return drawing


def _party(title: str, p: dict) -> list:
    place = ", ".join(x for x in (p.get("address", ""), p.get("commune_name", "")) if x)
    return [_p(f"<b>{_e(title)}</b>", "small"), _p(f"<b>{_e(p.get('name', ''))}</b>", "small"),
            _p(_e(place), "small"), _p(f"ĐT: {_e(p.get('phone', '')) or '—'}", "small")]


def render_label(d: dict) -> bytes:
    """The A6 label stuck on the parcel."""
    def story(width: float) -> list:
        bars = code128.Code128(d["tracking_number"], barHeight=14 * mm, barWidth=0.36 * mm,
                               humanReadable=True, quiet=False)
        head = Table([[[_p(f"<b>{_e(d['carrier'])}</b>", "small"), bars],
                       _qr(d["tracking_url"], 22 * mm)]],
                     colWidths=[width - 24 * mm, 24 * mm])
        head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                  ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        parties = Table([[_party("Người gửi", d["sender"])], [_party("Người nhận", d["receiver"])]],
                        colWidths=[width])
        parties.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.6, "black"),
                                     ("LINEBELOW", (0, 0), (-1, 0), 0.4, "black")]))
        return [head, Spacer(1, 2 * mm), parties, Spacer(1, 2 * mm),
                _p(f"Hồ sơ: <b>{_e(d['code'])}</b> · Cước: {vn_number(d['fee'])} đồng"
                   + (f" · Thu hộ: {vn_number(d['cod_amount'])} đồng" if d["cod_amount"] else ""),
                   "small"),
                *[_p(f"- {_e(c)}", "small") for c in d["contents"]],
                *([_p(f"Số niêm phong: <b>{_e(d['seal_number'])}</b>", "small")]
                  if d["seal_number"] else []),
                _p("Giấy tờ hành chính: phát tận tay người nhận, kiểm tra giấy tờ tùy thân.",
                   "small")]
    return _document(story, A6, f"Nhãn bưu gửi {d['tracking_number']}", d["unit_name"],
                     margins=(6, 6, 6, 6))


def render_handover(d: dict) -> bytes:
    """The record of the hand-over between the one-stop desk and the post (A4)."""
    def story(width: float) -> list:
        h = d["handover"] or {}
        rows = [[_p("<b>Số hiệu bưu gửi</b>", "cell"), _p("<b>Mã hồ sơ</b>", "cell"),
                 _p("<b>Người nhận, địa chỉ</b>", "cell"), _p("<b>Thành phần</b>", "cell")],
                [_p(_e(d["tracking_number"]), "cell"), _p(_e(d["code"]), "cell"),
                 _p(_e(f"{d['receiver'].get('name', '')}, {d['receiver'].get('address', '')}, "
                       f"{d['receiver'].get('commune_name', '')}"), "cell"),
                 _p("<br/>".join(_e(c) for c in d["contents"]), "cell")]]
        table = Table(rows, colWidths=[width * s for s in (0.2, 0.22, 0.3, 0.28)])
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return [*_header((d["unit_name"].upper(), "BỘ PHẬN MỘT CỬA"), "", d["place"], d["day"],
                         width),
                _p("BIÊN BẢN BÀN GIAO KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH QUA DỊCH VỤ BƯU "
                   "CHÍNH CÔNG ÍCH", "title"),
                _field("Bên giao", f"Bộ phận một cửa, {d['unit_name']} — {d['official']}"),
                _field("Bên nhận", f"{d['carrier']} — {h.get('signer', '')}"),
                _field("Giấy tờ của người nhận",
                       f"{h.get('id_type', '')} {h.get('id_masked', '')}".strip()),
                _field("Thời điểm bàn giao", short(h.get("at")) if h else ""),
                Spacer(1, 2 * mm), table, Spacer(1, 3 * mm),
                _p("Hai bên đã kiểm đếm, bưu gửi còn nguyên niêm phong; bên nhận chịu trách "
                   "nhiệm phát tận tay người nhận theo quy định."),
                _signatures(width, ("BÊN NHẬN", "(Ký, ghi rõ họ tên)", h.get("signer", "")),
                            ("BÊN GIAO", "(Ký, ghi rõ họ tên)", d["official"]))]
    return _document(story, A4, f"Biên bản bàn giao bưu gửi {d['tracking_number']}",
                     d["unit_name"], margins=(20, 20, 30, 15))
