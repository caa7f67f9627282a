"""Citizen pages: the catalogue, a procedure, online submission, tracking with a QR code."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from motcua.domain.commands import Rate
from motcua.domain.documents import Upload
from motcua.domain.errors import (
    MotcuaError,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
    ValidationError,
)
from motcua.domain.lifecycle import APPLICANT
from motcua.domain.procedures import Channel
from motcua.domain.text import fold
from motcua.reports import lists
from motcua.services import (
    accounts,
    digitisation,
    notifications,
    payments,
    postal,
    submissions,
)
from motcua.services import dossiers as uc
from motcua.services import tracking as tracking_service
from motcua.web.common import birth_year as parse_birth_year
from motcua.web.common import (
    check_csrf,
    client_address,
    error_status,
    notify_choice,
    online_filing,
    page,
    result_by_post,
    result_choice,
    result_electronic,
    track,
)
from motcua.web.digitisation import download_token

router = APIRouter(include_in_schema=False)


@router.get("/thu-tuc", response_class=HTMLResponse)
def catalogue(request: Request, q: str = Query("", max_length=200),
              level: str = Query("", alias="cap", max_length=20),
              field: str = Query("", alias="linh_vuc", max_length=200),
              agency: str = Query("", alias="co_quan", max_length=40),
              online: str = Query("", alias="truc_tuyen", max_length=20)):
    ctx = request.app.state.ctx
    found = lists.search_procedures(ctx, q, level=level, field=field, agency=agency,
                                    online=online)
    agencies = lists.catalogue_agencies(ctx)
    return page(request, "catalogue.html", q=q, found=found, rows=found.rows, level=level,
                field=field, fields=lists.catalogue_fields(ctx), agency=agency,
                agencies=agencies, agency_names=dict(agencies), online=online,
                online_levels=lists.catalogue_online_levels(ctx), agency_of=lists.agency_of,
                describe=lists.describe_deadline)


@router.get("/thu-tuc/{code}", response_class=HTMLResponse)
def procedure_page(request: Request, code: str):
    procedure = lists.procedure(request.app.state.ctx, code)
    return page(request, "procedure.html", p=procedure,
                online=Channel.ONLINE in procedure.channels,
                unit_names=lists.unit_names(request.app.state.ctx,
                                            (s.unit_code for s in procedure.steps)))


def _submission_form(request: Request, procedure, status_code: int = 200, error=None,
                     values: dict | None = None, kept: list | None = None):
    """The filing form; after a refused try, the same form key (so the files kept from
    it come back with it) and what was typed."""
    ctx = request.app.state.ctx
    units = lists.desk_units(ctx, procedure)
    values = values or {}
    key = values.get("key") if kept else None
    stored: dict[str, list] = {}
    identity = _signed_in_identity(request, values.get("id_number", ""))
    if identity:  # the citizen's own stored documents, offered for each document
        for doc in digitisation.offers(ctx, identity["id_number"],
                                       [d.name for d in procedure.documents]):
            stored.setdefault(fold(doc.name), []).append(doc)
    return page(request, "submit.html", status_code=status_code, p=procedure, units=units,
                **result_choice(ctx),
                error=error, values=values, key=key or secrets.token_urlsafe(18),
                kept={k.slot: k for k in kept or []}, max_mb=ctx.settings.max_upload_mb,
                stored=stored, fold=fold,
                signed_in=bool(request.session.get("citizen")))


@router.get("/thu-tuc/{code}/nop-truc-tuyen", response_class=HTMLResponse)
def submission_form(request: Request, code: str):
    """The filing form; for a citizen signed in with their e-ID, filled in from it."""
    ctx = request.app.state.ctx
    values = {}
    if request.session.get("citizen"):
        try:
            account = accounts.account(ctx, int(request.session["citizen"]))
            values = {"kind": "person", "name": account.name,
                      "id_number": account.id_number, "phone": account.phone,
                      "email": account.email}
        except NotFound:
            request.session.pop("citizen", None)
    response = _submission_form(request, lists.online_procedure(ctx, code), values=values)
    if values:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def _signed_in_identity(request: Request, id_number: str) -> dict | None:
    """The e-ID sign-in behind this filing, when the citizen files under their own number."""
    account_id = request.session.get("citizen")
    try:
        return accounts.filing_identity(request.app.state.ctx,
                                        int(account_id) if account_id else None, id_number)
    except NotFound:
        return None


FIELDS = {"unit_code": 40, "name": 255, "id_number": 20, "birth_year": 4, "phone": 20,
          "email": 255, "address": 500, "kind": 20, "csrf": 64, "key": 64, "kenh": 8,
          "dong_y": 1, "nhan_kq": 12, "kq_dia_chi": 255, "kq_xa": 8, "kq_dien_thoai": 20}


@router.post("/thu-tuc/{code}/nop-truc-tuyen", response_class=HTMLResponse)
async def submit(request: Request, code: str):
    """An online filing: each file comes in its document's own field (``tep_<n>``, the
    n-th document of the procedure; ``tep_khac`` for anything else), so a file is never
    filed under another document's name."""
    ctx = request.app.state.ctx
    form = await request.form()
    values = {name: str(form.get(name) or "")[:limit] for name, limit in FIELDS.items()}
    check_csrf(request, values["csrf"])
    procedure = await run_in_threadpool(lists.online_procedure, ctx, code)
    slots = {f"tep_{i}": d.name for i, d in enumerate(procedure.documents)}
    slots["tep_khac"] = submissions.OTHER
    limit = ctx.settings.max_upload_bytes
    uploads = [Upload(slots[key], f.filename, await f.read(limit + 1), f.size)
               for key, f in form.multi_items()
               if key in slots and isinstance(f, UploadFile) and f.filename]
    tokens = [str(t) for t in form.getlist("giu")][:50]

    def file() -> tuple:
        # files kept from the last try, for the documents no new file was chosen for
        chosen = {u.name for u in uploads}
        uploads.extend(u for u in submissions.kept_uploads(ctx, values["key"], tokens)
                       if u.name not in chosen)
        applicant = {"kind": values["kind"] or "person", "id_number": values["id_number"],
                     "name": values["name"], "phone": values["phone"],
                     "email": values["email"], "address": values["address"],
                     "birth_year": parse_birth_year(values["birth_year"])}
        by_post = result_by_post(values, applicant)
        identity = _signed_in_identity(request, values["id_number"])
        reused = {slots[f"tep_{i}"]: int(v) for i in range(len(procedure.documents))
                  if (v := str(form.get(f"dung_lai_{i}") or "")[:12]).isdigit()}
        return online_filing(request, lambda: submissions.submit(
            ctx, procedure_code=procedure.code, unit_code=values["unit_code"],
            applicant=applicant, uploads=uploads, submission_key=values["key"],
            notify=notify_choice(values["kenh"], values["dong_y"]), result_by_post=by_post,
            identity=identity, reused=reused, electronic=result_electronic(values)))

    try:
        view, _ = await run_in_threadpool(file)
    except MotcuaError as exc:
        status = 429 if isinstance(exc, TooManyAttempts) else 422
        kept = await run_in_threadpool(submissions.keep, ctx, values["key"], uploads)
        return await run_in_threadpool(_submission_form, request, procedure, status, exc,
                                       values, kept)
    return RedirectResponse(f"/nop-thanh-cong/{view.ref}?khoa={values['key']}", status_code=303)


@router.get("/nop-thanh-cong/{ref}", response_class=HTMLResponse)
def submitted(request: Request, ref: str,
              key: str = Query("", alias="khoa", max_length=64)):
    """The receipt of an online filing; shown only to whoever holds the form's key."""
    view = submissions.receipt(request.app.state.ctx, ref, key)
    url = f"{request.app.state.ctx.settings.public_url}/tra-cuu?ma={view.ref}"
    return page(request, "submitted.html", s=view, url=url)


@router.get("/tra-cuu", response_class=HTMLResponse)
def tracking_form(request: Request, code: str = Query("", alias="ma", max_length=64)):
    """The look-up form, the code filled in from a QR code; the digits are never taken
    from the address, so they stay out of URLs, histories and logs."""
    return page(request, "tracking.html", dossier=None, ma=code, so="")


def _tracked(request: Request, code: str, digits: str):
    """The look-up's result page: personal data, never cached."""
    try:
        found = track(request, code, digits)
    except (NotFound, PermissionDenied, TooManyAttempts) as exc:
        status = 429 if isinstance(exc, TooManyAttempts) else 404
        return page(request, "tracking.html", status_code=status, dossier=None, ma=code, so="",
                    error=exc)
    if isinstance(found, submissions.SubmissionView):
        response = page(request, "tracking.html", dossier=None, filing=found, ma=code,
                        so=digits, url=f"{request.app.state.ctx.settings.public_url}"
                                       f"/tra-cuu?ma={found.ref}",
                        shipments=postal.dossier_shipments(request.app.state.ctx, found.ref))
    else:
        response = page(request, "tracking.html", dossier=found, ma=code, so=digits,
                        url=found.tracking_url,
                        told=notifications.told_citizen(request.app.state.ctx, found.code),
                        shipments=postal.dossier_shipments(request.app.state.ctx, found.code),
                        fee=payments.fee_state(request.app.state.ctx, found.code),
                        rating_criteria=RATING_CRITERIA,
                        payment_labels=payments.STATUS_LABELS,
                        files=[(f, download_token(request, found.code, f.sha256))
                               for f in digitisation.citizen_files(request.app.state.ctx,
                                                                   found.code)],
                        proof=postal.proof_image(request.app.state.ctx, found.code))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@router.post("/tra-cuu/buu-gui-ho-so", response_class=HTMLResponse)
def register_parcel(request: Request, csrf: str = Form(""),
                    code: str = Form("", alias="ma", max_length=64),
                    digits: str = Form("", alias="so", max_length=4),
                    number: str = Form("", alias="so_buu_gui", max_length=20)):
    """The citizen gives the number of the parcel their paper dossier travels in."""
    check_csrf(request, csrf)
    try:
        postal.register_inbound(request.app.state.ctx, code, digits, number,
                                client_address(request))
        request.session["flash"] = {"message": "Đã ghi số bưu gửi; trang này cho biết bưu gửi "
                                               "đang ở đâu đến khi bộ phận một cửa nhận.",
                                    "kind": "ok"}
    except MotcuaError as exc:
        request.session["flash"] = {"message": exc.message, "kind": "error"}
    return _tracked(request, code, digits)


@router.post("/tra-cuu", response_class=HTMLResponse)
def tracking(request: Request, csrf: str = Form(""),
             code: str = Form("", alias="ma", max_length=64),
             digits: str = Form("", alias="so", max_length=4)):
    check_csrf(request, csrf)
    return _tracked(request, code, digits)


@router.post("/tra-cuu/bo-sung", response_class=HTMLResponse)
async def supplement(request: Request):
    """The applicant sends the missing documents: one field per missing item
    (``tep_<n>``), with the code and the last 4 digits."""
    ctx = request.app.state.ctx
    form = await request.form()
    code, digits = str(form.get("ma") or "")[:64], str(form.get("so") or "")[:4]
    check_csrf(request, str(form.get("csrf") or "")[:64])
    missing = [str(m)[:500] for m in form.getlist("can_bo_sung")][:50]
    limit = ctx.settings.max_upload_bytes
    uploads = [Upload(missing[int(key[4:])], f.filename, await f.read(limit + 1), f.size)
               for key, f in form.multi_items()
               if key.startswith("tep_") and key[4:].isdigit() and int(key[4:]) < len(missing)
               and isinstance(f, UploadFile) and f.filename]
    client = client_address(request)
    try:
        await run_in_threadpool(tracking_service.supplement_online, ctx, code, digits, client,
                                uploads)
        request.session["flash"] = {
            "message": "Đã gửi giấy tờ bổ sung. Bộ phận một cửa sẽ kiểm tra và xác nhận; thời "
                       "hạn giải quyết tiếp tục từ khi bổ sung được xác nhận.", "kind": "ok"}
    except MotcuaError as exc:
        request.session["flash"] = {"message": exc.message, "kind": "error"}
    return await run_in_threadpool(_tracked, request, code, digits)


# what officials report satisfaction on (the three-level scale's criteria)
RATING_CRITERIA = ("Thái độ phục vụ", "Hướng dẫn thủ tục", "Thời gian giải quyết",
                   "Số lần phải đi lại", "Cơ sở vật chất")


def _record_rating(request: Request, code: str, rating: int, comment: str,
                   criteria: list[str] | None) -> None:
    """The applicant's rating of the returned dossier ``code`` (looked up with its 4
    digits by the caller): three levels; what was wrong when not satisfied, which the
    unit's heads see."""
    chosen = [c for c in (criteria or []) if c in RATING_CRITERIA]
    text = "; ".join(filter(None, [("Chưa hài lòng về: " + ", ".join(chosen)) if chosen
                                   else "", comment.strip()]))[:1000]
    if rating not in (5, 4, 1):
        raise ValidationError("Chọn Rất hài lòng, Hài lòng hoặc Không hài lòng.")
    if rating == 1 and not text:
        raise ValidationError("Cho biết Ông/Bà chưa hài lòng về điều gì.")
    uc.act(request.app.state.ctx, code, Rate(rating, text), actor=APPLICANT)


@router.post("/tra-cuu/danh-gia", response_class=HTMLResponse)
def rate(request: Request, csrf: str = Form(""), code: str = Form("", alias="ma"),
         digits: str = Form("", alias="so"),
         rating: int = Form(0), comment: str = Form("", max_length=1000),
         criteria: list[str] | None = Form(None, alias="tieu_chi")):
    """The applicant rates a returned dossier from the tracking page; staff never rate on
    their behalf."""
    check_csrf(request, csrf)
    found = track(request, code, digits)  # wrong code or digits: the look-up's own answer
    try:
        _record_rating(request, found.code, rating, comment, criteria)
        request.session["flash"] = {"message": "Cảm ơn Ông/Bà đã đánh giá.", "kind": "ok"}
    except MotcuaError as exc:
        request.session["flash"] = {"message": exc.message, "kind": "error"}
    return _tracked(request, code, digits)


KIOSK_RESET_SECONDS = 10


@router.get("/danh-gia-tai-quay", response_class=HTMLResponse)
def kiosk(request: Request, code: str = Query("", alias="ma", max_length=64)):
    """The rating kiosk at the desk: a public page (no official's session is used), the
    applicant types the code and the last 4 digits; nothing about the dossier is shown,
    and the page clears itself after a rating."""
    return page(request, "kiosk.html", code=code, rating_criteria=RATING_CRITERIA)


@router.post("/danh-gia-tai-quay", response_class=HTMLResponse)
def kiosk_rate(request: Request, csrf: str = Form(""),
               code: str = Form("", alias="ma", max_length=64),
               digits: str = Form("", alias="so", max_length=4),
               rating: int = Form(0), comment: str = Form("", max_length=1000),
               criteria: list[str] | None = Form(None, alias="tieu_chi")):
    check_csrf(request, csrf)
    try:
        done = track(request, code, digits).code
        _record_rating(request, done, rating, comment, criteria)
    except MotcuaError as exc:
        return page(request, "kiosk.html", status_code=error_status(exc), error=exc, code=code,
                    rating_criteria=RATING_CRITERIA)
    return page(request, "kiosk.html", thanked=done, reset=KIOSK_RESET_SECONDS,
                rating_criteria=RATING_CRITERIA)


@router.get("/tuong-phan")
def contrast(request: Request, high: int = Query(1, alias="bat"),
             back: str = Query("/thu-tuc", alias="ve", max_length=500)):
    target = back if back.startswith("/") and not back.startswith("//") and "\\" not in back \
        else "/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie("tuong_phan", "cao" if high else "thuong", max_age=31_536_000,
                        samesite="lax")
    return response
