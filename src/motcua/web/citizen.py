"""Citizen pages: the catalogue, a procedure, online submission, tracking with a QR code."""

from __future__ import annotations

import secrets
from datetime import time as dtime
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from motcua.domain.calendar import CountingMode, Deadline, DeadlineUnit
from motcua.domain.commands import Rate
from motcua.domain.errors import MotcuaError, NotFound, PermissionDenied
from motcua.domain.lifecycle import APPLICANT
from motcua.domain.procedures import Channel
from motcua.services import dossiers as uc
from motcua.storage import queries
from motcua.web.actions import read_uploads
from motcua.web.common import check_csrf, client_key, page

router = APIRouter(include_in_schema=False)


def describe_deadline(row) -> str:
    return Deadline(row.deadline_amount, DeadlineUnit(row.deadline_unit),
                    CountingMode(row.deadline_mode),
                    dtime.fromisoformat(row.cutoff) if row.cutoff else None).describe()


def track(request: Request, code: str, last4: str) -> dict:
    """The public view of a dossier for whoever knows its code and 4 digits of ID or phone."""
    ctx, throttle = request.app.state.ctx, request.app.state.throttle
    key = client_key(request, "track:")
    if throttle.blocked(key):
        raise PermissionDenied("Bạn đã nhập sai quá nhiều lần; vui lòng thử lại sau 15 phút.")
    try:
        with ctx.uow() as uow:
            dossier = uow.dossiers.get(code, corrections=False)
            digits = {dossier.applicant_id_number[-4:], dossier.applicant_phone[-4:]} - {""}
            if len(last4.strip()) != 4 or last4.strip() not in digits:
                raise NotFound("Mã hồ sơ hoặc 4 số cuối không đúng.")
            view = uc.dossier_view(uow, dossier, ctx.calendar)
            view["rated"] = dossier.satisfaction is not None
            view["missing"] = (list(dossier.supplements[-1].missing)
                               if dossier.supplements and dossier.status.value ==
                               "awaiting_supplement" else [])
    except NotFound as exc:
        throttle.fail(key)
        raise NotFound(
            "Mã hồ sơ hoặc 4 số cuối (số định danh hoặc điện thoại) không đúng.") from exc
    throttle.reset(key)
    for private in ("allowed_actions", "procedure_id"):
        view.pop(private, None)
    for step in view["steps"]:
        step.pop("assignee_id", None)
    view["tracking_url"] = f"{ctx.settings.public_url}/tra-cuu?ma={view['code']}"
    return view


@router.get("/thu-tuc", response_class=HTMLResponse)
def catalogue(request: Request, q: str = ""):
    ctx = request.app.state.ctx
    rows = queries.search_procedures(ctx.engine, ctx.settings.province_code, q)
    return page(request, "catalogue.html", q=q, rows=rows, describe=describe_deadline)


@router.get("/thu-tuc/{code}", response_class=HTMLResponse)
def procedure_page(request: Request, code: str):
    ctx = request.app.state.ctx
    with ctx.uow() as uow:
        procedure = uow.procedures.current(code, ctx.settings.province_code)
    return page(request, "procedure.html", p=procedure,
                online=Channel.ONLINE in procedure.channels)


def _submission_form(request: Request, procedure, status_code: int = 200, error=None,
                     values: dict | None = None):
    ctx = request.app.state.ctx
    units = queries.desk_units(ctx.engine, ctx.settings.province_code)
    if procedure.unit_code:
        units = [u for u in units if u.code == procedure.unit_code]
    return page(request, "submit.html", status_code=status_code, p=procedure, units=units,
                error=error, values=values or {}, key=secrets.token_urlsafe(18),
                max_mb=ctx.settings.max_upload_mb)


def _online_procedure(request: Request, code: str):
    ctx = request.app.state.ctx
    with ctx.uow() as uow:
        procedure = uow.procedures.current(code, ctx.settings.province_code)
    if Channel.ONLINE not in procedure.channels:
        raise PermissionDenied(f"Thủ tục {procedure.name} chưa nhận hồ sơ trực tuyến; "
                               "vui lòng nộp tại bộ phận một cửa.")
    return procedure


@router.get("/thu-tuc/{code}/nop-truc-tuyen", response_class=HTMLResponse)
def submission_form(request: Request, code: str):
    return _submission_form(request, _online_procedure(request, code))


@router.post("/thu-tuc/{code}/nop-truc-tuyen", response_class=HTMLResponse)
def submit(request: Request, code: str, csrf: str = Form(""), key: str = Form(""),
           unit_code: str = Form(""), name: str = Form(""), id_number: str = Form(""),
           birth_year: str = Form(""), phone: str = Form(""), email: str = Form(""),
           address: str = Form(""), kind: str = Form("person"),
           files: list[UploadFile] | None = File(None), doc_names: list[str] | None = Form(None)):
    ctx = request.app.state.ctx
    check_csrf(request, csrf)
    procedure = _online_procedure(request, code)
    values = {"unit_code": unit_code, "name": name, "id_number": id_number,
              "birth_year": birth_year, "phone": phone, "email": email, "address": address,
              "kind": kind}
    applicant = {"kind": kind, "id_number": id_number, "name": name, "phone": phone,
                 "email": email, "address": address,
                 "birth_year": int(birth_year) if birth_year.strip().isdigit() else None}
    try:
        uploads = read_uploads(files, doc_names, ctx.settings.max_upload_bytes)
        view = uc.submit_online(ctx, procedure_code=procedure.code, unit_code=unit_code,
                                applicant=applicant, uploads=uploads, submission_key=key)
    except MotcuaError as exc:
        return _submission_form(request, procedure, 422, exc, values)
    return RedirectResponse(f"/nop-thanh-cong/{view['code']}?khoa={key}", status_code=303)


@router.get("/nop-thanh-cong/{code}", response_class=HTMLResponse)
def submitted(request: Request, code: str, khoa: str = ""):
    """The receipt after an online submission; shown only to whoever holds the form's key."""
    ctx = request.app.state.ctx
    with ctx.uow() as uow:
        dossier = uow.dossiers.get(code, corrections=False)
        if not khoa or dossier.submission_key != khoa:
            raise NotFound("Không tìm thấy biên nhận; hãy tra cứu hồ sơ bằng mã và 4 số cuối.")
        view = uc.dossier_view(uow, dossier, ctx.calendar)
    url = f"{ctx.settings.public_url}/tra-cuu?ma={view['code']}"
    return page(request, "submitted.html", dossier=view, url=url)


@router.get("/tra-cuu", response_class=HTMLResponse)
def tracking(request: Request, ma: str = "", so: str = ""):
    if not ma or not so:
        return page(request, "tracking.html", dossier=None, ma=ma, so="")
    try:
        dossier = track(request, ma, so)
    except (NotFound, PermissionDenied) as exc:
        return page(request, "tracking.html", status_code=404, dossier=None, ma=ma, so="",
                    error=exc)
    return page(request, "tracking.html", dossier=dossier, ma=ma, so=so,
                url=dossier["tracking_url"])


@router.post("/tra-cuu/danh-gia", response_class=HTMLResponse)
def rate(request: Request, csrf: str = Form(""), ma: str = Form(""), so: str = Form(""),
         rating: int = Form(0), comment: str = Form("", max_length=1000)):
    """The applicant rates a returned dossier: code plus the last 4 digits prove who they are."""
    check_csrf(request, csrf)
    dossier = track(request, ma, so)
    try:
        uc.act(request.app.state.ctx, dossier["code"], Rate(rating, comment), actor=APPLICANT)
        request.session["flash"] = {"message": "Cảm ơn Ông/Bà đã đánh giá.", "kind": "ok"}
    except MotcuaError as exc:
        request.session["flash"] = {"message": exc.message, "kind": "error"}
    return RedirectResponse(f"/tra-cuu?ma={quote(dossier['code'])}&so={quote(so)}",
                            status_code=303)


@router.get("/tuong-phan")
def contrast(request: Request, bat: int = 1, ve: str = "/thu-tuc"):
    target = ve if ve.startswith("/") and not ve.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie("tuong_phan", "cao" if bat else "thuong", max_age=31_536_000,
                        samesite="lax")
    return response
