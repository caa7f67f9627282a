"""The CCHC programme pages: leaders review the year; administrators import and enter data."""

from __future__ import annotations

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse

from motcua.domain.cchc import AGENCY_KINDS, KIND_PHRASES, SECTIONS, TASK_STATUSES
from motcua.domain.errors import MotcuaError, NotFound, PermissionDenied
from motcua.domain.units import Role
from motcua.reports import cchc_annual
from motcua.reports.cchc_docs import HEADINGS, Issuer, sentences, to_docx, to_xlsx
from motcua.reports.cchc_templates import FILE_NAMES, template_xlsx
from motcua.services.cchc import import_file, save_task
from motcua.web.common import check_csrf, file_response, page, require_official

router = APIRouter(include_in_schema=False)


def _who(request: Request, write: bool = False):
    who = require_official(request)
    roles = (Role.ADMIN,) if write else (Role.ADMIN, Role.HEAD, Role.SIGNER)
    if not who.units_with(*roles):
        raise PermissionDenied("Chỉ quản trị hệ thống được nhập dữ liệu cải cách hành chính."
                               if write else
                               "Trang cải cách hành chính dành cho lãnh đạo và quản trị.")
    return who


def _year(request: Request, year: int | None) -> int:
    return year or request.app.state.ctx.clock.now().year


@router.get("/cchc", response_class=HTMLResponse)
def review(request: Request, wanted: int | None = Query(None, alias="nam", ge=1990, le=2100),
           error: str = Query("", max_length=500)):
    ctx = request.app.state.ctx
    who = _who(request)
    year = _year(request, wanted)
    report = cchc_annual(ctx, year)
    return page(request, "cchc.html", r=report, text=sentences(report), headings=HEADINGS,
                year=year, may_write=bool(who.units_with(Role.ADMIN)), kinds=AGENCY_KINDS,
                kind_phrases=KIND_PHRASES, statuses=TASK_STATUSES,
                templates=[(FILE_NAMES[s.name], s.label) for s in SECTIONS])


@router.post("/cchc/nhap")
def upload(request: Request, csrf: str = Form(""), year: int = Form(0, alias="nam"),
           file: UploadFile = File(...)):
    ctx = request.app.state.ctx
    _who(request, write=True)
    check_csrf(request, csrf)
    data = file.file.read(ctx.settings.max_upload_bytes + 1)  # the service says if too large
    try:
        counts = import_file(ctx, file.filename or "", data)
        request.session["flash"] = {"message": f"Đã nhập {sum(counts.values())} dòng.",
                                    "kind": "ok"}
    except MotcuaError as exc:
        request.session["flash"] = {"message": exc.message, "kind": "error"}
    return RedirectResponse(f"/cchc?nam={year or ''}", status_code=303)


@router.post("/cchc/nhiem-vu")
def add_task(request: Request, csrf: str = Form(""), year: str = Form(""),
             agency: str = Form(""), agency_kind: str = Form(""), title: str = Form(""),
             due_date: str = Form(""), status: str = Form(""), done_date: str = Form(""),
             owner_unit: str = Form(""), evidence: str = Form("")):
    ctx = request.app.state.ctx
    _who(request, write=True)
    check_csrf(request, csrf)
    try:
        save_task(ctx, {"year": year, "agency": agency, "agency_kind": agency_kind,
                        "title": title, "due_date": due_date, "status": status,
                        "done_date": done_date, "owner_unit": owner_unit, "evidence": evidence})
        request.session["flash"] = {"message": f"Đã lưu nhiệm vụ “{title}”.", "kind": "ok"}
    except MotcuaError as exc:
        request.session["flash"] = {"message": exc.message, "kind": "error"}
    return RedirectResponse(f"/cchc?nam={year if year.isdigit() else ''}", status_code=303)


@router.get("/cchc/mau/{name}.xlsx")
def import_template(request: Request, name: str = PathParam(..., max_length=40)):
    """The Excel template of one kind of import (header row, example, lists, notes)."""
    _who(request)
    return file_response(template_xlsx(name), f"mau-{name}.xlsx")


@router.get("/cchc/bao-cao-{year}.{fmt}")
def download(request: Request, year: int = PathParam(..., ge=1, le=9999), fmt: str = ""):
    ctx = request.app.state.ctx
    _who(request)
    if not 2000 <= year <= ctx.clock.now().year + 1:
        raise NotFound(f"Không có báo cáo cải cách hành chính năm {year}.")
    report = cchc_annual(ctx, year)
    if fmt in ("docx", "xlsx"):
        issuer = Issuer.from_settings(ctx.settings, ctx.clock.now().date())
        data = to_docx(report, issuer) if fmt == "docx" else to_xlsx(report)
        return file_response(data, f"bao-cao-cchc-{year}.{fmt}")
    raise PermissionDenied("Định dạng phải là docx hoặc xlsx.")
