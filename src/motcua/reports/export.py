"""Reports as CSV and Excel with Vietnamese headers, widths and number formats."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

COLUMNS = {
    "ontime": [("group", "Nhóm", 40, None), ("received", "Tiếp nhận", 11, "#,##0"),
               ("finished", "Đã giải quyết", 12, "#,##0"), ("early", "Trước hạn", 11, "#,##0"),
               ("on_time", "Đúng hạn", 11, "#,##0"), ("late", "Trễ hạn", 10, "#,##0"),
               ("in_progress", "Đang giải quyết", 13, "#,##0"),
               ("on_track", "Trong hạn", 10, "#,##0"),
               ("due_soon", "Sắp đến hạn", 11, "#,##0"), ("overdue_now", "Đang quá hạn", 12,
                                                          "#,##0"),
               ("on_time_rate_pct", "Tỷ lệ đúng hạn (%)", 14, "0.00"),
               ("avg_handling_days", "Thời gian giải quyết TB (ngày làm việc)", 18, "#,##0.0")],
    "steps": [("group", "Nhóm", 40, None), ("steps_finished", "Bước đã xong", 12, "#,##0"),
              ("overruns", "Bước vượt thời gian", 13, "#,##0"),
              ("overrun_minutes", "Số phút vượt", 12, "#,##0"),
              ("behind_schedule", "Bước chậm so với kế hoạch", 15, "#,##0"),
              ("overrun_rate_pct", "Tỷ lệ vượt (%)", 12, "0.00"),
              ("avg_step_minutes", "Thời gian TB mỗi bước (phút)", 16, "#,##0.0")],
    "workload": [("group", "Nhóm", 40, None), ("open_dossiers", "Hồ sơ đang giữ", 13, "#,##0"),
                 ("open_steps", "Bước đang xử lý", 13, "#,##0"),
                 ("overdue_open", "Trong đó quá hạn", 13, "#,##0"),
                 ("handled", "Bước đã xử lý trong kỳ", 15, "#,##0"),
                 ("handled_per_week", "Bình quân mỗi tuần", 13, "#,##0.0"),
                 ("avg_step_minutes", "Thời gian TB mỗi bước (phút)", 16, "#,##0.0")],
    "supplements": [("group", "Đơn vị", 40, None),
                    ("requests", "Yêu cầu bổ sung", 12, "#,##0"),
                    ("late_requests", "Yêu cầu sau thời hạn 3 ngày làm việc", 16, "#,##0"),
                    ("late_rate_pct", "Tỷ lệ yêu cầu muộn (%)", 13, "0.00"),
                    ("repeat_requests", "Yêu cầu lần thứ hai trở lên", 14, "#,##0"),
                    ("awaited", "Đang chờ bổ sung", 12, "#,##0"),
                    ("closed", "Đóng hồ sơ do quá hạn bổ sung", 15, "#,##0")],
    "index766": [("group", "Đơn vị", 36, None), ("code", "Mã chỉ số", 9, None),
                 ("indicator", "Chỉ số", 44, None), ("formula", "Cách tính", 50, None),
                 ("value_pct", "Kết quả (%)", 11, "0.00"), ("points", "Điểm", 9, "0.00"),
                 ("max_points", "Điểm tối đa", 10, "0"), ("status", "Dữ liệu", 15, None)],
    "digitisation": [("group", "Nhóm", 40, None), ("received", "Hồ sơ tiếp nhận", 12, "#,##0"),
                     ("with_components", "Có thành phần số hóa tại một cửa", 15, "#,##0"),
                     ("same_day", "Số hóa trong ngày tiếp nhận", 14, "#,##0"),
                     ("same_day_pct", "Tỷ lệ số hóa trong ngày (%)", 13, "0.00"),
                     ("components", "Thành phần số hóa", 12, "#,##0"),
                     ("certified", "Có bản sao điện tử chứng thực", 14, "#,##0"),
                     ("reused", "Thành phần dùng lại", 12, "#,##0"),
                     ("reused_pct", "Tỷ lệ dùng lại (%)", 12, "0.00"),
                     ("shared", "Có giấy tờ vào kho dữ liệu người dân", 16, "#,##0"),
                     ("electronic", "Có kết quả điện tử", 12, "#,##0"),
                     ("electronic_pct", "Tỷ lệ kết quả điện tử (%)", 13, "0.00")],
    "feedback": [("group", "Đơn vị", 40, None), ("received", "PAKN tiếp nhận", 12, "#,##0"),
                 ("answered", "Đã trả lời", 11, "#,##0"),
                 ("on_time", "Trả lời đúng hạn", 12, "#,##0"),
                 ("on_time_pct", "Tỷ lệ đúng hạn (%)", 12, "0.00"),
                 ("overdue_open", "Quá hạn chưa trả lời", 14, "#,##0"),
                 ("rated", "Được đánh giá", 11, "#,##0"),
                 ("satisfied", "Người gửi hài lòng", 12, "#,##0")],
}
TITLES = {"ontime": "Báo cáo kết quả giải quyết hồ sơ", "steps": "Báo cáo trách nhiệm theo bước",
          "workload": "Báo cáo khối lượng công việc",
          "supplements": "Báo cáo yêu cầu bổ sung, hoàn thiện hồ sơ",
          "index766": "Bộ chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg)",
          "digitisation": "Báo cáo số hóa hồ sơ, kết quả và tái sử dụng dữ liệu",
          "feedback": "Báo cáo tiếp nhận, xử lý phản ánh, kiến nghị"}


def _flat(report: dict) -> list[dict]:
    kind = report["report"]
    if kind != "index766":
        return [*report["rows"], {**report["totals"], "group": "Tổng cộng"}]
    rows = []
    for unit in report["rows"]:
        for ind in unit["indicators"]:
            rows.append({"group": unit["group"], "code": ind["code"], "indicator": ind["name"],
                         "formula": ind["formula"], "value_pct": ind["value_pct"],
                         "points": ind["points"], "max_points": ind["max_points"],
                         "status": ind["status"]})
        rows.append({"group": unit["group"], "code": "", "indicator": "Tổng điểm",
                     "formula": f"tổng điểm các chỉ số đã có dữ liệu; các chỉ số đó tối đa "
                                f"{unit['max_points_with_data']} điểm (thang 100 điểm)",
                     "value_pct": None, "points": unit["points"], "max_points": 100,
                     "status": ""})
    return rows


def _vn_cell(value):
    """A number as a Vietnamese Excel reads it: decimal comma, no thousands separator."""
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    return value


def to_csv(report: dict, vietnamese: bool = False) -> bytes:
    """UTF-8 with a byte-order mark (Excel opens it correctly), Vietnamese headers.
    ``vietnamese``: the dialect of Excel set to Vietnamese — semicolon between fields and
    a decimal comma (90,62); otherwise comma and decimal point for programs (90.62)."""
    columns = COLUMNS[report["report"]]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if vietnamese else ",")
    writer.writerow([label for _, label, _, _ in columns])
    for row in _flat(report):
        cells = ["" if row.get(k) is None else row.get(k) for k, _, _, _ in columns]
        writer.writerow([_vn_cell(c) for c in cells] if vietnamese else cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def sheet_title(title: str) -> str:
    """An Excel sheet name (at most 31 characters, none of []:*?/\\): cut at a word."""
    clean = "".join(" " if c in "[]:*?/\\" else c for c in title)
    clean = " ".join(clean.split())
    if len(clean) <= 31:
        return clean
    cut = clean[:31]
    return cut[:cut.rfind(" ")] if " " in cut else cut


def to_xlsx(report: dict) -> bytes:
    kind = report["report"]
    columns = COLUMNS[kind]
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title(TITLES[kind])
    period = report["period"]
    first = "/".join(reversed(period["from"].split("-")))
    last = "/".join(reversed(period["to"].split("-")))
    sheet["A1"] = TITLES[kind].upper()
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = f"Kỳ báo cáo: từ ngày {first} đến ngày {last}"
    sheet["A2"].font = Font(italic=True)
    header_row = 4
    fill = PatternFill("solid", fgColor="DDDDDD")
    for i, (_, label, width, _) in enumerate(columns, start=1):
        cell = sheet.cell(row=header_row, column=i, value=label)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        sheet.column_dimensions[get_column_letter(i)].width = width
    rows = _flat(report)
    for r, row in enumerate(rows, start=header_row + 1):
        for i, (key, _, _, fmt) in enumerate(columns, start=1):
            cell = sheet.cell(row=r, column=i, value=row.get(key))
            if fmt:
                cell.number_format = fmt
            if row.get("group") == "Tổng cộng" or row.get("indicator") == "Tổng điểm":
                cell.font = Font(bold=True)
            if key in ("formula", "indicator", "group"):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def drill_xlsx(rows: list, title: str, period) -> bytes:
    """The dossiers behind one number of the dashboard, with where each is and why late."""
    from motcua.domain.text import vn_date_time

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title(title)
    sheet["A1"] = title.upper()
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = (f"Hồ sơ tiếp nhận từ ngày {period.first:%d/%m/%Y} đến ngày "
                   f"{period.last:%d/%m/%Y}")
    heads = [("Mã hồ sơ", 22), ("Đơn vị tiếp nhận", 28), ("Thủ tục", 40), ("Người nộp", 24),
             ("Hạn giải quyết", 17), ("Đang ở bước", 28), ("Người giữ bước", 22),
             ("Trễ (ngày làm việc)", 12), ("Bước vượt thời gian", 50)]
    fill = PatternFill("solid", fgColor="DDDDDD")
    for i, (label, width) in enumerate(heads, start=1):
        cell = sheet.cell(row=4, column=i, value=label)
        cell.font, cell.fill = Font(bold=True), fill
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        sheet.column_dimensions[get_column_letter(i)].width = width
    for n, r in enumerate(rows, start=5):
        values = [r.code, r.unit, r.procedure, r.applicant_name, vn_date_time(r.due),
                  f"{r.step} ({r.step_unit})" if r.step else "", r.official, r.days_late,
                  "; ".join(f"{name} ({unit}{', ' + who if who else ''}): quá "
                            f"{str(hours).replace('.', ',')} giờ"
                            for name, unit, who, hours in r.overruns)]
        for i, value in enumerate(values, start=1):
            cell = sheet.cell(row=n, column=i, value=value)
            if i == 8:
                cell.number_format = "0.0"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
