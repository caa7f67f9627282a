"""Importing the national catalogue of procedures (``LayDanhSachTTHC``, ``LayThuTuc``).

The national record says what the law says of a procedure: its name, field, documents,
deadline, fee, result, legal basis, channels and level of online service. The internal
process (the steps, who holds them, their hours) is the province's and stays as it is.
``plan`` compares each national record with motcua's current version and lists, field by
field, what would change; ``apply`` then stores a new version of each procedure that
changed (and only of those), and keeps each record's national field code for the sync.
A procedure the portal publishes that motcua does not have is listed, not created: it
needs its internal process first (``motcua procedures import``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import time
from pathlib import Path

from motcua.domain.calendar import Deadline, DeadlineUnit
from motcua.domain.errors import InvalidProcedure, ValidationError
from motcua.domain.procedures import (
    Channel,
    Procedure,
    RequiredDocument,
    fee_amount_of,
)
from motcua.domain.text import fold, nfc
from motcua.services.context import Context
from motcua.services.procedures import procedure_to_dict, save_procedures

CHANNELS = {"1": Channel.DESK, "2": Channel.ONLINE, "3": Channel.POSTAL}
UNITS = {"ngày làm việc": DeadlineUnit.WORKING_DAYS, "ngày": DeadlineUnit.CALENDAR_DAYS,
         "giờ làm việc": DeadlineUnit.WORKING_HOURS, "giờ": DeadlineUnit.WORKING_HOURS}
LABELS = {"name": "Tên thủ tục", "field": "Lĩnh vực", "deadline": "Thời hạn giải quyết",
          "fee": "Phí, lệ phí", "fee_amount": "Số tiền (đồng)",
          "documents": "Thành phần hồ sơ", "result_type": "Kết quả",
          "online_level": "Mức độ dịch vụ công trực tuyến", "channels": "Kênh tiếp nhận",
          "legal_basis": "Căn cứ pháp lý"}


def _first(items, key: str, default=""):
    return (items or [{}])[0].get(key, default) if items else default


def _timing(record: dict) -> dict:
    ways = record.get("CACHTHUCTHUCHIEN") or []
    preferred = sorted(ways, key=lambda w: str(w.get("KENH")) != "1")  # direct first
    for way in preferred:
        for timing in way.get("THOIGIAN") or []:
            return timing
    return {}


def _deadline(timing: dict, current: Deadline) -> Deadline:
    unit = UNITS.get(str(timing.get("DONVITINH", "")).strip().lower())
    amount = timing.get("THOIGIANGIAIQUYET")
    if unit is None or amount in (None, ""):
        return current  # the portal states none the law could be read from: kept
    try:
        value = float(str(amount).replace(",", "."))
    except ValueError:
        return current
    cutoff = current.cutoff
    if timing.get("GIOCHOT"):  # the hour after which a filing counts the next working day
        try:
            cutoff = time.fromisoformat(str(timing["GIOCHOT"]))
        except ValueError:
            pass
    return Deadline(value, unit, current.mode, cutoff)


def merged(record: dict, current: Procedure) -> Procedure:
    """``current`` with what the national record says (a candidate new version)."""
    timing = _timing(record)
    fee = timing.get("PHILEPHI") or []
    fee_text = "; ".join(nfc(str(f.get("MOTA", ""))) for f in fee if f.get("MOTA")) \
        or current.fee
    amount = sum(int(f.get("SOTIEN") or 0) for f in fee) or fee_amount_of(fee_text)
    kept = {d.name: d for d in current.documents}
    names = [nfc(g["TENGIAYTO"]) for case in record.get("THANHPHANHOSO") or []
             for g in case.get("GIAYTO") or [] if g.get("TENGIAYTO")]
    documents = [kept.get(n, RequiredDocument(n)) for n in dict.fromkeys(names)]
    channels = [CHANNELS[str(w.get("KENH"))] for w in record.get("CACHTHUCTHUCHIEN") or []
                if str(w.get("KENH")) in CHANNELS]
    legal = "; ".join(nfc(x.get("TENVANBAN", "")) for x in record.get("CANCUPHAPLY") or []
                      if x.get("TENVANBAN"))
    results = "; ".join(nfc(x.get("TENKETQUA", "")) for x in record.get("KETQUATHUCHIEN") or []
                        if x.get("TENKETQUA"))
    return replace(
        current, name=nfc(record.get("TENTTHC") or current.name),
        field=nfc(_first(record.get("LINHVUCTHUCHIEN"), "TENLINHVUC") or current.field),
        deadline=_deadline(timing, current.deadline), fee=fee_text, fee_amount=amount,
        documents=documents or current.documents, result_type=results or current.result_type,
        online_level=nfc(str(record.get("MUCDO") or "")).lower() or current.online_level,
        channels=list(dict.fromkeys(channels)) or current.channels,
        legal_basis=legal or current.legal_basis, id=None)


def _shown(key: str, value) -> str:
    if key == "deadline":
        return json.dumps(value, ensure_ascii=False)
    if key == "documents":
        return "; ".join(d["name"] for d in value)
    if key == "channels":
        return ", ".join(Channel(c).label for c in value)
    return str(value)


@dataclass
class Change:
    code: str
    name: str
    kind: str  # "thay đổi" | "không đổi" | "mới" | "lỗi"
    differences: list[tuple[str, str, str]] = field(default_factory=list)
    procedure: Procedure | None = None
    error: str = ""
    record: dict | None = None


def plan(ctx: Context, records: list[dict], listed: list[dict] = ()) -> list[Change]:
    """What importing these national records would change, procedure by procedure;
    ``listed`` (``LayDanhSachTTHC``) adds the procedures motcua does not have."""
    changes: list[Change] = []
    with ctx.uow() as uow:
        current = {p.code: p for p in uow.procedures.all_current(ctx.settings.province_code)}
    for record in records:
        code = str(record.get("MATTHC", "")).strip()
        if code not in current:
            changes.append(Change(code, nfc(record.get("TENTTHC", "")), "mới", record=record))
            continue
        old = current[code]
        try:
            new = merged(record, old)
            new.validate(ctx.calendar.day_seconds)
        except (InvalidProcedure, ValidationError, ValueError, KeyError, TypeError) as exc:
            changes.append(Change(code, old.name, "lỗi", error=str(exc), record=record))
            continue
        before, after = procedure_to_dict(old), procedure_to_dict(new)
        differences = [(LABELS[k], _shown(k, before[k]), _shown(k, after[k]))
                       for k in LABELS if before[k] != after[k]]
        changes.append(Change(code, new.name, "thay đổi" if differences else "không đổi",
                              differences, new if differences else None, record=record))
    seen = {c.code for c in changes}
    changes += [Change(str(x["MATTHC"]), nfc(x.get("TENTTHC", "")), "mới") for x in listed
                if str(x.get("MATTHC")) not in seen and str(x.get("MATTHC")) not in current]
    order = {"thay đổi": 0, "lỗi": 1, "mới": 2, "không đổi": 3}
    return sorted(changes, key=lambda c: (order[c.kind], c.code))


def apply(ctx: Context, changes: list[Change]) -> int:
    """Store the new versions the plan found; the national records' field codes kept for
    the sync. How many procedures got a new version."""
    created, _ = save_procedures(ctx, [c.procedure for c in changes if c.procedure])
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.national.store_catalogue([{
            "code": c.code, "name": c.name, "record": c.record, "fetched_at": now,
            "field_code": str(_first(c.record.get("LINHVUCTHUCHIEN"), "MALINHVUC")),
            "field_name": nfc(str(_first(c.record.get("LINHVUCTHUCHIEN"), "TENLINHVUC")))}
            for c in changes if c.record is not None and c.kind != "mới"])
        uow.commit()
    return created


def with_field_codes(records: list[dict], fields: list[dict]) -> list[dict]:
    """Records whose field carries no code get it from the national field list
    (``LayDanhMucLinhVuc``), matched by name without diacritics or case."""
    by_name = {fold(str(f.get("TENLINHVUC", ""))): str(f.get("MALINHVUC", ""))
               for f in fields}
    out = []
    for record in records:
        found = record.get("LINHVUCTHUCHIEN") or []
        if found and not found[0].get("MALINHVUC"):
            code = by_name.get(fold(str(found[0].get("TENLINHVUC", ""))), "")
            record = {**record, "LINHVUCTHUCHIEN": [{**found[0], "MALINHVUC": code},
                                                    *found[1:]]}
        out.append(record)
    return out


def fetch(ctx: Context, client) -> tuple[list[dict], list[dict]]:
    """From the portal: the full records of the procedures motcua has (their field codes
    completed from the field list), and the list."""
    listed = client.procedure_codes()
    with ctx.uow() as uow:
        mine = {p.code for p in uow.procedures.all_current(ctx.settings.province_code)}
    records = [r for x in listed if str(x.get("MATTHC")) in mine
               if (r := client.procedure(str(x["MATTHC"]))) is not None]
    return with_field_codes(records, client.fields()), listed


@dataclass(frozen=True)
class AgencyCheck:
    unit_code: str
    unit_name: str
    agency_code: str
    finding: str  # what is wrong, in Vietnamese; "" when the code is on the list
    suggestion: str = ""


def check_agencies(ctx: Context, agencies: list[dict]) -> list[AgencyCheck]:
    """Each unit's agency identifier against the national list (``LayDanhMucCoQuan``):
    missing or unknown codes, with the code of a national agency of the same name."""
    names = {str(a.get("MADONVI", "")): nfc(str(a.get("TENDONVI", ""))) for a in agencies}
    by_name = {fold(name): code for code, name in names.items()}
    with ctx.uow() as uow:
        units = uow.units.all(ctx.settings.province_code)
    out = []
    for u in sorted(units, key=lambda u: u.code):
        suggestion = by_name.get(fold(u.name), "")
        if not u.agency_code:
            finding = "Chưa có mã định danh"
        elif u.agency_code not in names:
            finding = "Mã không có trong danh mục cơ quan của Cổng quốc gia"
        else:
            finding, suggestion = "", ""
        out.append(AgencyCheck(u.code, u.name, u.agency_code or "", finding,
                               suggestion if suggestion != u.agency_code else ""))
    return out


def read_file(path: Path) -> list[dict]:
    """National records saved from the portal: a list of ``LayThuTuc`` records, or an
    answer (``{"result": [...]}``)."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationError(f"Không đọc được tệp danh mục {path}: {exc}") from exc
    records = data.get("result") if isinstance(data, dict) else data
    if not isinstance(records, list) or not all(isinstance(r, dict) and r.get("MATTHC")
                                                 for r in records):
        raise ValidationError("Tệp danh mục phải là danh sách thủ tục dạng LayThuTuc "
                              "(mỗi thủ tục có MATTHC).")
    return records
