"""The public-post channel (Decision 45/2016/QĐ-TTg; hand-over rules of Circular
17/2017/TT-BTTTT): shipments of dossiers arriving by post and of results returned by
post, their statuses, the carrier's events and the hand-overs, each with its proof.

Time rules (DOMAIN.md): the result is ready when the agency finishes; a result sent by
post is *returned* only on the carrier's proof of delivery, never when handed to the
post; after the configured number of failed deliveries the parcel comes back and the
citizen collects the result at the desk.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime

from motcua.domain.errors import ValidationError


class Direction(enum.StrEnum):
    INBOUND = "inbound"    # the citizen's dossier, sent to the agency by post
    OUTBOUND = "outbound"  # the result, sent to the citizen by post

    @property
    def label(self) -> str:
        return {"inbound": "Hồ sơ gửi đến qua bưu chính",
                "outbound": "Trả kết quả qua bưu chính"}[self.value]


class ShipmentStatus(enum.StrEnum):
    REQUESTED = "requested"
    LABEL_CREATED = "label_created"
    HANDED_TO_POST = "handed_to_post"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"
    REDELIVERY = "redelivery"
    HELD_AT_POST_OFFICE = "held_at_post_office"
    RETURNING = "returning"
    RETURNED_TO_AGENCY = "returned_to_agency"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


S = ShipmentStatus
STATUS_LABELS = {
    S.REQUESTED: "Người dân đăng ký nhận qua bưu chính", S.LABEL_CREATED: "Đã tạo vận đơn",
    S.HANDED_TO_POST: "Đã bàn giao cho bưu điện", S.IN_TRANSIT: "Đang vận chuyển",
    S.OUT_FOR_DELIVERY: "Bưu tá đang đi phát", S.DELIVERED: "Đã phát thành công",
    S.DELIVERY_FAILED: "Phát không thành công", S.REDELIVERY: "Phát lại",
    S.HELD_AT_POST_OFFICE: "Lưu tại bưu cục, chờ người nhận đến lấy",
    S.RETURNING: "Đang chuyển hoàn về cơ quan", S.RETURNED_TO_AGENCY: "Đã hoàn về cơ quan",
    S.CANCELLED: "Đã hủy",
}
FINAL = frozenset({S.DELIVERED, S.RETURNED_TO_AGENCY, S.CANCELLED})
# the parcel is with the post: a carrier's events are expected
WITH_POST = frozenset({S.HANDED_TO_POST, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERY_FAILED,
                       S.REDELIVERY, S.HELD_AT_POST_OFFICE, S.RETURNING})


# -- tracking numbers ------------------------------------------------------------------------

_S10 = re.compile(r"[A-Z]{2}\d{8}\d[A-Z]{2}")
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_OPAQUE = re.compile(r"[A-Za-z0-9\-]{6,40}")


def s10_check_digit(serial: str) -> int:
    """UPU S10: weights 8 6 4 2 3 5 9 7; c = 11 - (sum mod 11); 10 -> 0, 11 -> 5."""
    c = 11 - sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(c, c)


def is_s10(code: str) -> bool:
    return bool(_S10.fullmatch(code)) and s10_check_digit(code[2:10]) == int(code[10])


def checked_tracking_number(code: str) -> str:
    """A carrier's tracking number: an S10 number (2 letters, 9 digits, 2 letters) must
    have its check digit right; another carrier's code is kept as it is (6-40 letters,
    digits or dashes)."""
    code = (code or "").strip().upper()
    if re.fullmatch(r"[A-Z]{2}\d{9}[A-Z]{2}", code):
        if not is_s10(code):
            raise ValidationError(f"Số hiệu bưu gửi {code} sai chữ số kiểm tra (chuẩn UPU S10).",
                                  field="tracking_number")
        return code
    if not _OPAQUE.fullmatch(code):
        raise ValidationError(f"Số hiệu bưu gửi “{code}” không hợp lệ.", field="tracking_number")
    return code


# -- people on a shipment and their proof -------------------------------------------------------

ID_TYPES = {"cccd": "Căn cước công dân / Căn cước", "cmnd": "Chứng minh nhân dân",
            "ho_chieu": "Hộ chiếu", "the_nganh": "Thẻ ngành bưu chính"}


def masked_id(number: str) -> str:
    """An ID number as a hand-over record shows it: the last 4 digits only."""
    digits = re.sub(r"\s", "", number or "")
    if len(digits) < 6:
        raise ValidationError("Số giấy tờ của người ký nhận không hợp lệ.", field="id_number")
    return "*" * (len(digits) - 4) + digits[-4:]


@dataclass(frozen=True)
class Party:
    name: str
    phone: str
    address: str
    province_code: int | None = None
    commune_code: str = ""

    def check(self, who: str) -> Party:
        if not self.name.strip() or not self.address.strip():
            raise ValidationError(f"Cần họ tên và địa chỉ {who}.", field="address")
        if not re.fullmatch(r"0\d{9}", re.sub(r"[\s.]", "", self.phone or "")):
            raise ValidationError(f"Số điện thoại {who} phải gồm 10 chữ số, bắt đầu bằng 0.",
                                  field="phone")
        return self


def parse_contents(text: str) -> list[dict]:
    """What goes in the parcel, one document per line: ``name; bản chính|bản sao; sheets``
    (the last two may be left out: an original of one sheet)."""
    items = []
    for n, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        name, kind, sheets = (parts + ["", ""])[:3]
        if not name:
            raise ValidationError(f"Dòng {n}: thiếu tên giấy tờ.", field="contents")
        kind = kind.lower() or "bản chính"
        if kind not in ("bản chính", "bản sao"):
            raise ValidationError(f"Dòng {n}: ghi “bản chính” hoặc “bản sao”.", field="contents")
        if sheets and (not sheets.isdigit() or not 1 <= int(sheets) <= 500):
            raise ValidationError(f"Dòng {n}: số tờ phải là số từ 1 đến 500.", field="contents")
        items.append({"name": name[:255], "original": kind == "bản chính",
                      "sheets": int(sheets or 1)})
    return items


@dataclass(frozen=True)
class CarrierEvent:
    """What the carrier says happened (by its webhook or its tracking answer)."""

    status: ShipmentStatus
    at: datetime
    place: str = ""
    note: str = ""
    received_by: str = ""
    event_id: str = ""  # the carrier's id of the event, or a key made of its fields


class Outcome(enum.StrEnum):
    APPLIED = "applied"      # the shipment moved on
    RECORDED = "recorded"    # kept in the history, the status stays (an older event)
    DUPLICATE = "duplicate"  # seen already
    CONFLICT = "conflict"    # kept, and put on the review list


def judge(current: ShipmentStatus, last_at: datetime | None, event: CarrierEvent,
          seen: bool) -> tuple[Outcome, str]:
    """What a carrier's event does to a shipment in ``current`` whose latest event was at
    ``last_at``: events may come twice and out of order (webhook and polling both)."""
    if seen:
        return Outcome.DUPLICATE, ""
    if current is S.CANCELLED:
        return Outcome.CONFLICT, "Bưu điện báo sự kiện sau khi vận đơn đã hủy."
    if current in FINAL and event.status is not current:
        return Outcome.CONFLICT, (f"Bưu điện báo “{event.status.label}” sau khi bưu gửi đã "
                                  f"“{current.label}”.")
    if event.status is S.DELIVERED and not event.received_by.strip():
        return Outcome.CONFLICT, "Bưu điện báo phát thành công nhưng không ghi người nhận."
    if last_at is not None and event.at < last_at:
        return Outcome.RECORDED, ""
    return Outcome.APPLIED, ""
