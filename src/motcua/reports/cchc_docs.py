"""The annual CCHC report as a Word document (official-style prose and tables) and Excel."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Font

from motcua.domain.cchc import AGENCY_KINDS, KIND_PHRASES, LEVELS, OUTREACH_KINDS
from motcua.domain.text import vn_number


def n(value) -> str:
    return vn_number(value or 0)


def p(value) -> str:
    return f"{vn_number(value, 2)}%" if value is not None else "—"


def compare(block: dict, year: int) -> str:
    """ "cao hơn 2,74% so với cùng kỳ năm 2023" (a change in percentage points)."""
    delta = block["delta_pp"]
    if delta is None:
        return f"chưa có số liệu năm {year - 1} để so sánh"
    if delta == 0:
        return f"bằng cùng kỳ năm {year - 1}"
    side = "cao hơn" if delta > 0 else "thấp hơn"
    return f"{side} {vn_number(abs(delta), 2)}% so với cùng kỳ năm {year - 1}"


# one province's (or agency's) own report: its own levels, not "the provinces"
OWN_PHRASES = {"ministry": "bộ, ngành", "province": "cấp tỉnh",
               "department": "các sở, ban, ngành", "commune": "các xã, phường"}


def task_sentence(kind: str, block: dict, year: int, national: bool = True) -> str:
    who = (KIND_PHRASES if national else OWN_PHRASES)[kind]
    if not block["planned"]:
        return f"{who} không có nhiệm vụ trong kế hoạch"
    return (f"{who} đã hoàn thành {n(block['done'])}/{n(block['planned'])} "
            f"nhiệm vụ, đạt tỷ lệ {p(block['rate_pct'])} so với kế hoạch, "
            f"{compare(block, year)}")


def sentences(r: dict) -> dict[str, list[str]]:
    """The report's prose, section by section, every number from ``r``."""
    year = r["year"]
    tasks = r["tasks"]
    national = r["scope"] == "national"
    out = {"tasks": [f"Năm {year}, {task_sentence(kind, block, year, national)}."
                     for kind, block in tasks["by_kind"].items()]}
    if tasks["total"]["planned"]:
        out["tasks"].append(
            f"Tổng cộng đã hoàn thành {n(tasks['total']['done'])}/"
            f"{n(tasks['total']['planned'])} nhiệm vụ ({p(tasks['total']['rate_pct'])}); "
            f"{n(len(tasks['overdue']))} nhiệm vụ quá hạn chưa hoàn thành.")
    i = r["inspections"]["total"]
    if not i["inspected_units"]:
        out["inspections"] = [f"Năm {year} chưa ghi nhận cuộc kiểm tra cải cách hành chính nào."]
    elif not i["findings"]:
        out["inspections"] = [
            f"Đã kiểm tra công tác cải cách hành chính tại {n(i['inspected_units'])} đơn vị, "
            "không phát hiện tồn tại, hạn chế."]
    else:
        out["inspections"] = [
            f"Đã kiểm tra công tác cải cách hành chính tại {n(i['inspected_units'])} đơn vị, "
            f"phát hiện {n(i['findings'])} tồn tại, hạn chế; đến nay đã khắc phục "
            f"{n(i['handled'])}, đạt {p(i['handled_pct'])}."]
    g = r["regulations"]
    c = g["cumulative"]
    if not c["in_force"]:
        out["regulations"] = ["Chưa có số liệu về quy định kinh doanh được rà soát."]
    else:
        out["regulations"] = [
            f"Năm {year}, đã cắt giảm {n(g['year']['cut'])} và đơn giản hóa "
            f"{n(g['year']['simplified'])} quy định kinh doanh; lũy kế từ năm {c['base_year']} "
            f"đã cắt giảm, đơn giản hóa {n(c['cut_or_simplified'])}/{n(c['in_force'])} quy "
            f"định, đạt {p(c['rate_pct'])}."]
    o = r["outreach"]["by_kind"]
    out["outreach"] = [
        f"Đã ban hành {n(o['direction_document'])} văn bản chỉ đạo, đăng {n(o['news'])} tin, "
        f"bài, tổ chức {n(o['conference'])} hội nghị, hội thảo và {n(o['contest'])} cuộc thi "
        f"về cải cách hành chính."]
    m = r["meetings"]
    out["meetings"] = [
        f"Ban Chỉ đạo đã họp {n(m['sessions'])} phiên ({n(m['online'])} phiên trực tuyến) với "
        f"{n(m['points'])} điểm cầu, {n(m['attendance'])} lượt đại biểu; ban hành "
        f"{n(m['conclusions']['total'])} kết luận, đã hoàn thành {n(m['conclusions']['done'])} "
        f"({p(m['conclusions']['done_pct'])}), {n(m['conclusions']['overdue'])} kết luận quá "
        f"hạn."]
    s = r["staffing"]["total"]
    out["staffing"] = [
        f"Tổng biên chế được giao {n(s['positions'])}, hiện có {n(s['filled'])}, còn thiếu "
        f"{n(s['shortfall'])}."]
    return out


HEADINGS = {"tasks": "I. KẾT QUẢ THỰC HIỆN KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH",
            "inspections": "II. CÔNG TÁC KIỂM TRA CẢI CÁCH HÀNH CHÍNH",
            "regulations": "III. CẮT GIẢM, ĐƠN GIẢN HÓA QUY ĐỊNH KINH DOANH",
            "outreach": "IV. CÔNG TÁC CHỈ ĐẠO, TUYÊN TRUYỀN",
            "meetings": "V. PHIÊN HỌP BAN CHỈ ĐẠO VÀ VIỆC THỰC HIỆN KẾT LUẬN",
            "staffing": "VI. BIÊN CHẾ, NHÂN LỰC"}


def tables(r: dict) -> dict[str, tuple[list[str], list[list]]]:
    """Each section's table: Vietnamese headers and rows of plain values."""
    return {
        "tasks": (["Cơ quan", "Loại", "Kế hoạch", "Hoàn thành", "Tỷ lệ (%)", "Năm trước (%)",
                   "Tăng, giảm (điểm %)"],
                  [[f"Tổng: {KIND_PHRASES[kind]}", AGENCY_KINDS[kind], b["planned"], b["done"],
                    b["rate_pct"], b["prev_rate_pct"], b["delta_pp"]]
                   for kind, b in r["tasks"]["by_kind"].items()]
                  + [[a["agency"], AGENCY_KINDS.get(a["agency_kind"], ""), a["planned"],
                      a["done"], a["rate_pct"], a["prev_rate_pct"], a["delta_pp"]]
                     for a in r["tasks"]["by_agency"]]),
        "inspections": (["Cơ quan kiểm tra", "Đơn vị được kiểm tra", "Tồn tại, hạn chế",
                         "Đã khắc phục", "Tỷ lệ (%)"],
                        [[a["agency"], a["inspected_units"], a["findings"], a["handled"],
                          a["handled_pct"]] for a in r["inspections"]["by_agency"]]),
        "regulations": (["Cơ quan", "Cắt giảm", "Đơn giản hóa"],
                        [[a["agency"], a["cut"], a["simplified"]]
                         for a in r["regulations"]["by_agency"]]),
        "outreach": (["Cơ quan", *OUTREACH_KINDS.values()],
                     [[a["agency"], *(a[k] for k in OUTREACH_KINDS)]
                      for a in r["outreach"]["by_agency"]]),
        "meetings": (["Ngày", "Phiên họp", "Hình thức", "Chủ trì", "Điểm cầu", "Kết luận"],
                     [[x["held_on"], x["title"], "Trực tuyến" if x["online"] else "Trực tiếp",
                       x["presiding"], len(x["points"]), x["conclusions"]]
                      for x in r["meetings"]["list"]]),
        "staffing": (["Đơn vị", "Cấp", "Biên chế giao", "Hiện có", "Còn thiếu",
                      "Hồ sơ tiếp nhận trong năm", "Hồ sơ đang xử lý"],
                     [[u["unit"], LEVELS.get(u["level"], u["level"]), u["positions"],
                       u["filled"], u["shortfall"], u.get("dossiers_received", ""),
                       u.get("dossiers_open", "")] for u in r["staffing"]["by_unit"]]),
    }


def _cell(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return vn_number(value, 2)
    if isinstance(value, int):
        return vn_number(value)
    return str(value)


@dataclass(frozen=True)
class Issuer:
    """Who issues a report, as Decree 30/2020/NĐ-CP sets its parts: the agency (governing
    body above, the issuing unit below), the number's symbol, place and date, the
    recipients and the signature block."""

    agency: tuple[str, str]
    symbol: str
    place: str
    day: date
    signer_title: str
    signer_name: str
    recipients: tuple[str, ...]

    @classmethod
    def from_settings(cls, settings, day: date) -> Issuer:
        top, _, unit = settings.report_agency.partition("|")
        return cls((top.strip(), unit.strip()), settings.report_symbol, settings.place_name,
                   day, settings.report_signer_title, settings.report_signer_name,
                   tuple(x.strip() for x in settings.report_recipients.split(";") if x.strip()))


def _paragraph(cell_or_doc, text: str, *, bold=False, italic=False, size=13, center=True,
               underline=False):
    para = cell_or_doc.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT
    para.paragraph_format.space_after = Pt(0)
    run = para.add_run(text)
    run.bold, run.italic, run.underline, run.font.size = bold, italic, underline, Pt(size)
    return para


def _blocks(doc, left: list, right: list, widths=(Cm(6.5), Cm(9.5))) -> None:
    """Two columns without borders (header: agency | motto; end: recipients | signature)."""
    table = doc.add_table(rows=1, cols=2)
    table.autofit = False
    for cell, items, width in zip(table.rows[0].cells, (left, right), widths, strict=True):
        cell.width = width
        cell.paragraphs[0].text = ""
        for text, kw in items:
            _paragraph(cell, text, **kw)


def to_docx(r: dict, issuer: Issuer) -> bytes:
    """The report on A4 with the parts of Decree 30/2020/NĐ-CP: agency, number and symbol,
    national motto, place and date, title, body, "Nơi nhận", signature block; margins
    2 cm top and bottom, 3 cm left, 1,7 cm right; Times New Roman 13."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.7)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    day = issuer.day
    _blocks(doc,
            [(issuer.agency[0].upper(), {"size": 12}),
             (issuer.agency[1].upper(), {"bold": True, "size": 12}),
             ("―――――", {"size": 10}), (f"Số:       /{issuer.symbol}", {"size": 13})],
            [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", {"bold": True, "size": 12}),
             ("Độc lập - Tự do - Hạnh phúc", {"bold": True, "size": 13, "underline": True}),
             ("", {}),
             (f"{issuer.place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
              if issuer.place else "", {"italic": True, "size": 13})])
    scope = "" if r["scope"] == "national" else f" của {r['scope']}"
    _paragraph(doc, "BÁO CÁO", bold=True, size=14).paragraph_format.space_before = Pt(12)
    _paragraph(doc, f"Kết quả công tác cải cách hành chính năm {r['year']}{scope}", bold=True,
               size=14)
    _paragraph(doc, "―――――", size=10)
    text, grids = sentences(r), tables(r)
    for key, title in HEADINGS.items():
        doc.add_paragraph().add_run(title).bold = True
        for sentence in text[key]:
            para = doc.add_paragraph(sentence[0].upper() + sentence[1:])
            para.paragraph_format.first_line_indent = Cm(1)
            para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        header, rows = grids[key]
        if rows:
            table = doc.add_table(rows=1, cols=len(header))
            table.style = "Table Grid"
            for i, h in enumerate(header):
                table.rows[0].cells[i].text = h
            for row in rows:
                cells = table.add_row().cells
                for i, value in enumerate(row):
                    cells[i].text = _cell(value)
    doc.add_paragraph()
    _blocks(doc,
            [("Nơi nhận:", {"bold": True, "italic": True, "size": 12, "center": False}),
             *[(f"- {x};" if i < len(issuer.recipients) - 1 else f"- {x}.",
                {"size": 11, "center": False}) for i, x in enumerate(issuer.recipients)]],
            [(issuer.signer_title.upper(), {"bold": True, "size": 13}),
             ("(Ký, ghi rõ họ tên, đóng dấu)", {"italic": True, "size": 12}),
             ("", {}), ("", {}), ("", {}),
             (issuer.signer_name, {"bold": True, "size": 13})])
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def to_xlsx(r: dict) -> bytes:
    book = Workbook()
    book.remove(book.active)
    names = {"tasks": "Nhiệm vụ", "inspections": "Kiểm tra", "regulations": "Quy định KD",
             "outreach": "Chỉ đạo, tuyên truyền", "meetings": "Phiên họp", "staffing": "Biên chế"}
    grids, text = tables(r), sentences(r)
    for key, (header, rows) in grids.items():
        sheet = book.create_sheet(names[key])
        sheet["A1"] = HEADINGS[key]
        sheet["A1"].font = Font(bold=True)
        sheet["A2"] = " ".join(text[key])
        sheet.append([])
        sheet.append(header)
        for cell in sheet[4]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        for i, h in enumerate(header, start=1):
            sheet.column_dimensions[sheet.cell(row=4, column=i).column_letter].width = \
                max(12, min(48, len(h) + 4)) if i > 1 else 40
        for line in sheet.iter_rows(min_row=5):
            for cell in line:
                if isinstance(cell.value, float):
                    cell.number_format = "0.00"
                elif isinstance(cell.value, int):
                    cell.number_format = "#,##0"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
