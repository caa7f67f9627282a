"""The administrative-reform (CCHC) programme: what each imported row means and when it is wrong.

A file holds one section, recognised by its header (a workbook may hold one
section per sheet). Every row is checked; a file with any bad row is refused
whole, with each bad row's number and reason in Vietnamese. Values may be the
English codes or the Vietnamese words offices use ("hoàn thành", "tỉnh"...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from motcua.domain.errors import ValidationError
from motcua.domain.text import fold, nfc, parse_date

AGENCY_KINDS = {"ministry": "bộ, ngành", "province": "tỉnh", "department": "sở, ngành",
                "commune": "xã, phường"}
KIND_PHRASES = {"ministry": "các bộ, ngành Trung ương",
                "province": "các tỉnh, thành phố trực thuộc Trung ương",
                "department": "các sở, ban, ngành", "commune": "các xã, phường"}
TASK_STATUSES = {"done": "hoàn thành", "in_progress": "đang thực hiện",
                 "not_started": "chưa thực hiện", "cancelled": "hủy"}
FINDING_KINDS = {"ton_tai": "tồn tại", "han_che": "hạn chế"}
REMEDY_STATUSES = {"done": "đã khắc phục", "in_progress": "đang khắc phục",
                   "not_started": "chưa khắc phục"}
REGULATION_ACTIONS = {"": "", "cut": "cắt giảm", "simplified": "đơn giản hóa"}
OUTREACH_KINDS = {"direction_document": "văn bản chỉ đạo", "news": "tin, bài",
                  "conference": "hội nghị, hội thảo", "contest": "cuộc thi"}
LEVELS = {"province": "tỉnh", "department": "sở, ngành", "commune": "xã, phường"}
MODES = {"online": "trực tuyến", "in_person": "trực tiếp"}
# sheets of an import template that are not data: its notes and its drop-down lists
NOTE_SHEETS = ("Hướng dẫn", "Danh mục")

SYNONYMS = {
    "agency_kind": {"bo": "ministry", "bo, nganh": "ministry", "nganh": "ministry",
                    "tinh": "province", "so": "department", "so, nganh": "department",
                    "xa": "commune", "phuong": "commune", "xa, phuong": "commune"},
    "status": {"hoan thanh": "done", "da hoan thanh": "done", "dang thuc hien": "in_progress",
               "chua thuc hien": "not_started", "huy": "cancelled", "da huy": "cancelled"},
    "remedy_status": {"da khac phuc": "done", "hoan thanh": "done",
                      "dang khac phuc": "in_progress", "chua khac phuc": "not_started"},
    "kind": {"ton tai": "ton_tai", "han che": "han_che", "van ban chi dao": "direction_document",
             "tin, bai": "news", "tin bai": "news", "hoi nghi": "conference",
             "hoi nghi, hoi thao": "conference", "hoi thao": "conference", "cuoc thi": "contest"},
    "action": {"cat giam": "cut", "don gian hoa": "simplified"},
    "level": {"tinh": "province", "so": "department", "so, nganh": "department",
              "xa": "commune", "xa, phuong": "commune"},
    "mode": {"truc tuyen": "online", "truc tiep": "in_person"},
}
CHOICES = {"agency_kind": AGENCY_KINDS, "status": TASK_STATUSES, "remedy_status": REMEDY_STATUSES,
           "action": REGULATION_ACTIONS, "level": LEVELS, "mode": MODES}
LABELS = {"year": "năm", "agency": "cơ quan", "agency_kind": "loại cơ quan", "title": "nội dung",
          "due_date": "hạn", "status": "tình trạng", "done_date": "ngày hoàn thành",
          "inspecting_agency": "cơ quan kiểm tra", "inspected_unit": "đơn vị được kiểm tra",
          "inspected_on": "ngày kiểm tra", "kind": "loại", "description": "nội dung",
          "remedy_due": "hạn khắc phục", "remedy_status": "tình trạng khắc phục",
          "document": "văn bản", "regulation": "quy định", "in_force_from": "năm có hiệu lực",
          "action": "xử lý", "action_year": "năm xử lý", "held_on": "ngày",
          "unit": "đơn vị", "level": "cấp", "positions": "biên chế được giao",
          "filled": "số đã có", "mode": "hình thức", "presiding": "người chủ trì",
          "point": "điểm cầu", "attendance": "số người dự", "conclusion": "kết luận",
          "owner": "đơn vị thực hiện"}


@dataclass(frozen=True)
class Section:
    name: str
    label: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    integers: tuple[str, ...] = ()
    mandatory: tuple[str, ...] = field(default=())

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


SECTIONS = (
    Section("tasks", "nhiệm vụ", ("year", "agency", "agency_kind", "title", "due_date", "status",
                                  "done_date"), ("owner_unit", "evidence"),
            dates=("due_date", "done_date"), integers=("year",),
            mandatory=("year", "agency", "agency_kind", "title", "status")),
    Section("meetings", "phiên họp", ("held_on", "title", "mode", "presiding"),
            ("agenda", "minutes", "point", "point_presiding", "attendance", "conclusion",
             "owner", "due_date", "status", "done_date"),
            dates=("held_on", "due_date", "done_date"), integers=("attendance",),
            mandatory=("held_on", "title", "mode", "presiding")),
    Section("findings", "kết quả kiểm tra", ("year", "inspecting_agency", "inspected_unit",
                                             "inspected_on", "kind", "description",
                                             "remedy_owner", "remedy_due", "remedy_status"),
            dates=("inspected_on", "remedy_due"), integers=("year",),
            mandatory=("year", "inspecting_agency", "inspected_unit", "inspected_on", "kind",
                       "description", "remedy_status")),
    Section("regulations", "quy định kinh doanh", ("document", "agency", "regulation",
                                                   "in_force_from", "action", "action_year"),
            integers=("in_force_from", "action_year"),
            mandatory=("document", "agency", "regulation", "in_force_from")),
    Section("outreach", "tuyên truyền, chỉ đạo", ("year", "agency", "kind", "title"),
            ("held_on",), dates=("held_on",), integers=("year",),
            mandatory=("year", "agency", "kind", "title")),
    Section("staffing", "biên chế", ("year", "unit", "level", "positions", "filled"),
            integers=("year", "positions", "filled"),
            mandatory=("year", "unit", "level", "positions", "filled")),
)


def section_for(header: list[str]) -> Section:
    names = [(h or "").strip().lower() for h in header]
    for section in SECTIONS:
        if set(section.required) <= set(names):
            return section
    expected = "; ".join(f"{s.label}: {','.join(s.required)}" for s in SECTIONS)
    raise ValidationError("Không nhận ra loại dữ liệu từ dòng tiêu đề. Các cột cần có — "
                          + expected + ".")


def _choice(column: str, raw: str) -> str:
    value = raw.strip()
    choices = FINDING_KINDS | OUTREACH_KINDS if column == "kind" else CHOICES[column]
    if value in choices:
        return value
    folded = fold(value)
    mapped = SYNONYMS.get(column, {}).get(folded)
    if mapped is None:
        mapped = next((k for k, label in choices.items() if label and fold(label) == folded),
                      None)
    if mapped is None:
        shown = ", ".join(f"{k} ({v})" if v else "(để trống)" for k, v in choices.items())
        raise ValueError(f"“{value}” không thuộc: {shown}")
    return mapped


def _integer(raw, text: str) -> int:
    """2024, 2024.0 from a spreadsheet, or "1.049" written with a thousands dot."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if raw != int(raw) or raw < 0:
            raise ValueError(text)
        return int(raw)
    digits = text.replace(".", "") if re.fullmatch(r"\d{1,3}(\.\d{3})+", text) else text
    if not digits.isdigit():
        raise ValueError(text)
    return int(digits)


def clean_row(section: Section, row: dict) -> dict:
    """One row's values, checked and converted; ``ValueError`` with the Vietnamese reason."""
    out, problems = {}, []
    for column in section.columns:
        raw = row.get(column)
        text = "" if raw is None else nfc(str(raw))
        if isinstance(raw, datetime | date) and column in section.dates:
            out[column] = raw.date() if isinstance(raw, datetime) else raw
            continue
        if not text:
            if column in section.mandatory:
                problems.append(f"thiếu {LABELS.get(column, column)}")
            out[column] = None if column in section.dates + section.integers else ""
            continue
        try:
            if column in section.dates:
                out[column] = parse_date(text)
            elif column in section.integers:
                out[column] = _integer(raw, text)
            elif column in CHOICES or column == "kind":
                out[column] = _choice(column, text)
            else:
                out[column] = text
        except ValueError as exc:
            reason = str(exc) if "không thuộc" in str(exc) else f"“{text}” không hợp lệ"
            problems.append(f"{LABELS.get(column, column)}: {reason}")
    if not problems:
        problems = _rules(section, out)
    if problems:
        raise ValueError("; ".join(problems))
    return out


def _rules(section: Section, v: dict) -> list[str]:
    problems = []
    if section.name == "tasks":
        if v["status"] == "done" and v["done_date"] is None:
            problems.append("nhiệm vụ hoàn thành cần ngày hoàn thành")
        if v["status"] != "done" and v["done_date"] is not None:
            problems.append("chỉ nhiệm vụ hoàn thành mới có ngày hoàn thành")
    if section.name == "meetings" and v["conclusion"]:
        if not v["owner"]:
            problems.append("kết luận cần đơn vị thực hiện")
        if not v["status"]:
            problems.append("kết luận cần tình trạng thực hiện")
    if section.name == "staffing" and v["filled"] > v["positions"] * 2:
        problems.append("số đã có lớn bất thường so với biên chế được giao")
    if section.name == "regulations" and bool(v["action"]) != bool(v["action_year"]):
        problems.append("quy định đã cắt giảm, đơn giản hóa cần cả năm xử lý (và ngược lại)")
    for year_column in ("year", "in_force_from", "action_year"):
        year = v.get(year_column)
        if year is not None and not 1990 <= year <= 2100:
            problems.append(f"{LABELS[year_column]} {year} không hợp lý")
    return problems


def check_rows(section: Section, rows: list[tuple[int, dict]]) -> list[dict]:
    """All rows cleaned, or ``ValidationError`` listing every bad row (file line numbers)."""
    cleaned, errors = [], []
    for line, row in rows:
        try:
            cleaned.append(clean_row(section, row))
        except ValueError as exc:
            errors.append(f"Dòng {line}: {exc}")
    if errors:
        raise ValidationError(f"Tệp {section.label} có {len(errors)} dòng sai, chưa nhập dòng "
                              f"nào. " + " | ".join(errors), rows=errors)
    if not cleaned:
        raise ValidationError(f"Tệp {section.label} không có dòng dữ liệu nào.")
    return cleaned
