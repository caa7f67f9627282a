"""Procedure use cases: save a version, import and export as JSON and Excel.

The exchange format (one object per procedure) is also the replay catalog's:
``{"code", "name", "unit", "field", "level", "deadline": {...}, "fee", "fee_amount",
"documents": [...], "result_type", "online_level", "channels": [...], "legal_basis",
"steps": [{"name", "unit", "role", "working_hours"}]}``.
"""

from __future__ import annotations

import json
from pathlib import Path

from motcua.domain.errors import InvalidProcedure, NotFound, ValidationError
from motcua.domain.procedures import (
    Channel,
    Level,
    PlannedStep,
    Procedure,
    RequiredDocument,
    deadline_from_dict,
    deadline_to_dict,
)
from motcua.domain.text import nfc
from motcua.services.context import Context


def procedure_from_dict(data: dict) -> Procedure:
    try:
        steps = [
            PlannedStep(nfc(s["name"]), round(float(s["working_hours"]) * 3600),
                        (s.get("unit") or "").strip().upper(), s.get("role") or "specialist")
            for s in data["steps"]
        ]
        documents = [RequiredDocument(nfc(d)) if isinstance(d, str) else
                     RequiredDocument(nfc(d["name"]), d.get("copies", ""), d.get("form", ""))
                     for d in data.get("documents", [])]
        legal = data.get("legal_basis") or ""
        return Procedure(
            code=str(data["code"]).strip(), name=nfc(data["name"]),
            deadline=deadline_from_dict(data["deadline"]), steps=steps,
            field=nfc(data.get("field") or ""), level=Level(data.get("level", "commune")),
            unit_code=(data.get("unit") or "").strip().upper(), fee=nfc(data.get("fee") or ""),
            fee_amount=int(data.get("fee_amount", 0) or 0), documents=documents,
            result_type=nfc(data.get("result_type") or ""),
            online_level=str(data.get("online_level", "")),
            channels=[Channel(c) for c in data.get("channels", ["desk", "online"])],
            legal_basis=nfc("; ".join(legal) if isinstance(legal, list) else legal),
            supplement_window_days=int(data.get("supplement_window_days") or 3),
            min_assurance_level=int(data.get("min_assurance_level") or 0),
            electronic_result=str(data.get("electronic_result", "")).strip().lower()
            in ("1", "true", "có", "co", "x"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidProcedure(
            f"Thủ tục {data.get('code', '?')}: thiếu hoặc sai trường ({exc})."
        ) from exc


def procedure_to_dict(p: Procedure) -> dict:
    return {
        "code": p.code, "version": p.version, "name": p.name, "unit": p.unit_code,
        "field": p.field, "level": p.level.value, "deadline": deadline_to_dict(p.deadline),
        "fee": p.fee, "fee_amount": p.fee_amount, "documents": [d.as_dict() for d in p.documents],
        "result_type": p.result_type, "online_level": p.online_level,
        "channels": [c.value for c in p.channels], "legal_basis": p.legal_basis,
        "supplement_window_days": p.supplement_window_days,
        "min_assurance_level": p.min_assurance_level,
        "electronic_result": p.electronic_result,
        "steps": [s.as_dict() for s in p.steps],
    }


def _same(a: Procedure, b: Procedure) -> bool:
    left, right = procedure_to_dict(a), procedure_to_dict(b)
    left.pop("version")
    right.pop("version")
    return left == right


def save_procedures(ctx: Context, procedures: list[Procedure]) -> tuple[int, int]:
    """Validate all, then store a new version of each one that changed.

    Returns (new versions, unchanged). Nothing is stored if one is invalid.
    """
    province = ctx.settings.province_code
    created = unchanged = 0
    with ctx.uow() as uow:
        for p in procedures:
            p.validate(ctx.calendar.day_seconds)
            for step in p.steps:
                if step.unit_code:
                    uow.units.by_code(step.unit_code)
            try:
                current = uow.procedures.current(p.code, province)
            except NotFound:
                current = None
            if current is not None and _same(current, p):
                unchanged += 1
                continue
            uow.procedures.add_version(p, province, ctx.clock.now())
            created += 1
        uow.commit()
    ctx.catalogue_cache.clear()  # this process sees it at once; others within a minute
    return created, unchanged


def list_procedures(ctx: Context) -> list[Procedure]:
    with ctx.uow() as uow:
        return uow.procedures.all_current(ctx.settings.province_code)


# -- files ---------------------------------------------------------------------------------

SHEET_PROCEDURES = "Thủ tục"
SHEET_STEPS = "Quy trình"
SHEET_DOCUMENTS = "Thành phần hồ sơ"
PROCEDURE_COLUMNS = [
    ("code", "Mã thủ tục", 14), ("name", "Tên thủ tục", 60), ("field", "Lĩnh vực", 24),
    ("level", "Cấp thực hiện", 12), ("unit", "Đơn vị giải quyết", 16),
    ("deadline", "Thời hạn (JSON)", 36), ("fee", "Phí, lệ phí", 30),
    ("fee_amount", "Số tiền (đồng)", 14), ("result_type", "Kết quả", 30),
    ("online_level", "Mức độ trực tuyến", 14), ("channels", "Kênh tiếp nhận", 24),
    ("legal_basis", "Căn cứ pháp lý", 60),
    ("min_assurance_level", "Mức định danh tối thiểu khi nộp trực tuyến (0, 1, 2)", 16),
    ("electronic_result", "Trả kết quả điện tử (có/không)", 14),
]
STEP_COLUMNS = [("code", "Mã thủ tục", 14), ("seq", "Bước", 6), ("name", "Tên bước", 40),
                ("unit", "Đơn vị (liên thông)", 18), ("role", "Vai trò", 14),
                ("working_hours", "Số giờ làm việc", 14)]


def read_procedures_file(path: Path) -> list[Procedure]:
    if path.suffix.lower() == ".xlsx":
        return _read_excel(path)
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValidationError(f"Không đọc được tệp {path}: {exc}") from exc
    items = data.get("procedures", data) if isinstance(data, dict) else data
    return [procedure_from_dict(item) for item in items]


def write_procedures_file(procedures: list[Procedure], path: Path) -> None:
    if path.suffix.lower() == ".xlsx":
        _write_excel(procedures, path)
    else:
        path.write_text(json.dumps({"procedures": [procedure_to_dict(p) for p in procedures]},
                                   ensure_ascii=False, indent=2), "utf-8")


def _write_excel(procedures: list[Procedure], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    sheets = [(wb.active, SHEET_PROCEDURES, PROCEDURE_COLUMNS),
              (wb.create_sheet(), SHEET_STEPS, STEP_COLUMNS),
              (wb.create_sheet(), SHEET_DOCUMENTS,
               [("code", "Mã thủ tục", 14), ("name", "Tên giấy tờ", 80)])]
    for ws, title, columns in sheets:
        ws.title = title
        ws.append([label for _, label, _ in columns])
        for i, (_, _, width) in enumerate(columns, start=1):
            ws.column_dimensions[ws.cell(1, i).column_letter].width = width
            ws.cell(1, i).font = Font(bold=True)
            ws.cell(1, i).alignment = Alignment(wrap_text=True, vertical="center")
        ws.freeze_panes = "A2"
    for p in procedures:
        d = procedure_to_dict(p)
        d["deadline"] = json.dumps(d["deadline"], ensure_ascii=False)
        d["channels"] = ", ".join(d["channels"])
        d["electronic_result"] = "có" if d["electronic_result"] else "không"
        sheets[0][0].append([d[k] for k, _, _ in PROCEDURE_COLUMNS])
        for seq, step in enumerate(p.steps, start=1):
            sheets[1][0].append([p.code, seq, step.name, step.unit_code, step.role,
                                 step.allocated_seconds / 3600])
        for doc in p.documents:
            sheets[2][0].append([p.code, doc.name])
    wb.save(path)


def _read_excel(path: Path) -> list[Procedure]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
        rows = {name: list(wb[name].iter_rows(min_row=2, values_only=True))
                for name in (SHEET_PROCEDURES, SHEET_STEPS, SHEET_DOCUMENTS)}
    except (OSError, KeyError, ValueError) as exc:
        raise ValidationError(
            f"Tệp Excel {path.name} phải có các trang “{SHEET_PROCEDURES}”, “{SHEET_STEPS}”, "
            f"“{SHEET_DOCUMENTS}” ({exc})."
        ) from exc
    steps: dict[str, list[dict]] = {}
    for code, _seq, name, unit, role, hours in rows[SHEET_STEPS]:
        if code:
            steps.setdefault(str(code), []).append(
                {"name": name, "unit": unit or "", "role": role or "specialist",
                 "working_hours": hours})
    documents: dict[str, list[str]] = {}
    for code, name in rows[SHEET_DOCUMENTS]:
        if code:
            documents.setdefault(str(code), []).append(name)
    result = []
    for number, row in enumerate(rows[SHEET_PROCEDURES], start=2):
        if not row or not row[0]:
            continue
        d = dict(zip([k for k, _, _ in PROCEDURE_COLUMNS], row, strict=False))
        try:
            d["deadline"] = json.loads(d["deadline"])
        except (TypeError, json.JSONDecodeError) as exc:
            raise ValidationError(f"Dòng {number}: cột thời hạn phải là JSON.") from exc
        d["channels"] = [c.strip() for c in str(d.get("channels") or "").split(",") if c.strip()]
        d["steps"] = steps.get(str(d["code"]), [])
        d["documents"] = documents.get(str(d["code"]), [])
        d = {k: ("" if v is None else v) for k, v in d.items()}
        result.append(procedure_from_dict(d))
    return result
