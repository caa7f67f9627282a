"""The national public-service portal's data: its codes, its dates and its two records.

The portal (Cổng Dịch vụ công quốc gia, reached directly or through the province's
integration platform, LGSP) takes a dossier as a ``DongBoHoSoMC`` record and each step of
its handling as a ``CapNhatTienDoHoSoMC`` record. Dates are ``yyyyMMddHHmmss`` in
Vietnamese time; statuses, receiving channels, the return method and the applicant's kind
are national codes, which motcua writes through a versioned ``CodeMap`` an administrator
can read and change (``DEFAULT_MAP`` is its first version).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from motcua.domain.calendar import VN_TZ
from motcua.domain.errors import ValidationError

DATE_FORMAT = "%Y%m%d%H%M%S"

# the portal's dossier statuses (TrangThaiHoSo) with their names
NATIONAL_STATUSES = {
    "1": "Mới đăng ký", "2": "Được tiếp nhận", "3": "Không được tiếp nhận",
    "4": "Đang xử lý", "5": "Yêu cầu bổ sung giấy tờ",
    "6": "Yêu cầu thực hiện nghĩa vụ tài chính", "7": "Công dân yêu cầu rút hồ sơ",
    "8": "Dừng xử lý", "9": "Đã xử lý xong", "10": "Đã trả kết quả",
}

# kind -> (what it names, {motcua value: national code})
DEFAULT_MAP: dict[str, tuple[str, dict[str, str]]] = {
    "status": ("Trạng thái hồ sơ (TrangThaiHoSo)", {
        "in_progress": "4", "awaiting_supplement": "5", "result_ready": "9",
        "returned": "10", "refused": "3", "stopped": "8", "withdrawn": "7", "closed": "8"}),
    "action": ("Trạng thái của bước xử lý (TrangThai)", {
        "receive": "2", "assign": "4", "complete_step": "4", "send_back": "4",
        "transfer": "4", "extend": "4", "request_supplement": "5", "supplement": "4",
        "pay": "6", "refuse": "3", "stop": "8", "withdraw": "7", "close": "8",
        "approve_correction": "4", "return": "10"}),
    "channel": ("Kênh tiếp nhận (KenhThucHien)", {
        "desk": "1", "online": "2", "assisted": "2", "postal": "3"}),
    "return": ("Hình thức trả kết quả (HinhThuc)", {"desk": "0", "post": "1"}),
    "applicant": ("Loại đối tượng (LoaiDoiTuong)", {"person": "1", "business": "2"}),
}
KIND_LABELS = {kind: label for kind, (label, _) in DEFAULT_MAP.items()}
# the actions the portal hears of as a step of handling (others change no progress)
PROGRESS_ACTIONS = frozenset(DEFAULT_MAP["action"][1])


def portal_date(value: datetime | None) -> str:
    return value.astimezone(VN_TZ).strftime(DATE_FORMAT) if value is not None else ""


def parse_portal_date(text: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, DATE_FORMAT).replace(tzinfo=VN_TZ)
    except ValueError as exc:
        raise ValidationError(f"Ngày “{text}” không đúng dạng yyyyMMddHHmmss.") from exc


@dataclass(frozen=True)
class CodeMap:
    """One version of the table from motcua's values to the national codes."""

    version: int
    entries: Mapping[str, Mapping[str, str]]

    def code(self, kind: str, local: str) -> str:
        try:
            return self.entries[kind][local]
        except KeyError as exc:
            raise ValidationError(
                f"Bảng mã đồng bộ phiên bản {self.version} chưa có mã quốc gia cho "
                f"{KIND_LABELS.get(kind, kind)} “{local}”.") from exc

    def changed(self, kind: str, local: str, national: str) -> dict[str, dict[str, str]]:
        """The entries of the next version with one code changed (checked)."""
        national = national.strip()
        if kind not in DEFAULT_MAP:
            raise ValidationError(f"Không có loại mã “{kind}”.")
        if local not in self.entries.get(kind, {}):
            raise ValidationError(f"Không có giá trị “{local}” trong {KIND_LABELS[kind]}.")
        if not national or len(national) > 40 or not national.replace(".", "").isalnum():
            raise ValidationError("Mã quốc gia phải là chữ, số (tối đa 40 ký tự).")
        if kind in ("status", "action") and national not in NATIONAL_STATUSES:
            raise ValidationError(f"“{national}” không phải mã trạng thái của Cổng quốc gia "
                                  f"(1–10).")
        entries = {k: dict(v) for k, v in self.entries.items()}
        entries[kind][local] = national
        return entries


def default_map() -> CodeMap:
    return CodeMap(1, {kind: dict(codes) for kind, (_, codes) in DEFAULT_MAP.items()})


@dataclass(frozen=True)
class Names:
    """What the records name besides the dossier: the procedure's national field, the
    handling unit's name and agency identifier."""

    field_code: str
    unit_name: str
    agency_code: str


def dossier_record(d, codes: CodeMap, names: Names, *, by_post: bool,
                   attachments: Iterable = ()) -> dict:
    """The ``DongBoHoSoMC`` record of a dossier as it stands."""
    files = [a for a in attachments if a.kind != "result"]
    results = [a for a in attachments if a.kind == "result"]
    finished = d.returned_at or (d.last_action_at if d.status and not d.status.is_open
                                 and d.status.value not in ("result_ready", "returned")
                                 else None)
    return {
        "MaHoSo": d.code,
        "MaTTHC": d.procedure.code,
        "TenTTHC": d.procedure.name,
        "MaLinhVuc": names.field_code,
        "TenLinhVuc": d.procedure.field,
        "SoBienNhan": d.code,
        "ChuHoSo": d.applicant_name,
        "LoaiDoiTuong": codes.code("applicant", str(d.applicant_kind)),
        "MaDoiTuong": d.applicant_id_number or "",
        "SoDienThoai": d.applicant_phone or "",
        "Email": d.applicant_email or "",
        "TrichYeuHoSo": d.note or d.procedure.name,
        "NgayTiepNhan": portal_date(d.received_at),
        "NgayHenTra": portal_date(d.appointment),
        "TrangThaiHoSo": codes.code("status", d.status.value),
        "KenhThucHien": codes.code("channel", d.channel.value),
        "HinhThuc": codes.code("return", "post" if by_post else "desk"),
        "NgayKetThucXuLy": portal_date(d.result_ready_at),
        "NgayTra": portal_date(finished),
        "DonViXuLy": names.unit_name,
        "MaDonViXuLy": names.agency_code,
        "DanhSachLePhi": [{"TenPhiLePhi": d.procedure.fee or "Phí, lệ phí",
                           "MaPhiLePhi": d.procedure.code, "HinhThucThu": "1",
                           "Gia": d.fee_amount, "LoaiPhiLePhi": "1"}] if d.fee_amount else [],
        "DanhSachHoSoBoSung": [{
            "HoSoBoSungId": f"{d.code}-{s.seq}",
            "NoiDungBoSung": s.reason or "; ".join(s.missing),
            "NgayBoSung": portal_date(s.requested_at),
            "NgayTiepNhanBoSung": portal_date(s.supplemented_at),
            "TrangThaiBoSung": "1" if s.supplemented_at else "0",
            "DanhSachGiayToBoSung": [{"TenGiayTo": m} for m in s.missing],
            "NgayHenTraTruoc": portal_date(d.appointment_at_receipt if s.seq == 1 else None),
            "NgayHenTraMoi": portal_date(d.appointment_after_supplement
                                         if s.supplemented_at else None),
        } for s in d.supplements],
        "DanhSachGiayToKetQua": [{"TenGiayTo": a.name, "GiayToId": str(a.id),
                                  "MaThanhPhanHoSo": a.sha256[:16]} for a in results],
        "TaiLieuNop": [{"TepDinhKemId": str(a.id), "TenTepDinhKem": a.filename,
                        "TenThanhPhanHoSo": a.name, "IsDeleted": False} for a in files],
    }


def progress_record(code: str, *, action: str, at: datetime, official: str, title: str,
                    department: str, content: str, step_started: datetime | None,
                    step_due: datetime | None, codes: CodeMap) -> dict:
    """The ``CapNhatTienDoHoSoMC`` record of one step of handling."""
    return {"MaHoSo": code, "NguoiXuLy": official, "ChucDanh": title,
            "ThoiDiemXuLy": portal_date(at), "PhongBanXuLy": department,
            "NoiDungXuLy": content, "TrangThai": codes.code("action", action),
            "NgayBatDau": portal_date(step_started),
            "NgayKetThucTheoQuyDinh": portal_date(step_due)}


def fingerprint(record: dict) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False)
                          .encode()).hexdigest()
