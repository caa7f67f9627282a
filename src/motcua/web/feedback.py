"""Feedback and complaints (phản ánh, kiến nghị): the citizen's form, look-up and rating,
the public answers, and the unit's handling page."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from motcua.domain.errors import MotcuaError
from motcua.reports import lists
from motcua.services import feedback
from motcua.web.common import acted, check_csrf, client_address, page, require_official

router = APIRouter(include_in_schema=False)


def _form(request: Request, status_code: int = 200, error=None, values=None):
    return page(request, "feedback_form.html", status_code=status_code, error=error,
                values=values or {}, units=lists.desk_units(request.app.state.ctx))


@router.get("/phan-anh", response_class=HTMLResponse)
def form(request: Request):
    return _form(request)


@router.post("/phan-anh", response_class=HTMLResponse)
def send(request: Request, csrf: str = Form(""), name: str = Form("", max_length=255),
         phone: str = Form("", max_length=20), email: str = Form("", max_length=255),
         dossier_code: str = Form("", alias="ma_ho_so", max_length=64),
         unit_code: str = Form("", alias="don_vi", max_length=40),
         content: str = Form("", alias="noi_dung", max_length=6000),
         public: str = Form("", alias="cong_khai", max_length=1)):
    check_csrf(request, csrf)
    values = {"name": name, "phone": phone, "email": email, "ma_ho_so": dossier_code,
              "don_vi": unit_code, "noi_dung": content, "cong_khai": public}
    ctx = request.app.state.ctx
    try:
        code = feedback.send(ctx, name=name, phone=phone, email=email, content=content,
                             dossier_code=dossier_code, unit_code=unit_code,
                             public=bool(public), client=client_address(request))
    except MotcuaError as exc:
        return _form(request, 422, exc, values)
    found = feedback.look_up(ctx, code, phone[-4:], client_address(request))
    return page(request, "feedback_track.html", item=found, sent=True, so=phone[-4:],
                labels=feedback.STATUS_LABELS)


@router.get("/phan-anh/tra-cuu", response_class=HTMLResponse)
def track_form(request: Request):
    return page(request, "feedback_track.html", item=None, labels=feedback.STATUS_LABELS)


@router.post("/phan-anh/tra-cuu", response_class=HTMLResponse)
def track(request: Request, csrf: str = Form(""), code: str = Form("", alias="ma",
                                                                    max_length=40),
          digits: str = Form("", alias="so", max_length=4)):
    check_csrf(request, csrf)
    try:
        found = feedback.look_up(request.app.state.ctx, code, digits, client_address(request))
    except MotcuaError as exc:
        return page(request, "feedback_track.html", status_code=404, item=None, error=exc,
                    labels=feedback.STATUS_LABELS)
    response = page(request, "feedback_track.html", item=found, so=digits,
                    labels=feedback.STATUS_LABELS)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@router.post("/phan-anh/danh-gia", response_class=HTMLResponse)
def rate(request: Request, csrf: str = Form(""), code: str = Form("", alias="ma",
                                                                   max_length=40),
         digits: str = Form("", alias="so", max_length=4),
         satisfied: str = Form("", alias="hai_long", max_length=1)):
    check_csrf(request, csrf)
    ctx = request.app.state.ctx
    error = None
    try:
        feedback.rate(ctx, code, digits, satisfied == "1", client_address(request))
    except MotcuaError as exc:
        error = exc
    found = feedback.look_up(ctx, code, digits, client_address(request))
    return page(request, "feedback_track.html", item=found, so=digits, error=error,
                rated=error is None, labels=feedback.STATUS_LABELS)


@router.get("/phan-anh/cong-khai", response_class=HTMLResponse)
def public(request: Request):
    return page(request, "feedback_public.html",
                rows=feedback.public_answers(request.app.state.ctx))


@router.get("/phan-anh/xu-ly", response_class=HTMLResponse)
def handling(request: Request):
    who = require_official(request)
    return page(request, "feedback_handle.html",
                data=feedback.for_official(request.app.state.ctx, who),
                labels=feedback.STATUS_LABELS)


@router.post("/phan-anh/{code}/tiep-nhan")
def acknowledge(request: Request, code: str, csrf: str = Form("")):
    return acted(request, csrf, lambda ctx, who: feedback.acknowledge(ctx, code, who),
                 f"Đã tiếp nhận xử lý phản ánh {code}.", "/phan-anh/xu-ly")


@router.post("/phan-anh/{code}/tra-loi")
def answer(request: Request, code: str, csrf: str = Form(""),
           text: str = Form("", alias="tra_loi", max_length=10000)):
    return acted(request, csrf, lambda ctx, who: feedback.answer(ctx, code, who, text),
                 f"Đã trả lời phản ánh {code}.", "/phan-anh/xu-ly")
