"""Commands: one frozen dataclass per thing a person does to a dossier.

A command carries what the person saw (the step they were looking at) so that
a stale act (a double click, two officials on one dossier) is refused, not
applied twice. Each field says how a person enters it (``Input``): the web
forms, the API's body models and the dossier page's action forms are all
generated from these fields, and ``parse`` turns typed-in values (form fields,
JSON, a scenario line) into a command with Vietnamese errors.

Adding an action: a command class here, a row in ``lifecycle.TRANSITIONS``
and a method on ``Dossier`` (see docs/architecture.md).
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from motcua.domain.documents import AttachmentKind, Upload
from motcua.domain.errors import ValidationError
from motcua.domain.text import parse_instant

TEXT_LIMIT = 2000


class Input(enum.StrEnum):
    """How a field is entered; the web form and the API model follow it."""

    TEXT = "text"            # one line of text
    LINES = "lines"          # one item per line (a list in JSON)
    INSTANT = "instant"      # dd/mm/yyyy HH:MM or ISO 8601, read in Vietnam time
    INTEGER = "integer"
    CHOICE = "choice"        # one of ``choices``
    OFFICIAL = "official"    # an official of the unit holding the step
    CORRECTION = "correction"  # a pending time correction of this dossier
    STEP = "step"            # the step the person saw (hidden on forms)
    FILES = "files"          # uploaded PDF, JPEG or PNG files
    INTERNAL = "internal"    # set by the system, never typed in


def arg(label: str, kind: Input = Input.TEXT, *, required: bool = False, default: Any = None,
        choices: tuple[tuple[str, str], ...] = (), hint: str = "") -> Any:
    """A command field with what a form needs to show it."""
    meta = {"label": label, "kind": kind, "required": required, "choices": choices,
            "hint": hint}
    if default is None:
        default = {Input.TEXT: "", Input.LINES: (), Input.FILES: ()}.get(kind)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Command:
    """What a person asks to be done to a dossier."""

    action: ClassVar[str]
    attachment_kind: ClassVar[AttachmentKind | None] = None

    def arguments(self) -> dict[str, Any]:
        """The fields as keyword arguments of the domain method (the seen step excluded:
        ``Dossier.apply`` checks it)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if f.metadata.get("kind") is not Input.STEP}

    @property
    def seen_step(self) -> int | None:
        """The step the person was looking at, where the command carries one."""
        return getattr(self, "expected_step", None)

    @property
    def uploads(self) -> tuple[Upload, ...]:
        return tuple(getattr(self, "files", ()))


_SEEN = "Bước đang xử lý khi thao tác"


@dataclass(frozen=True)
class Assign(Command):
    action = "assign"
    assignee_id: int = arg("Giao cho", Input.OFFICIAL, required=True)
    expected_step: int | None = arg(_SEEN, Input.STEP)


@dataclass(frozen=True)
class CompleteStep(Command):
    action = "complete_step"
    expected_step: int | None = arg(_SEEN, Input.STEP)
    note: str = arg("Ghi chú (không bắt buộc)")


@dataclass(frozen=True)
class SendBack(Command):
    action = "send_back"
    reason: str = arg("Lý do", required=True)
    expected_step: int | None = arg(_SEEN, Input.STEP)


@dataclass(frozen=True)
class RequestSupplement(Command):
    action = "request_supplement"
    missing: tuple[str, ...] = arg("Giấy tờ còn thiếu (mỗi dòng một loại)", Input.LINES)
    reason: str = arg("Lý do", hint="Bắt buộc từ lần yêu cầu thứ hai")
    expected_step: int | None = arg(_SEEN, Input.STEP)


@dataclass(frozen=True)
class Supplement(Command):
    action = "supplement"
    attachment_kind = AttachmentKind.SUPPLEMENT
    files: tuple[Upload, ...] = arg("Giấy tờ bổ sung (PDF, JPEG, PNG)", Input.FILES)


@dataclass(frozen=True)
class Refuse(Command):
    action = "refuse"
    reason: str = arg("Lý do", required=True)


@dataclass(frozen=True)
class Stop(Command):
    action = "stop"
    reason: str = arg("Lý do", required=True)


@dataclass(frozen=True)
class Withdraw(Command):
    action = "withdraw"
    reason: str = arg("Lý do (đơn xin rút)")


@dataclass(frozen=True)
class Extend(Command):
    action = "extend"
    new_appointment: datetime = arg("Ngày hẹn mới (dd/mm/yyyy HH:MM)", Input.INSTANT,
                                    required=True)
    reason: str = arg("Lý do xin lỗi, gia hạn", required=True)


@dataclass(frozen=True)
class ReturnResult(Command):
    action = "return"


@dataclass(frozen=True)
class Transfer(Command):
    action = "transfer"
    old_unit_id: int = arg("Đơn vị cũ", Input.INTEGER, required=True)
    new_unit_id: int = arg("Đơn vị kế thừa", Input.INTEGER, required=True)
    reason: str = arg("Lý do", required=True)


@dataclass(frozen=True)
class RequestCorrection(Command):
    action = "request_correction"
    target: str = arg("Thời điểm cần sửa", Input.CHOICE, default="step_finished",
                      choices=(("step_finished", "Hoàn thành bước"),
                               ("returned", "Trả kết quả")))
    step_seq: int | None = arg("Bước số", Input.INTEGER)
    new_value: datetime = arg("Thời điểm đúng (dd/mm/yyyy HH:MM)", Input.INSTANT, required=True)
    reason: str = arg("Lý do", required=True)
    evidence: str = arg("Căn cứ (sổ theo dõi, phiếu kiểm soát...)", required=True)


@dataclass(frozen=True)
class ApproveCorrection(Command):
    action = "approve_correction"
    seq: int = arg("Số đề nghị", Input.CORRECTION, required=True)


@dataclass(frozen=True)
class RejectCorrection(Command):
    action = "reject_correction"
    seq: int = arg("Số đề nghị", Input.CORRECTION, required=True)
    reason: str = arg("Lý do không duyệt", required=True)


@dataclass(frozen=True)
class Attach(Command):
    action = "attach"
    kind: str = arg("Loại", Input.CHOICE, default=AttachmentKind.INPUT.value,
                    choices=(("input", "Thành phần hồ sơ (bản số hóa)"),
                             ("result", "Kết quả giải quyết"), ("supplement", "Bổ sung")))
    files: tuple[Upload, ...] = arg("Tệp (PDF, JPEG, PNG)", Input.FILES, required=True)

    @property
    def attachment_kind(self) -> AttachmentKind:  # type: ignore[override]
        return AttachmentKind(self.kind)


@dataclass(frozen=True)
class Rate(Command):
    action = "rate"
    rating: int = arg("Mức độ hài lòng (1–5)", Input.INTEGER, required=True)
    comment: str = arg("Ý kiến")


@dataclass(frozen=True)
class Close(Command):
    action = "close"
    reason: str = arg("Lý do (để trống: quá 15 ngày chưa bổ sung)")


@dataclass(frozen=True)
class RecordPayment(Command):
    action = "pay"
    amount: int = arg("Số tiền (đồng)", Input.INTEGER, required=True)
    method: str = arg("Hình thức", Input.CHOICE, default="online",
                      choices=(("online", "Thanh toán trực tuyến"), ("cash", "Tiền mặt"),
                               ("transfer", "Chuyển khoản"),
                               ("cod", "Thu hộ qua bưu chính (COD)")))
    reference: str = arg("Mã giao dịch", required=True)


@dataclass(frozen=True)
class RefundPayment(Command):
    action = "refund"
    reference: str = arg("Mã giao dịch được hoàn", required=True)
    amount: int = arg("Số tiền hoàn (đồng)", Input.INTEGER, required=True)
    reason: str = arg("Lý do hoàn tiền", required=True)


@dataclass(frozen=True)
class Recalendar(Command):
    action = "recalendar"
    previous: Any = arg("Lịch làm việc trước khi sửa", Input.INTERNAL)
    reason: str = arg("Lý do", required=True)


COMMANDS: dict[str, type[Command]] = {c.action: c for c in (
    Assign, CompleteStep, SendBack, RequestSupplement, Supplement, Refuse, Stop, Withdraw,
    Extend, ReturnResult, Transfer, RequestCorrection, ApproveCorrection, RejectCorrection,
    Attach, Rate, Close, RecordPayment, Recalendar)}


def command_class(action: str) -> type[Command]:
    try:
        return COMMANDS[action]
    except KeyError:
        raise ValidationError(f"Thao tác không tồn tại: {action!r}.", reason="thao_tac") from None


def fields(command: type[Command]) -> list[dataclasses.Field]:
    return list(dataclasses.fields(command))


def _value(f: dataclasses.Field, raw: Any) -> Any:
    kind, label = f.metadata["kind"], f.metadata["label"]
    if kind is Input.INTERNAL:
        raise ValidationError(f"“{label}” không nhập được từ biểu mẫu.", field=f.name)
    if kind is Input.FILES:
        return tuple(raw or ())
    if kind is Input.LINES:
        items = raw if isinstance(raw, list | tuple) else str(raw or "").splitlines()
        return tuple(s for s in (str(x).strip() for x in items) if s)
    empty = raw is None or (isinstance(raw, str) and not raw.strip())
    if empty:
        if f.metadata["required"]:
            raise ValidationError(f"Thiếu “{label}”.", field=f.name)
        return f.default
    if kind in (Input.INTEGER, Input.OFFICIAL, Input.CORRECTION, Input.STEP):
        if isinstance(raw, bool):
            raise ValidationError(f"“{label}” phải là số nguyên.", field=f.name)
        try:
            return int(str(raw).strip())
        except ValueError:
            raise ValidationError(f"“{label}” phải là số nguyên.", field=f.name) from None
    if kind is Input.INSTANT:
        return raw if isinstance(raw, datetime) else parse_instant(str(raw), label)
    text = str(raw).strip()
    if len(text) > TEXT_LIMIT:
        raise ValidationError(f"“{label}” dài quá {TEXT_LIMIT} ký tự.", field=f.name)
    if kind is Input.CHOICE and text not in dict(f.metadata["choices"]):
        allowed = ", ".join(k for k, _ in f.metadata["choices"])
        raise ValidationError(f"“{label}” không hợp lệ (chọn một trong: {allowed}).",
                              field=f.name)
    return text


def parse(action: str, values: Mapping[str, Any], *, seen_step: bool = False) -> Command:
    """The command for ``action`` from typed-in ``values``; unknown keys are ignored.

    ``seen_step``: a person acted (a page, the API), so a command that acts on the
    current step must say which step they saw; a stale or repeated one is then refused
    (``Dossier.apply``) instead of moving the dossier a second step.
    """
    cls = command_class(action)
    for f in fields(cls):
        if seen_step and f.metadata["kind"] is Input.STEP and values.get(f.name) in (None, ""):
            raise ValidationError(
                f"Thiếu “{f.metadata['label']}” ({f.name}): cho biết bước hồ sơ đang ở khi "
                "thao tác, để không hoàn thành nhầm một bước người khác vừa chuyển tới.",
                field=f.name)
    return cls(**{f.name: _value(f, values.get(f.name)) for f in fields(cls)})
