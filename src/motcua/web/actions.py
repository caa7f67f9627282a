"""One dispatcher from an action name and its fields to the use case; pages and API share it."""

from __future__ import annotations

from fastapi import UploadFile

from motcua.domain.documents import Upload
from motcua.domain.dossiers import Action
from motcua.domain.errors import ValidationError
from motcua.domain.units import Official
from motcua.services import dossiers as uc
from motcua.web.common import parse_instant


def _int(payload: dict, name: str, label: str, required: bool = True) -> int | None:
    value = payload.get(name)
    if value in (None, ""):
        if required:
            raise ValidationError(f"Thiếu “{label}”.")
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"“{label}” phải là số nguyên.") from None


def _lines(value) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [line for line in str(value or "").splitlines() if line.strip()]


def perform(ctx, code: str, action: str, official: Official, payload: dict,
            uploads: list[Upload] | None = None) -> dict:
    """Run ``action`` on dossier ``code`` for ``official`` with form or JSON fields."""
    try:
        act = Action(action)
    except ValueError:
        raise ValidationError(f"Thao tác không tồn tại: {action!r}.") from None
    reason = str(payload.get("reason") or "")
    kw = {"official": official}
    match act:
        case Action.ASSIGN:
            return uc.assign_step(ctx, code, _int(payload, "assignee_id", "Cán bộ được giao"), **kw)
        case Action.COMPLETE_STEP:
            return uc.complete_step(ctx, code, note=str(payload.get("note") or ""),
                                    expected_step=_int(payload, "expected_step", "Bước", False),
                                    **kw)
        case Action.SEND_BACK:
            return uc.send_back(ctx, code, reason, **kw)
        case Action.REQUEST_SUPPLEMENT:
            return uc.request_supplement(ctx, code, _lines(payload.get("missing")), reason, **kw)
        case Action.SUPPLEMENT:
            return uc.supplement(ctx, code, uploads=uploads or (), **kw)
        case Action.REFUSE:
            return uc.refuse(ctx, code, reason, **kw)
        case Action.STOP:
            return uc.stop(ctx, code, reason, **kw)
        case Action.WITHDRAW:
            return uc.withdraw(ctx, code, reason, **kw)
        case Action.EXTEND:
            return uc.extend(ctx, code, parse_instant(str(payload.get("new_appointment") or ""),
                                                      "Ngày hẹn mới"), reason, **kw)
        case Action.RETURN:
            return uc.return_result(ctx, code, **kw)
        case Action.REQUEST_CORRECTION:
            return uc.request_time_correction(
                ctx, code, target=str(payload.get("target") or "step_finished"),
                new_value=parse_instant(str(payload.get("new_value") or ""), "Thời điểm đúng"),
                reason=reason, evidence=str(payload.get("evidence") or ""),
                step_seq=_int(payload, "step_seq", "Bước", False), **kw)
        case Action.APPROVE_CORRECTION:
            return uc.approve_time_correction(ctx, code, _int(payload, "seq", "Số đề nghị"), **kw)
        case Action.REJECT_CORRECTION:
            return uc.reject_time_correction(ctx, code, _int(payload, "seq", "Số đề nghị"),
                                             reason, **kw)
        case Action.ATTACH:
            return uc.attach_documents(ctx, code, uploads or (),
                                       kind=str(payload.get("kind") or "input"), **kw)
    raise ValidationError(f"Thao tác “{action}” không thực hiện qua giao diện này.")


def read_uploads(files: list[UploadFile] | None, names: list[str] | None,
                 max_bytes: int) -> list[Upload]:
    """Uploads with the document each stands for; reads at most ``max_bytes`` + 1 of each."""
    out = []
    for i, f in enumerate(files or []):
        if f is None or not f.filename:
            continue
        data = f.file.read(max_bytes + 1)
        name = (names[i] if names and i < len(names) else "") or f.filename
        out.append(Upload(name, f.filename, data, f.size))
    return out
