"""Importing the CCHC programme from the spreadsheets reform offices keep."""

from __future__ import annotations

import csv
import io
from pathlib import PurePath

from openpyxl import load_workbook

from motcua.domain.cchc import NOTE_SHEETS, SECTIONS, Section, check_rows, section_for
from motcua.domain.documents import check_size
from motcua.domain.errors import ValidationError
from motcua.services.context import Context


def _csv_tables(data: bytes) -> list[tuple[str, list[str], list[tuple[int, dict]]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("Tệp CSV phải lưu bằng bảng mã UTF-8.") from None
    dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;\t")
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    rows = [(reader.line_num, row) for row in reader
            if any((v or "").strip() for v in row.values() if isinstance(v, str))]
    return [("", header, rows)]


def _xlsx_tables(data: bytes) -> list[tuple[str, list[str], list[tuple[int, dict]]]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a damaged file
        raise ValidationError("Không đọc được tệp Excel (.xlsx).") from exc
    tables = []
    for sheet in book.worksheets:
        if sheet.title in NOTE_SHEETS:
            continue  # a template's notes and lists
        lines = sheet.iter_rows(values_only=True)
        first = next(lines, None)
        if not first or not any(first):
            continue
        header = [str(h or "").strip().lower() for h in first]
        rows = []
        for number, values in enumerate(lines, start=2):
            if values and any(v not in (None, "") for v in values):
                rows.append((number, dict(zip(header, values, strict=False))))
        tables.append((sheet.title, header, rows))
    return tables


def read_tables(filename: str, data: bytes) -> list[tuple[Section, list[dict]]]:
    """Every section in the file, checked; nothing is returned unless every row is right."""
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".csv":
        tables = _csv_tables(data)
    elif suffix == ".xlsx":
        tables = _xlsx_tables(data)
    else:
        raise ValidationError("Chỉ nhập tệp .csv hoặc .xlsx.")
    checked, errors = [], []
    for sheet, header, rows in tables:
        where = f"Trang “{sheet}”: " if sheet else ""
        try:
            section = section_for(header)
            checked.append((section, check_rows(section, rows)))
        except ValidationError as exc:
            errors.append(where + exc.message)
    if errors:
        raise ValidationError(" ".join(errors), rows=errors)
    if not checked:
        raise ValidationError("Tệp không có dữ liệu.")
    return checked


def import_file(ctx: Context, filename: str, data: bytes) -> dict[str, int]:
    """Import a CSV or Excel file in one transaction: all of it, or none of it."""
    check_size(filename, len(data), ctx.settings.max_upload_bytes)
    tables = read_tables(filename, data)
    now = ctx.clock.now()
    counts = {s.name: 0 for s in SECTIONS}
    with ctx.uow() as uow:
        for section, rows in tables:
            uow.cchc.save_rows(section.name, rows, now)
            counts[section.name] += len(rows)
        uow.commit()
    return {k: v for k, v in counts.items() if v}


def save_task(ctx: Context, values: dict) -> None:
    """One plan task entered on the page, checked like an imported row."""
    tasks = next(s for s in SECTIONS if s.name == "tasks")
    rows = check_rows(tasks, [(1, values)])
    with ctx.uow() as uow:
        uow.cchc.save_rows("tasks", rows, ctx.clock.now())
        uow.commit()
