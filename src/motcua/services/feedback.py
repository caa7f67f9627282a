"""Feedback and complaints (phản ánh, kiến nghị) about a dossier or a procedure.

A citizen sends one (no account needed; throttled per address like online filings); it
gets a code (``PA-yymmdd-NNNN``), goes to the unit that received the dossier (or the one
the citizen names), with deadlines to acknowledge and to answer in working days
(``MOTCUA_FEEDBACK_ACK_DAYS``, ``MOTCUA_FEEDBACK_ANSWER_DAYS``: each province sets them
by its regulation). The unit's head, signer or desk acknowledges and answers; the answer
is published when the sender agreed; the sender says whether the answer satisfies them,
once, with the code and the last 4 digits of their phone. Decision 766 5.1 (answered by
the deadline) and 5.2 (satisfied with the answer) are counted from these records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from motcua.domain.calendar import VN_TZ, Deadline, DeadlineUnit
from motcua.domain.errors import NotFound, PermissionDenied, ValidationError
from motcua.domain.text import nfc
from motcua.domain.units import Official, Role
from motcua.services import throttle
from motcua.services.context import Context

STATUS_LABELS = {"received": "Đã nhận, chờ xử lý", "acknowledged": "Đang xử lý",
                 "answered": "Đã trả lời"}
HANDLERS = (Role.HEAD, Role.SIGNER, Role.DESK)


def _phone(text: str) -> str:
    digits = re.sub(r"[\s.\-]", "", text or "")
    if not re.fullmatch(r"0\d{9}", digits):
        raise ValidationError("Số điện thoại phải có 10 chữ số, bắt đầu bằng 0.",
                              field="sender_phone")
    return digits


def _due(ctx: Context, now, days: int):
    """``days`` from ``now``: working days (the time of day kept), or, with
    ``MOTCUA_FEEDBACK_DAYS=calendar``, calendar days to the close of the last day (the
    Civil Code's rule: a last day off moves to the next working day)."""
    cal = ctx.calendar
    if ctx.settings.feedback_days == "calendar":
        return cal.due_from_effective(now, Deadline(days, DeadlineUnit.CALENDAR_DAYS))
    return cal.add(now, days * cal.day_seconds)


def send(ctx: Context, *, name: str, phone: str, email: str, content: str,
         dossier_code: str = "", procedure_code: str = "", unit_code: str = "",
         public: bool = False, client: str = "") -> str:
    name, content = nfc(name or "").strip(), nfc(content or "").strip()
    if not name:
        raise ValidationError("Nhập họ tên người phản ánh, kiến nghị.", field="sender_name")
    if len(content) < 20:
        raise ValidationError("Nội dung phản ánh, kiến nghị cần ít nhất 20 ký tự.",
                              field="content")
    if len(content) > 5000:
        raise ValidationError("Nội dung tối đa 5.000 ký tự.", field="content")
    phone = _phone(phone)
    limit = throttle.Limit(ctx.settings.filings_per_hour, 3600)
    throttle.admit(ctx, limit, targets=(f"feedback:{client}",),
                   message="Đã gửi quá nhiều phản ánh từ địa chỉ này; thử lại sau một giờ.")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        if dossier_code.strip():
            try:
                dossier = uow.dossiers.get(dossier_code.strip().upper(), corrections=False)
            except NotFound:
                raise ValidationError(f"Không có hồ sơ mã {dossier_code.strip()}.",
                                      field="dossier_code") from None
            unit_id, procedure_code = dossier.unit_id, dossier.procedure.code
            dossier_code = dossier.code
        elif unit_code.strip():
            unit_id = uow.units.by_code(unit_code.strip()).id
        else:
            raise ValidationError("Nhập mã hồ sơ, hoặc chọn cơ quan tiếp nhận phản ánh.",
                                  field="unit_code")
        prefix = f"PA-{now.astimezone(VN_TZ):%y%m%d}-"
        code = uow.feedback.add_numbered(prefix, {
            "unit_id": unit_id, "dossier_code": dossier_code or None,
            "procedure_code": procedure_code.strip() or None, "sender_name": name[:255],
            "sender_phone": phone, "sender_email": (email or "").strip()[:255],
            "content": content, "public_consent": public, "status": "received",
            "received_at": now,
            "ack_due": _due(ctx, now, ctx.settings.feedback_ack_days),
            "answer_due": _due(ctx, now, ctx.settings.feedback_answer_days)})
        uow.commit()
    return code


def _handled(uow, code: str, official: Official):
    row = uow.feedback.get(code)
    if not any(official.has_role(r, row.unit_id) for r in HANDLERS):
        raise PermissionDenied("Phản ánh, kiến nghị này thuộc đơn vị khác.")
    return row


def acknowledge(ctx: Context, code: str, official: Official) -> None:
    with ctx.uow() as uow:
        row = _handled(uow, code, official)
        if row.status != "received":
            raise ValidationError("Phản ánh này đã được tiếp nhận xử lý.")
        uow.feedback.update(code, status="acknowledged", acknowledged_at=ctx.clock.now(),
                            handler_name=official.full_name)
        uow.commit()


def answer(ctx: Context, code: str, official: Official, text: str) -> None:
    text = nfc(text or "").strip()
    if len(text) < 10:
        raise ValidationError("Nội dung trả lời cần ít nhất 10 ký tự.", field="answer")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        row = _handled(uow, code, official)
        if row.status == "answered":
            raise ValidationError("Phản ánh này đã được trả lời.")
        uow.feedback.update(code, status="answered", answered_at=now, answer=text[:10000],
                            acknowledged_at=row.acknowledged_at or now,
                            handler_name=official.full_name)
        uow.commit()


def _sender(uow, code: str, last4: str):
    row = uow.feedback.get((code or "").strip().upper())
    if len(last4 or "") != 4 or row.sender_phone[-4:] != last4:
        raise NotFound("Mã phản ánh hoặc 4 số cuối điện thoại không đúng.")
    return row


def look_up(ctx: Context, code: str, last4: str, client: str):
    return throttle.guarded(ctx, throttle.GUESSES, targets=(f"feedback-code:{code[:40]}",),
                            clients=(f"feedback:{client}",),
                            guess=lambda uow: _sender(uow, code, last4))


def rate(ctx: Context, code: str, last4: str, satisfied: bool, client: str) -> None:
    row = look_up(ctx, code, last4, client)
    if row.status != "answered":
        raise ValidationError("Phản ánh chưa được trả lời.")
    if row.satisfied is not None:
        raise ValidationError("Ông/Bà đã đánh giá câu trả lời này.")
    with ctx.uow() as uow:
        uow.feedback.update(row.code, satisfied=satisfied)
        uow.commit()


@dataclass(frozen=True)
class Handling:
    rows: list
    units: dict[int, str]
    unhappy: list  # dossiers rated "Không hài lòng", with what the applicant said


def for_official(ctx: Context, official: Official) -> Handling:
    units = official.units_with(*HANDLERS)
    if not units:
        raise PermissionDenied("Chỉ lãnh đạo, cán bộ một cửa xử lý phản ánh, kiến nghị.")
    with ctx.uow() as uow:
        rows = uow.feedback.of_units(units)
        names = {u: uow.units.by_id(u).name for u in units}
        unhappy = uow.feedback.unhappy(units)
    return Handling(rows, names, unhappy)


def public_answers(ctx: Context) -> list[Any]:
    with ctx.uow() as uow:
        return uow.feedback.public()
