"""Citizen pages: the catalogue, a procedure, online submission, tracking with a QR code."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from motcua.domain.commands import Rate
from motcua.domain.errors import MotcuaError, NotFound, PermissionDenied, TooManyAttempts
from motcua.domain.lifecycle import APPLICANT
from motcua.domain.procedures import Channel
from motcua.reports import lists
from motcua.services import dossiers as uc
from motcua.services import tracking as tracking_service
from motcua.web.actions import read_uploads
from motcua.web.common import birth_year as parse_birth_year
from motcua.web.common import check_csrf, online_filing, page, track

router = APIRouter(include_in_schema=False)


@router.get("/thu-tuc", response_class=HTMLResponse)
def catalogue(request: Request, q: str = Query("", max_length=200)):
    rows = lists.search_procedures(request.app.state.ctx, q)
    return page(request, "catalogue.html", q=q, rows=rows, describe=lists.describe_deadline)


@router.get("/thu-tuc/{code}", response_class=HTMLResponse)
def procedure_page(request: Request, code: str):
    procedure = lists.procedure(request.app.state.ctx, code)
    return page(request, "procedure.html", p=procedure,
                online=Channel.ONLINE in procedure.channels)


def _submission_form(request: Request, procedure, status_code: int = 200, error=None,
                     values: dict | None = None):
    ctx = request.app.state.ctx
    units = lists.desk_units(ctx, procedure)
    return page(request, "submit.html", status_code=status_code, p=procedure, units=units,
                error=error, values=values or {}, key=secrets.token_urlsafe(18),
                max_mb=ctx.settings.max_upload_mb)


@router.get("/thu-tuc/{code}/nop-truc-tuyen", response_class=HTMLResponse)
def submission_form(request: Request, code: str):
    return _submission_form(request, lists.online_procedure(request.app.state.ctx, code))


@router.post("/thu-tuc/{code}/nop-truc-tuyen", response_class=HTMLResponse)
def submit(request: Request, code: str, csrf: str = Form(""), key: str = Form(""),
           unit_code: str = Form(""), name: str = Form(""), id_number: str = Form(""),
           birth_year: str = Form(""), phone: str = Form(""), email: str = Form(""),
           address: str = Form(""), kind: str = Form("person"),
           files: list[UploadFile] | None = File(None), doc_names: list[str] | None = Form(None)):
    ctx = request.app.state.ctx
    check_csrf(request, csrf)
    procedure = lists.online_procedure(request.app.state.ctx, code)
    values = {"unit_code": unit_code, "name": name, "id_number": id_number,
              "birth_year": birth_year, "phone": phone, "email": email, "address": address,
              "kind": kind}
    try:
        applicant = {"kind": kind, "id_number": id_number, "name": name, "phone": phone,
                     "email": email, "address": address, "birth_year": parse_birth_year(birth_year)}
        uploads = read_uploads(files, doc_names, ctx.settings.max_upload_bytes)
        view, _ = online_filing(request, lambda: uc.submit_online(
            ctx, procedure_code=procedure.code, unit_code=unit_code, applicant=applicant,
            uploads=uploads, submission_key=key))
    except MotcuaError as exc:
        status = 429 if isinstance(exc, TooManyAttempts) else 422
        return _submission_form(request, procedure, status, exc, values)
    return RedirectResponse(f"/nop-thanh-cong/{view.code}?khoa={key}", status_code=303)


@router.get("/nop-thanh-cong/{code}", response_class=HTMLResponse)
def submitted(request: Request, code: str,
              key: str = Query("", alias="khoa", max_length=64)):
    """The receipt after an online submission; shown only to whoever holds the form's key."""
    view = tracking_service.submission_receipt(request.app.state.ctx, code, key)
    return page(request, "submitted.html", dossier=view, url=view.tracking_url)


@router.get("/tra-cuu", response_class=HTMLResponse)
def tracking_form(request: Request, code: str = Query("", alias="ma", max_length=64)):
    """The look-up form, the code filled in from a QR code; the digits are never taken
    from the address, so they stay out of URLs, histories and logs."""
    return page(request, "tracking.html", dossier=None, ma=code, so="")


def _tracked(request: Request, code: str, digits: str):
    """The look-up's result page: personal data, never cached."""
    try:
        dossier = track(request, code, digits)
    except (NotFound, PermissionDenied) as exc:
        return page(request, "tracking.html", status_code=404, dossier=None, ma=code, so="",
                    error=exc)
    response = page(request, "tracking.html", dossier=dossier, ma=code, so=digits,
                    url=dossier.tracking_url)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@router.post("/tra-cuu", response_class=HTMLResponse)
def tracking(request: Request, csrf: str = Form(""),
             code: str = Form("", alias="ma", max_length=64),
             digits: str = Form("", alias="so", max_length=4)):
    check_csrf(request, csrf)
    return _tracked(request, code, digits)


@router.post("/tra-cuu/danh-gia", response_class=HTMLResponse)
def rate(request: Request, csrf: str = Form(""), code: str = Form("", alias="ma"),
         digits: str = Form("", alias="so"),
         rating: int = Form(0), comment: str = Form("", max_length=1000)):
    """The applicant rates a returned dossier: code plus the last 4 digits prove who they are."""
    check_csrf(request, csrf)
    dossier = track(request, code, digits)
    try:
        uc.act(request.app.state.ctx, dossier.code, Rate(rating, comment), actor=APPLICANT)
        request.session["flash"] = {"message": "Cảm ơn Ông/Bà đã đánh giá.", "kind": "ok"}
    except MotcuaError as exc:
        request.session["flash"] = {"message": exc.message, "kind": "error"}
    return _tracked(request, dossier.code, digits)


@router.get("/tuong-phan")
def contrast(request: Request, high: int = Query(1, alias="bat"),
             back: str = Query("/thu-tuc", alias="ve", max_length=500)):
    target = back if back.startswith("/") and not back.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie("tuong_phan", "cao" if high else "thuong", max_age=31_536_000,
                        samesite="lax")
    return response
