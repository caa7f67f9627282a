"""Excel templates for the reform office's imports: one per kind of data, with the header
row the importer reads, one example row, drop-down lists for the columns that take a
choice, and a sheet of notes in Vietnamese. The importer skips the notes and lists sheets
(``domain.cchc.NOTE_SHEETS``), so a filled template is imported as it is."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from motcua.domain.cchc import (
    CHOICES,
    FINDING_KINDS,
    LABELS,
    NOTE_SHEETS,
    OUTREACH_KINDS,
    SECTIONS,
    Section,
)
from motcua.domain.errors import NotFound

EXAMPLES = {
    "tasks": {"year": 2026, "agency": "UBND tỉnh Đắk Lắk", "agency_kind": "tỉnh",
              "title": "Rà soát, đơn giản hóa thủ tục hành chính lĩnh vực hộ tịch",
              "due_date": "30/06/2026", "status": "đang thực hiện", "done_date": "",
              "owner_unit": "Sở Tư pháp", "evidence": "Kế hoạch số 12/KH-UBND"},
    "meetings": {"held_on": "15/03/2026", "title": "Giao ban công tác cải cách hành chính quý I",
                 "mode": "trực tuyến", "presiding": "Phó Chủ tịch UBND tỉnh",
                 "agenda": "Đánh giá kết quả quý I", "minutes": "Biên bản số 05/BB-UBND",
                 "point": "Xã Hòa Phú", "point_presiding": "Chủ tịch UBND xã",
                 "attendance": 25, "conclusion": "Hoàn thành số hóa hồ sơ trong tháng 4",
                 "owner": "UBND xã Hòa Phú", "due_date": "30/04/2026",
                 "status": "chưa thực hiện", "done_date": ""},
    "findings": {"year": 2026, "inspecting_agency": "Sở Nội vụ",
                 "inspected_unit": "UBND xã Hòa Phú", "inspected_on": "10/05/2026",
                 "kind": "tồn tại", "description": "Chưa niêm yết đủ thủ tục tại bộ phận một cửa",
                 "remedy_owner": "UBND xã Hòa Phú", "remedy_due": "30/06/2026",
                 "remedy_status": "đang khắc phục"},
    "regulations": {"document": "Nghị định 15/2018/NĐ-CP", "agency": "Bộ Y tế",
                    "regulation": "Điều kiện kinh doanh thực phẩm bảo vệ sức khỏe",
                    "in_force_from": 2018, "action": "đơn giản hóa", "action_year": 2025},
    "outreach": {"year": 2026, "agency": "Sở Nội vụ", "kind": "hội nghị, hội thảo",
                 "title": "Hội nghị tập huấn nghiệp vụ một cửa", "held_on": "20/04/2026"},
    "staffing": {"year": 2026, "unit": "UBND xã Hòa Phú", "level": "xã, phường",
                 "positions": 23, "filled": 20},
}
FILE_NAMES = {"tasks": "nhiem-vu", "meetings": "phien-hop", "findings": "kiem-tra",
              "regulations": "quy-dinh", "outreach": "tuyen-truyen", "staffing": "bien-che"}


def section_named(name: str) -> Section:
    for section in SECTIONS:
        if section.name == name or FILE_NAMES.get(section.name) == name:
            return section
    raise NotFound(f"Không có mẫu nhập “{name}”; có: " + ", ".join(FILE_NAMES.values()) + ".")


def _choices(section: Section, column: str) -> dict[str, str] | None:
    if column == "kind":
        return FINDING_KINDS if section.name == "findings" else OUTREACH_KINDS
    return CHOICES.get(column)


def template_xlsx(name: str) -> bytes:
    """The import template of one kind of data."""
    section = section_named(name)
    book = Workbook()
    data = book.active
    data.title = "Dữ liệu"
    lists = book.create_sheet(NOTE_SHEETS[1])
    notes = book.create_sheet(NOTE_SHEETS[0])
    fill = PatternFill("solid", fgColor="DDDDDD")
    example = EXAMPLES[section.name]
    list_col = 0
    for i, column in enumerate(section.columns, start=1):
        cell = data.cell(row=1, column=i, value=column)
        cell.font, cell.fill = Font(bold=True), fill
        data.cell(row=2, column=i, value=example.get(column, ""))
        data.column_dimensions[get_column_letter(i)].width = max(14, len(str(example.get(
            column, ""))) + 2)
        choices = _choices(section, column)
        if choices:
            list_col += 1
            letter = get_column_letter(list_col)
            values = [label for label in choices.values() if label]
            lists.cell(row=1, column=list_col, value=column).font = Font(bold=True)
            for n, label in enumerate(values, start=2):
                lists.cell(row=n, column=list_col, value=label)
            rule = DataValidation(type="list", allow_blank=column not in section.mandatory,
                                  formula1=f"'{NOTE_SHEETS[1]}'!${letter}$2:${letter}$"
                                           f"{len(values) + 1}",
                                  errorTitle="Giá trị không hợp lệ",
                                  error="Chọn một giá trị trong danh sách.")
            rule.add(f"{get_column_letter(i)}2:{get_column_letter(i)}1000")
            data.add_data_validation(rule)
    data.freeze_panes = "A2"
    notes.column_dimensions["A"].width = 22
    notes.column_dimensions["B"].width = 36
    notes.column_dimensions["C"].width = 16
    notes.column_dimensions["D"].width = 48
    notes["A1"] = f"MẪU NHẬP DỮ LIỆU: {section.label.upper()}"
    notes["A1"].font = Font(bold=True, size=13)
    notes["A2"] = ("Điền từ dòng 2 của trang “Dữ liệu” (dòng 2 đang là ví dụ: sửa hoặc xóa). "
                   "Giữ nguyên dòng tiêu đề. Tệp có dòng sai bị từ chối toàn bộ và hệ thống "
                   "báo từng dòng sai; nhập lại một dòng đã có thì dòng đó được cập nhật.")
    notes["A2"].alignment = Alignment(wrap_text=True)
    notes.merge_cells("A2:D2")
    notes.row_dimensions[2].height = 48
    for i, head in enumerate(("Cột", "Ý nghĩa", "Bắt buộc", "Cách ghi"), start=1):
        notes.cell(row=4, column=i, value=head).font = Font(bold=True)
    for n, column in enumerate(section.columns, start=5):
        choices = _choices(section, column)
        how = ("ngày/tháng/năm, ví dụ 30/06/2026" if column in section.dates
               else "số nguyên" if column in section.integers
               else "chọn trong danh sách: " + "; ".join(v for v in choices.values() if v)
               if choices else "chữ")
        for i, value in enumerate((column, LABELS.get(column, column),
                                   "có" if column in section.mandatory else "không", how),
                                  start=1):
            notes.cell(row=n, column=i, value=value).alignment = Alignment(wrap_text=True)
    lists.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
