"""Digitisation the day of receipt (Circular 01/2023/TT-VPCP), searchable scans, signed
copies and results, and reuse of what was digitised (Decree 45/2020/NĐ-CP).

* ``scan``: the desk scans a document of the procedure (a scanner's PDF, or photos made
  into one PDF); it is attached to the dossier and recorded as a *digitised component*
  (name, original or copy, pages, SHA-256, who, when, the same day as receipt or not) in
  the same transaction, and put in the applicant's data store. The desk waits only for
  this: reading the text is the worker's.
* ``run_ocr`` (the worker): OCRmyPDF with Tesseract's Vietnamese model makes a PDF/A
  with a text layer, finds blank pages, keeps the text folded for search. The text is a
  search aid only: no field is ever filled from it. A scan that cannot be read (a
  password, a broken file, too many pages, time-outs) keeps its original and waits for a
  person, with the reason.
* ``certify``: the official certifies a digitised copy "sao y từ bản chính" with a PAdES
  signature; ``sign_result``: the signer signs an electronic result, then the agency's
  seal signs it; both go to the applicant's store. ``verify`` is fail-closed.
* ``offers`` and ``reuse``: the next filing by the same person takes a stored document
  instead of a new paper, and the reuse is recorded (Decision 766, 6.4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from motcua import ocr, signing
from motcua.domain.calendar import VN_TZ
from motcua.domain.commands import Attach
from motcua.domain.documents import Upload, check_batch, check_size, sniff
from motcua.domain.errors import NotFound, PermissionDenied, ValidationError
from motcua.domain.text import fold, nfc, vn_date_time
from motcua.domain.units import Official, Role
from motcua.services import cache
from motcua.services.context import Context
from motcua.services.dossiers import act

STATUS_LABELS = {"queued": "Chờ nhận dạng chữ", "running": "Đang nhận dạng chữ",
                 "done": "Đã nhận dạng chữ", "person": "Cần cán bộ xem lại"}
CERTIFY_ROLES = (Role.DESK, Role.SIGNER, Role.HEAD)


def _vn_day(at: datetime) -> date:
    return at.astimezone(VN_TZ).date()


def _document_names(dossier) -> list[str]:
    return [d.name for d in dossier.procedure.documents]


def _checked_name(dossier, name: str) -> str:
    name = nfc(name or "").strip()
    names = _document_names(dossier)
    if name not in names:
        raise ValidationError("Chọn giấy tờ thuộc thành phần hồ sơ của thủ tục "
                              f"“{dossier.procedure.name}”.", field="name")
    return name


def _valid_to(text: str) -> date | None:
    from motcua.domain.text import parse_date

    if not (text or "").strip():
        return None
    try:
        return parse_date(text)
    except ValueError as exc:
        raise ValidationError(f"Ngày hết hiệu lực “{text}” không đúng (dd/mm/yyyy).",
                              field="valid_to") from exc


# -- scanning at the desk ----------------------------------------------------------------------

def scan(ctx: Context, code: str, official: Official, *, name: str, original: bool,
         uploads: list[Upload], valid_to: str = "") -> int:
    """A scanned document of the dossier, stored and attached; its component's id."""
    uploads = [u for u in uploads if u.data]
    limit = int(ctx.settings.max_submission_mb * 1024 * 1024)
    check_batch(uploads, ctx.settings.max_files, limit)
    typed = []
    for u in uploads:
        check_size(u.filename, u.size, limit)
        typed.append((u.data, sniff(u.data)[0]))
    try:
        made = ocr.assemble(typed)
    except ocr.ScanError as exc:
        raise ValidationError(str(exc)) from exc
    expires = _valid_to(valid_to)
    now = ctx.clock.now()
    found: dict[str, Any] = {}

    def named(uow, dossier, command) -> None:
        found["name"] = _checked_name(dossier, name)

    def record(uow, dossier) -> None:
        sha = _last_attachment(dossier, found["name"])
        too_long = made.pages > ctx.settings.ocr_max_pages
        problem = made.problem or (
            f"Bản quét {made.pages} trang, quá {ctx.settings.ocr_max_pages} trang nhận dạng "
            f"tự động: cán bộ xem và tách tệp nếu cần." if too_long else "")
        found["id"] = uow.digitisation.add({
            "dossier_code": dossier.code, "unit_id": dossier.unit_id, "name": found["name"],
            "original": original, "pages": made.pages, "blank_pages": [], "sha256": sha,
            "size": len(made.pdf), "source": made.source, "scanned_by_id": official.id,
            "scanned_by_name": official.full_name, "scanned_at": now,
            "same_day": _vn_day(now) == _vn_day(dossier.received_at),
            "ocr_status": "person" if problem else "queued", "ocr_next_at": now,
            "ocr_error": problem})
        if dossier.applicant_id_number:
            uow.digitisation.store({
                "applicant_id_number": dossier.applicant_id_number, "name": found["name"],
                "kind": "component", "sha256": sha, "pages": made.pages, "signed": False,
                "source_dossier_code": dossier.code, "valid_from": _vn_day(now),
                "valid_to": expires, "created_at": now})

    filename = "ban-quet.pdf"
    act(ctx, code, Attach("input", (Upload(nfc(name).strip() or "Bản quét", filename,
                                           made.pdf),)),
        official, check=named, then=record)
    return found["id"]


def _last_attachment(dossier, name: str) -> str:
    """The SHA-256 of the file the act being committed attached under ``name``."""
    events = [e for e in dossier.pending_events if e.action == "attach"
              and e.data.get("name") == name]
    if not events:
        raise NotFound("Không thấy tệp vừa đính kèm.")
    return events[-1].data["sha256"]


# -- reading the text (the worker) ------------------------------------------------------------

@dataclass
class OcrRound:
    done: int = 0
    retried: int = 0
    person: int = 0


def run_ocr(ctx: Context, limit: int = 2) -> dict[str, int]:
    """Read the due scans (a few a round: the worker's other work goes on between)."""
    settings = ctx.settings
    now = ctx.clock.now()
    lease = now + timedelta(seconds=settings.ocr_timeout_s + 60)
    with ctx.uow() as uow:
        taken = uow.digitisation.claim(now, lease, limit)
        uow.commit()
    result = OcrRound()
    for row in taken:
        values = _read(ctx, row)
        with ctx.uow() as uow:
            uow.digitisation.update(row.id, **values)
            uow.commit()
        if values["ocr_status"] == "done":
            result.done += 1
        elif values["ocr_status"] == "person":
            result.person += 1
        else:
            result.retried += 1
    return {"done": result.done, "retried": result.retried, "person": result.person}


def _read(ctx: Context, row) -> dict:
    settings = ctx.settings
    if row.pages > settings.ocr_max_pages:
        return {"ocr_status": "person", "ocr_error": f"Bản quét {row.pages} trang, quá "
                f"{settings.ocr_max_pages} trang nhận dạng tự động."}
    try:
        out = ocr.ocr(ctx.files.read(row.sha256), timeout_s=settings.ocr_timeout_s,
                      page_timeout_s=settings.ocr_page_timeout_s)
    except ocr.OcrFailed as exc:
        if exc.permanent or row.ocr_attempts >= settings.ocr_attempts:
            return {"ocr_status": "person", "ocr_error": f"{exc} Bản gốc vẫn được lưu."}
        return {"ocr_status": "queued", "ocr_error": str(exc),
                "ocr_next_at": ctx.clock.now() + timedelta(minutes=5 * row.ocr_attempts)}
    except OSError as exc:
        return {"ocr_status": "person", "ocr_error": f"Không đọc được tệp đã lưu: {exc}"}
    return {"ocr_status": "done", "ocr_error": "", "ocr_sha256": ctx.files.put(out.pdf),
            "ocr_text": out.text, "ocr_search": fold(out.text), "blank_pages": out.blank_pages,
            "ocr_seconds": round(out.seconds, 2)}


def retry(ctx: Context, component_id: int, official: Official) -> None:
    """A person sends a scan back to the OCR (after the cause was fixed)."""
    with ctx.uow() as uow:
        row = uow.digitisation.get(component_id)
        _ensure_unit_staff(official, row.unit_id)
        uow.digitisation.update(component_id, ocr_status="queued", ocr_attempts=0,
                                ocr_next_at=ctx.clock.now(), ocr_error="")
        uow.commit()


# -- signatures -------------------------------------------------------------------------------

def _ensure_unit_staff(official: Official, unit_id: int, roles=CERTIFY_ROLES) -> None:
    if not any(official.has_role(r, unit_id) for r in roles):
        raise PermissionDenied("Chỉ cán bộ của đơn vị tiếp nhận hồ sơ được thao tác với bản "
                               "số hóa này.")


def keys(ctx: Context) -> signing.Keys:
    return cache.kept(ctx, ("signing-keys",), lambda: signing.Keys.from_settings(ctx.settings),
                      3600)


def _signed_upload(name: str, data: bytes) -> Upload:
    return Upload(name, "ban-ky-so.pdf", data)


def certify(ctx: Context, component_id: int, official: Official) -> str:
    """A certified electronic copy ("sao y từ bản chính") of a digitised original, signed
    by the official; attached to the dossier and put in the applicant's store."""
    with ctx.uow() as uow:
        row = uow.digitisation.get(component_id)
        unit = uow.units.by_id(row.unit_id)
    _ensure_unit_staff(official, row.unit_id)
    if not row.original:
        raise ValidationError("Chỉ chứng thực bản sao điện tử từ bản chính.")
    if row.certified_sha256:
        raise ValidationError(f"Bản này đã được chứng thực lúc {vn_date_time(row.certified_at)}"
                              f" ({row.certified_by_name}).")
    now = ctx.clock.now()
    k = keys(ctx)
    source = ctx.files.read(row.ocr_sha256 or row.sha256)
    lines = ["SAO Y TỪ BẢN CHÍNH", f"Người ký: {official.full_name}", unit.name,
             f"Ngày {now.astimezone(VN_TZ):%d/%m/%Y}"]
    try:
        pdf = signing.sign(signing.stamped(source, [(lines, signing.SIGNER_BOX)]),
                           k.official(official.username, official.full_name, unit.name),
                           field="SaoY", reason="Sao y từ bản chính", location=unit.name)
    except signing.SigningError as exc:
        raise ValidationError(str(exc)) from exc
    name = f"{row.name} (bản sao điện tử có chứng thực)"

    def record(uow, dossier) -> None:
        sha = _last_attachment(dossier, name)
        uow.digitisation.update(component_id, certified_sha256=sha,
                                certified_by_name=official.full_name, certified_at=now)
        if dossier.applicant_id_number:
            uow.digitisation.store({
                "applicant_id_number": dossier.applicant_id_number, "name": row.name,
                "kind": "component", "sha256": sha, "pages": row.pages, "signed": True,
                "source_dossier_code": dossier.code, "valid_from": _vn_day(now),
                "valid_to": None, "created_at": now})

    act(ctx, row.dossier_code, Attach("input", (_signed_upload(name, pdf),)), official,
        then=record)
    return name


def _ensure_signer(official: Official, dossier) -> None:
    signer_units = {s.unit_id for s in dossier.steps} | {dossier.unit_id}
    if not any(official.has_role(Role.SIGNER, u) for u in signer_units):
        raise PermissionDenied("Chỉ lãnh đạo ký duyệt của hồ sơ được ký số kết quả.")


def generate_result(ctx: Context, code: str, official: Official, render, *, title: str,
                    number: str, summary: str, body: str, position: str) -> str:
    """A result written in motcua by the dossier's signer, drawn by ``render(ctx, uow,
    dossier, signer_name, **fields)`` (the PDF: ``forms.pdf.written_result``, a layer
    above), attached as the dossier's result, to be signed and sealed like an uploaded
    one."""
    fields = {k: nfc(v or "").strip() for k, v in (
        ("title", title), ("number", number), ("summary", summary), ("body", body),
        ("position", position))}
    missing = [label for key, label in (("title", "tên văn bản"), ("body", "nội dung"),
                                        ("position", "chức vụ người ký")) if not fields[key]]
    if missing:
        raise ValidationError("Nhập " + ", ".join(missing) + ".")
    if len(fields["body"]) > 20000:
        raise ValidationError("Nội dung tối đa 20.000 ký tự.")
    with ctx.uow() as uow:
        dossier = uow.dossiers.get(code, corrections=False)
        _ensure_signer(official, dossier)
        pdf = render(ctx, uow, dossier, official.full_name, **fields)
    name = fields["title"][:200]
    act(ctx, code, Attach("result", (Upload(name, f"ket-qua-{dossier.code}.pdf", pdf),)),
        official)
    return name


def sign_result(ctx: Context, code: str, attachment_id: int, official: Official) -> str:
    """The electronic result signed by the signer, then sealed by the agency; attached
    as the dossier's result and put in the applicant's store."""
    with ctx.uow() as uow:
        dossier = uow.dossiers.get(code, corrections=False)
        file = uow.attachments.get(dossier.id, attachment_id)
        unit = uow.units.by_id(dossier.unit_id)
    _ensure_signer(official, dossier)
    if file.kind != "result" or file.content_type != "application/pdf":
        raise ValidationError("Chỉ ký số tệp kết quả dạng PDF.")
    k = keys(ctx)
    now = ctx.clock.now()
    lines = [f"Người ký: {official.full_name}", unit.name,
             f"Ký số ngày {now.astimezone(VN_TZ):%d/%m/%Y %H:%M}"]
    try:
        pdf = signing.stamped(ctx.files.read(file.sha256), [
            (["KẾT QUẢ ĐIỆN TỬ ĐÃ KÝ SỐ", *lines], signing.SIGNER_BOX),
            ([unit.name.upper(), "Đóng dấu điện tử của cơ quan"], signing.AGENCY_BOX)])
        pdf = signing.sign(pdf, k.official(official.username, official.full_name, unit.name),
                           field="NguoiKy", reason="Ký duyệt kết quả giải quyết",
                           location=unit.name)
        pdf = signing.sign(pdf, k.agency(unit.code, unit.name), field="CoQuan",
                           reason="Đóng dấu cơ quan", location=unit.name)
    except signing.SigningError as exc:
        raise ValidationError(str(exc)) from exc
    name = f"{file.name} (bản điện tử đã ký số)"

    def record(uow, dossier) -> None:
        if dossier.applicant_id_number:
            uow.digitisation.store({
                "applicant_id_number": dossier.applicant_id_number, "name": file.name,
                "kind": "result", "sha256": _last_attachment(dossier, name),
                "pages": 0, "signed": True, "source_dossier_code": dossier.code,
                "valid_from": _vn_day(now), "valid_to": None, "created_at": now})

    act(ctx, code, Attach("result", (_signed_upload(name, pdf),)), official, then=record)
    return name


def verify(ctx: Context, sha256: str) -> signing.Verification:
    """The signatures of a stored file, checked once per process and file (fail-closed)."""
    def check() -> signing.Verification:
        try:
            data = ctx.files.read(sha256)
        except (OSError, ValueError):
            return signing.Verification(False, (), "không đọc được tệp")
        return signing.verify(data, keys(ctx).roots)
    return cache.kept(ctx, ("signature", sha256), check, 3600)


# -- the citizen's data store and its reuse ---------------------------------------------------

def offers(ctx: Context, id_number: str, document_names: list[str]) -> list:
    """Stored documents of this person, still valid, that stand for one of the procedure's
    documents (matched by name without diacritics): signed ones first."""
    if not id_number:
        return []
    wanted = {fold(n) for n in document_names}
    with ctx.uow() as uow:
        rows = uow.digitisation.stored(id_number, _vn_day(ctx.clock.now()))
    found = [r for r in rows if fold(r.name) in wanted and r.kind == "component"]
    return sorted(found, key=lambda r: (not r.signed, -r.id))


def _record_reuse(uow, dossier, doc, official: Official, by: str, now) -> None:
    """A stored document taken for a dossier: a digitised component (its text read once
    already, when the source was) and the reuse itself (Decision 766 6.4)."""
    source = next((c for c in uow.digitisation.of_dossier(doc.source_dossier_code)
                   if doc.sha256 in (c.sha256, c.certified_sha256)), None)
    uow.digitisation.add({
        "dossier_code": dossier.code, "unit_id": dossier.unit_id, "name": doc.name,
        "original": False, "pages": doc.pages, "blank_pages": [], "sha256": doc.sha256,
        "size": 0, "source": "reuse", "scanned_by_id": official.id,
        "scanned_by_name": official.full_name, "scanned_at": now,
        "same_day": _vn_day(now) == _vn_day(dossier.received_at),
        "ocr_status": "done" if source is not None and source.ocr_status == "done"
        else "queued", "ocr_next_at": now,
        "ocr_text": source.ocr_text if source is not None else "",
        "ocr_search": source.ocr_search if source is not None else "",
        "reused_from_id": doc.id})
    uow.digitisation.add_reuse({"dossier_code": dossier.code, "citizen_document_id": doc.id,
                                "name": doc.name, "reused_at": now, "reused_by_name": by})


def chosen_online(ctx: Context, id_number: str, chosen: dict[str, int]) -> list[Upload]:
    """The stored documents a signed-in citizen chose on the online form, one per
    document of the procedure (``chosen``: the document's name → the stored document), as
    the files of those documents: each must be theirs, still valid, and stand for that
    document (its name, without diacritics)."""
    out = []
    today = _vn_day(ctx.clock.now())
    with ctx.uow() as uow:
        for slot, document_id in chosen.items():
            doc = uow.digitisation.stored_document(document_id)
            if doc.applicant_id_number != id_number or not id_number:
                raise PermissionDenied("Giấy tờ lưu trữ này không phải của Ông/Bà.")
            if doc.valid_to is not None and doc.valid_to < today:
                raise ValidationError(f"Giấy tờ lưu trữ “{doc.name}” đã hết hiệu lực.")
            if fold(doc.name) != fold(slot):
                raise ValidationError(f"Giấy tờ lưu trữ “{doc.name}” không dùng được cho "
                                      f"“{slot}”.")
            out.append(Upload(slot, f"dung-lai-{document_id}.pdf", ctx.files.read(doc.sha256)))
    return out


def record_online_reuse(ctx: Context, uow, dossier, chosen: dict[str, int],
                        official: Official) -> None:
    """At the desk's acceptance of an online filing: the stored documents the citizen
    chose, recorded as reused (in the acceptance's transaction)."""
    now = ctx.clock.now()
    for document_id in chosen.values():
        doc = uow.digitisation.stored_document(document_id)
        _record_reuse(uow, dossier, doc, official,
                      f"{dossier.applicant_name} (chọn khi nộp trực tuyến)", now)


def reuse(ctx: Context, code: str, document_id: int, official: Official) -> str:
    """Take a stored document for this dossier instead of a new paper; recorded."""
    now = ctx.clock.now()
    found: dict[str, Any] = {}

    def checked(uow, dossier, command) -> None:
        doc = uow.digitisation.stored_document(document_id)
        if doc.applicant_id_number != dossier.applicant_id_number:
            raise PermissionDenied("Giấy tờ lưu trữ này không phải của người nộp hồ sơ.")
        if doc.valid_to is not None and doc.valid_to < _vn_day(now):
            raise ValidationError("Giấy tờ lưu trữ này đã hết hiệu lực.")
        found["doc"] = doc
        found["name"] = _checked_name(dossier, doc.name)

    def record(uow, dossier) -> None:
        _record_reuse(uow, dossier, found["doc"], official, official.full_name, now)

    with ctx.uow() as uow:
        stored = uow.digitisation.stored_document(document_id)
    upload = Upload(f"{stored.name} (dùng lại từ kho dữ liệu)", "dung-lai.pdf",
                    ctx.files.read(stored.sha256))
    act(ctx, code, Attach("input", (upload,)), official, check=checked, then=record)
    return found["name"]


# -- what the pages show ----------------------------------------------------------------------

@dataclass(frozen=True)
class ComponentView:
    row: Any
    status_label: str
    verification: signing.Verification | None

    def __getattr__(self, item):
        return getattr(self.row, item)


def of_dossier(ctx: Context, code: str) -> list[ComponentView]:
    with ctx.uow() as uow:
        rows = uow.digitisation.of_dossier(code)
    return [ComponentView(r, STATUS_LABELS.get(r.ocr_status, r.ocr_status),
                          verify(ctx, r.certified_sha256) if r.certified_sha256 else None)
            for r in rows]


@dataclass(frozen=True)
class DossierScans:
    """What the dossier page shows of digitisation: the components, the documents the
    procedure asks for, the applicant's stored documents that could stand for them, and
    each signed file's verification."""

    components: list[ComponentView]
    document_names: list[str]
    offers: list
    checks: dict[str, signing.Verification]


def dossier_scans(ctx: Context, code: str, official: Official) -> DossierScans:
    from motcua.services.dossiers import ensure_may_view

    code = ensure_may_view(ctx, code, official)
    with ctx.uow() as uow:
        dossier = uow.dossiers.get(code, corrections=False)
        results = [a for a in uow.attachments.for_dossier(dossier.id)
                   if a.content_type == "application/pdf"
                   and (a.kind == "result" or "có chứng thực" in a.name)]
        reused = {r.citizen_document_id for r in uow.digitisation.reuses(code)}
    names = _document_names(dossier)
    offered = [o for o in offers(ctx, dossier.applicant_id_number, names)
               if o.source_dossier_code != code and o.id not in reused]
    return DossierScans(of_dossier(ctx, code), names, offered,
                        {a.sha256: verify(ctx, a.sha256) for a in results})


def component_file(ctx: Context, code: str, component_id: int, which: str,
                   official: Official) -> tuple[str, bytes]:
    """(file name, bytes) of a component's scan (``goc``), searchable PDF/A (``ocr``) or
    certified copy (``chung-thuc``), for an official who may see the dossier."""
    from motcua.services.dossiers import ensure_may_view

    code = ensure_may_view(ctx, code, official)
    with ctx.uow() as uow:
        row = uow.digitisation.get(component_id)
    if row.dossier_code != code:
        raise NotFound("Thành phần số hóa không thuộc hồ sơ này.")
    sha = {"goc": row.sha256, "ocr": row.ocr_sha256, "chung-thuc": row.certified_sha256}.get(
        which)
    if not sha:
        raise NotFound("Chưa có tệp này cho thành phần số hóa.")
    return f"{which}-{component_id}-{code}.pdf", ctx.files.read(sha)


@dataclass(frozen=True)
class CitizenFile:
    name: str
    sha256: str
    kind: str
    verification: signing.Verification


def citizen_files(ctx: Context, code: str) -> list[CitizenFile]:
    """What the applicant may download of a dossier (after the 4-digit check): its signed
    electronic results and the documents digitised from it into their store."""
    with ctx.uow() as uow:
        rows = uow.digitisation.stored_from(code)
    return [CitizenFile(r.name, r.sha256, r.kind, verify(ctx, r.sha256))
            for r in rows if r.signed]


def citizen_file(ctx: Context, code: str, sha256: str) -> bytes:
    if not any(f.sha256 == sha256 for f in citizen_files(ctx, code)):
        raise NotFound("Không có tệp này trong hồ sơ.")
    return ctx.files.read(sha256)
