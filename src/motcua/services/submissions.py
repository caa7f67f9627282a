"""Online filings: filed by the citizen, then accepted (the dossier is received) or
refused with a reason by the one-stop desk (domain.submissions)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from motcua.domain.documents import StoredFile, Upload
from motcua.domain.dossiers import code_day
from motcua.domain.errors import MotcuaError, NotFound, PermissionDenied, ValidationError
from motcua.domain.identity import Applicant, assurance_level, last4_matches
from motcua.domain.procedures import Channel, Procedure
from motcua.domain.submissions import Submission, SubmissionStatus, submission_ref
from motcua.domain.text import nfc, vn_date_time
from motcua.domain.units import Official, Role
from motcua.services import digitisation, notifications, postal
from motcua.services import dossiers as uc
from motcua.services.context import Context
from motcua.services.views import DossierView

OTHER = "Giấy tờ khác"


@dataclass(frozen=True)
class SubmissionView:
    """What the citizen and the desk see of a filing waiting for the desk."""

    ref: str
    status: SubmissionStatus
    status_label: str
    procedure_code: str
    procedure_name: str
    fee: str
    unit: str
    unit_name: str
    applicant: dict
    files: tuple[tuple[str, StoredFile], ...]  # (document slot, file)
    submitted_at: datetime
    decided_at: datetime | None
    decided_by: str
    reason: str
    dossier_code: str | None


def _view(uow, s: Submission) -> SubmissionView:
    procedure = uow.procedures.by_id(s.procedure_id)
    unit = uow.units.by_id(s.unit_id)
    return SubmissionView(
        ref=s.ref, status=s.status, status_label=s.status.label, procedure_code=procedure.code,
        procedure_name=procedure.name, fee=procedure.fee, unit=unit.code, unit_name=unit.name,
        applicant=s.applicant, files=tuple(zip(s.slots, s.files, strict=True)),
        submitted_at=s.submitted_at, decided_at=s.decided_at, decided_by=s.decided_by_name,
        reason=s.reason, dossier_code=s.dossier_code)


def _slot_problems(procedure: Procedure, uploads: list[Upload]) -> list[str]:
    """What is wrong with the documents filed: a file under no document of the procedure,
    a required document without a file."""
    names = [d.name for d in procedure.documents]
    problems = [f"tệp “{u.filename}” không gắn với giấy tờ nào của thủ tục" for u in uploads
                if u.name not in names and u.name != OTHER]
    given = {u.name for u in uploads}
    missing = [d.name for d in procedure.documents if d.required and d.name not in given]
    if missing:
        problems.append("còn thiếu giấy tờ bắt buộc: " + "; ".join(missing))
    return problems


def submit(ctx: Context, *, procedure_code: str, unit_code: str, applicant: dict,
           uploads: Iterable[Upload], submission_key: str,
           notify: dict | None = None,
           result_by_post: dict | None = None,
           identity: dict | None = None,
           reused: dict[str, int] | None = None,
           electronic: bool = False) -> tuple[SubmissionView, bool]:
    """File online; the filing waits for the desk. A retried or double-clicked filing
    (same ``submission_key``) answers with the first one and ``True``. Every problem of
    the form is named at once. ``notify``: the citizen's channels in order (``channels``)
    and consent to non-mandatory messages (``consent``). ``identity``: the e-ID sign-in
    behind the filing (``accounts.filing_identity``), kept with it and written into the
    dossier's audit chain at acceptance; a procedure's minimum assurance level is checked
    against it. ``reused``: stored documents the signed-in citizen chose instead of files
    (a document's name → the stored document), theirs only; recorded as reused when the
    desk accepts. ``electronic``: the result returned electronically (where the procedure
    allows it)."""
    key = (submission_key or "").strip()
    if not 8 <= len(key) <= 64 or not all(c.isalnum() or c in "-_" for c in key):
        raise ValidationError("Khóa chống gửi trùng không hợp lệ (8–64 ký tự chữ, số, - hoặc _).")
    with ctx.uow() as uow:
        earlier = uow.submissions.by_key(key)
        if earlier is not None:
            return _view(uow, earlier), True
    uploads = list(uploads)
    problems: list[str] = []
    reused = {k: v for k, v in (reused or {}).items() if k not in {u.name for u in uploads}}
    if reused:
        if not identity or applicant.get("id_number", "").strip() != identity.get("id_number"):
            raise PermissionDenied("Chỉ người đăng nhập bằng định danh điện tử, nộp cho chính "
                                   "mình, mới dùng lại giấy tờ đã lưu.")
        uploads += digitisation.chosen_online(ctx, identity["id_number"], reused)
    person = checked = None
    try:
        person = Applicant.create(**applicant)
    except MotcuaError as exc:
        problems.append(exc.message)
    try:
        checked = uc.checked_uploads(ctx, uploads)
    except MotcuaError as exc:
        problems.append(exc.message)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        procedure = uow.procedures.current(procedure_code, ctx.settings.province_code)
        if Channel.ONLINE not in procedure.channels:
            raise PermissionDenied(f"Thủ tục {procedure.name} chưa nhận hồ sơ trực tuyến.")
        unit = uow.units.find_code(unit_code) if unit_code else None
        if unit is None:
            problems.append("Chưa chọn cơ quan tiếp nhận hồ sơ." if not unit_code else
                            f"Không có cơ quan tiếp nhận mã “{unit_code}”.")
        elif not procedure.filed_at(unit.code, unit.kind):
            problems.append(f"{unit.name} không tiếp nhận thủ tục “{procedure.name}”; hãy "
                            "chọn cơ quan đúng cấp giải quyết.")
        needed = procedure.min_assurance_level
        if needed and assurance_level((identity or {}).get("level", "")) < needed:
            problems.append(f"Thủ tục “{procedure.name}” chỉ nhận hồ sơ trực tuyến của người "
                            f"đăng nhập bằng tài khoản định danh điện tử mức {needed} và nộp "
                            "cho chính mình; hãy đăng nhập rồi nộp lại.")
        if electronic and not procedure.electronic_result:
            problems.append(f"Thủ tục “{procedure.name}” chưa cho phép trả kết quả điện tử; "
                            "chọn nhận tại bộ phận một cửa hoặc qua bưu chính.")
        if electronic and result_by_post:
            problems.append("Chọn một cách nhận kết quả: điện tử hoặc qua bưu chính.")
        slot_problems = _slot_problems(procedure, uploads)
        if slot_problems:
            problems.append("Thành phần hồ sơ: " + "; ".join(slot_problems) + ".")
        if problems:
            raise ValidationError(" ".join(problems), problems=problems)
        day = code_day(now)
        ref = submission_ref(unit.code, day, uow.dossiers.next_sequence(f"TT-{unit.code}", day))
        submission = Submission(
            ref=ref, province_code=ctx.settings.province_code, procedure_id=procedure.id,
            unit_id=unit.id, applicant={**person.__dict__, "kind": person.kind.value,
                                        **({"result_by_post": result_by_post}
                                           if result_by_post else {}),
                                        **({"identity": {k: v for k, v in identity.items()
                                                         if k != "id_number"}}
                                           if identity else {}),
                                        **({"reused": reused} if reused else {}),
                                        **({"result_electronic": True} if electronic else {})},
            files=uc.stored(ctx, checked), slots=tuple(u.name for u, _ in checked),
            submission_key=key, submitted_at=now)
        uow.submissions.add(submission)
        notify = notify or {}
        notifications.set_preferences(uow, ref, notify.get("channels"),
                                      notify.get("consent", False), now)
        notifications.for_filing(ctx, uow, submission, "cho_tiep_nhan",
                                 procedure=procedure.name, unit=unit.name)
        view = _view(uow, submission)
        uow.commit()
    return view, False


@dataclass(frozen=True)
class KeptFile:
    """A file of a filing that was sent back for another problem: stored already, and
    named in the form again by ``token`` so that the citizen need not choose it again."""

    slot: str
    filename: str
    size: int
    token: str


def _mac(ctx: Context, key: str, slot: str, filename: str, sha256: str) -> str:
    text = f"giu-tep|{key}|{slot}|{filename}|{sha256}"
    return hmac.new(ctx.audit_key, text.encode(), hashlib.sha256).hexdigest()[:32]


def keep(ctx: Context, key: str, uploads: Iterable[Upload]) -> list[KeptFile]:
    """Store the acceptable files of a filing refused for another reason, and the tokens
    that bring them back with the same form (``key``); an unacceptable file is not kept
    (its own error says why). Unused, they are removed by ``motcua files sweep``."""
    kept = []
    for u in uploads:
        try:
            (checked,) = uc.checked_uploads(ctx, [u])
        except MotcuaError:
            continue
        (stored_file,) = uc.stored(ctx, [checked])
        payload = [u.name, stored_file.filename, stored_file.sha256,
                   _mac(ctx, key, u.name, stored_file.filename, stored_file.sha256)]
        token = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()
        kept.append(KeptFile(u.name, stored_file.filename, stored_file.size, token))
    return kept


def kept_uploads(ctx: Context, key: str, tokens: Iterable[str]) -> list[Upload]:
    """The files named by ``tokens`` of this form (``key``), as uploads again; a token of
    another form, altered or of a file no longer kept is ignored."""
    out = []
    for token in tokens:
        try:
            slot, filename, sha256, mac = json.loads(base64.urlsafe_b64decode(token[:2000]))
            good = hmac.compare_digest(mac, _mac(ctx, key, slot, filename, sha256))
            data = ctx.files.read(sha256) if good else None
        except (ValueError, TypeError, OSError):
            continue
        if data is not None:
            out.append(Upload(slot, filename, data))
    return out


def _deciding(uow, ref: str, official: Official) -> Submission:
    submission = uow.submissions.get(ref)
    if not official.has_role(Role.DESK, submission.unit_id):
        raise PermissionDenied("Chỉ cán bộ tiếp nhận của nơi được chọn mới xử lý hồ sơ "
                               "trực tuyến này.")
    return submission


def accept(ctx: Context, ref: str, official: Official) -> DossierView:
    """The desk accepts the filing: the dossier is received now (its code given, its
    clock started from the effective receipt), with the files filed online."""
    with ctx.uow() as uow:
        submission = _deciding(uow, ref, official)
        procedure = uow.procedures.by_id(submission.procedure_id)
        unit = uow.units.by_id(submission.unit_id)
        submission.ensure_pending()
    applicant = dict(submission.applicant)
    by_post = applicant.pop("result_by_post", None)
    identity = applicant.pop("identity", None)
    reused = applicant.pop("reused", None) or {}
    by_post_hook = postal.filing_hook(ctx, by_post,
                                      electronic=bool(applicant.pop("result_electronic", None)))

    def with_dossier(uow, dossier) -> None:
        uow.postal.relink(submission.ref, dossier.code)  # the paper dossier's parcel
        if by_post_hook is not None:
            by_post_hook(uow, dossier)
        digitisation.record_online_reuse(ctx, uow, dossier, reused, official)

    return uc.receive_dossier(
        ctx, procedure_code=procedure.code, unit_code=unit.code, channel=Channel.ONLINE.value,
        applicant=applicant, official=official, payment_method="online", identity=identity,
        with_dossier=with_dossier,
        submission_key=submission.submission_key, stored_files=submission.files,
        note=f"Nộp trực tuyến lúc {vn_date_time(submission.submitted_at)}, mã {submission.ref}",
        decide=lambda uow, code: _decide(uow, submission, official, ctx.clock.now(), code))


def _decide(uow, submission: Submission, official: Official, at: datetime, code: str) -> None:
    submission.accept(at, uc.actor_of(official), code)
    uow.submissions.save_decision(submission)
    notifications.copy_preferences(uow, submission.ref, code, at)


def decline(ctx: Context, ref: str, official: Official, reason: str) -> SubmissionView:
    """The desk refuses the filing with a reason the citizen reads (Form 03)."""
    with ctx.uow() as uow:
        submission = _deciding(uow, ref, official)
        submission.decline(ctx.clock.now(), uc.actor_of(official), nfc(reason))
        uow.submissions.save_decision(submission)
        notifications.for_filing(ctx, uow, submission, "tu_choi_tiep_nhan",
                                 procedure=uow.procedures.by_id(submission.procedure_id).name,
                                 unit=uow.units.by_id(submission.unit_id).name,
                                 ly_do=submission.reason)
        view = _view(uow, submission)
        uow.commit()
    return view


def waiting(ctx: Context, official: Official) -> list[SubmissionView]:
    """Filings waiting at the official's desks, oldest first."""
    with ctx.uow() as uow:
        return [_view(uow, s) for s in uow.submissions.waiting(official.units_with(Role.DESK))]


def count_waiting(ctx: Context, official: Official) -> int:
    with ctx.uow() as uow:
        return uow.submissions.count_waiting(official.units_with(Role.DESK))


def for_desk(ctx: Context, ref: str, official: Official) -> SubmissionView:
    with ctx.uow() as uow:
        return _view(uow, _deciding(uow, ref, official))


def file_of(ctx: Context, ref: str, index: int, official: Official) -> tuple[str, str, bytes]:
    """(filename, content type, bytes) of a filed document, for the desk deciding on it."""
    with ctx.uow() as uow:
        submission = _deciding(uow, ref, official)
    if not 0 <= index < len(submission.files):
        raise NotFound(f"Hồ sơ trực tuyến {ref} không có tệp số {index + 1}.")
    f = submission.files[index]
    return f.filename, f.content_type, ctx.files.read(f.sha256)


def receipt(ctx: Context, ref: str, key: str) -> SubmissionView:
    """The filing's receipt, for whoever holds the form's idempotency key."""
    with ctx.uow() as uow:
        try:
            submission = uow.submissions.get(ref)
        except NotFound:
            submission = None
        if submission is None or not key or submission.submission_key != key:
            raise NotFound("Không tìm thấy biên nhận; hãy tra cứu bằng mã và 4 số cuối.")
        return _view(uow, submission)


def tracked(uow, ref: str, digits: str) -> SubmissionView | None:
    """The filing ``ref`` for the holder of the last 4 digits of its ID number or phone
    (``None`` when it does not exist or the digits are wrong)."""
    try:
        submission = uow.submissions.get(ref)
    except NotFound:
        return None
    held = last4_matches(digits, submission.applicant.get("id_number", ""),
                         submission.applicant.get("phone") or "")
    return _view(uow, submission) if held else None
