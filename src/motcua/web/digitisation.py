"""Digitisation pages: scanning at the desk, the worker's reading shown, certifying a
copy, signing a result, reusing a stored document, and the citizen's signed downloads."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from motcua.domain.documents import Upload
from motcua.domain.errors import MotcuaError, NotFound
from motcua.forms.pdf import written_result
from motcua.services import digitisation as digi
from motcua.web.common import acted, check_csrf, file_response, flash, require_official

router = APIRouter(include_in_schema=False)
COMPONENT = PathParam(..., ge=1, le=2**31 - 1)
DOCUMENT = PathParam(..., ge=1, le=2**31 - 1)  # one Param per name: FastAPI keeps its alias
ATTACHMENT = PathParam(..., ge=1, le=2**31 - 1)
DOWNLOAD_HOURS = 2


@router.post("/ho-so/{code}/so-hoa")
async def scan(request: Request, code: str):
    """A document scanned at the desk: one PDF, or photos made into one."""
    ctx = request.app.state.ctx
    who = require_official(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or "")[:64])
    limit = int(ctx.settings.max_submission_mb * 1024 * 1024)
    uploads = [Upload("", f.filename, await f.read(limit + 1), f.size)
               for f in form.getlist("tep")[:ctx.settings.max_files + 1]
               if isinstance(f, UploadFile) and f.filename]
    try:
        component = await run_in_threadpool(
            digi.scan, ctx, code, who, name=str(form.get("ten") or "")[:500],
            original=form.get("ban") == "chinh", uploads=uploads,
            valid_to=str(form.get("het_hieu_luc") or "")[:10])
        flash(request, f"Đã lưu bản quét (số {component}); hệ thống sẽ nhận dạng chữ trong "
                       "vài phút, bàn làm việc không phải chờ.")
    except MotcuaError as exc:
        flash(request, exc.message, "error")
    return RedirectResponse(f"/ho-so/{code}#so-hoa", status_code=303)


@router.get("/ho-so/{code}/so-hoa/{component_id}/{which}")
def component_file(request: Request, code: str, which: str, component_id: int = COMPONENT):
    who = require_official(request)
    name, data = digi.component_file(request.app.state.ctx, code, component_id, which, who)
    return file_response(data, name, inline=True)


@router.post("/ho-so/{code}/so-hoa/{component_id}/chung-thuc")
def certify(request: Request, code: str, component_id: int = COMPONENT, csrf: str = Form("")):
    return acted(request, csrf, lambda ctx, who: digi.certify(ctx, component_id, who),
                 lambda name: f"Đã ký số “{name}”.", f"/ho-so/{code}#so-hoa")


@router.post("/ho-so/{code}/so-hoa/{component_id}/nhan-dang-lai")
def read_again(request: Request, code: str, component_id: int = COMPONENT, csrf: str = Form("")):
    return acted(request, csrf, lambda ctx, who: digi.retry(ctx, component_id, who),
                 "Đã gửi bản quét nhận dạng lại.", f"/ho-so/{code}#so-hoa")


@router.post("/ho-so/{code}/dung-lai/{document_id}")
def reuse(request: Request, code: str, document_id: int = DOCUMENT, csrf: str = Form("")):
    return acted(request, csrf, lambda ctx, who: digi.reuse(ctx, code, document_id, who),
                 lambda name: f"Đã dùng lại “{name}” từ kho dữ liệu của người dân; người dân "
                              f"không phải nộp lại giấy này.", f"/ho-so/{code}#so-hoa")


@router.post("/ho-so/{code}/ky-so/{attachment_id}")
def sign_result(request: Request, code: str, attachment_id: int = ATTACHMENT, csrf: str = Form("")):
    return acted(request, csrf,
                 lambda ctx, who: digi.sign_result(ctx, code, attachment_id, who),
                 lambda name: f"Đã ký số và đóng dấu điện tử “{name}”.", f"/ho-so/{code}")


@router.post("/ho-so/{code}/soan-ket-qua")
def write_result(request: Request, code: str, csrf: str = Form(""),
                 title: str = Form("", alias="ten", max_length=200),
                 number: str = Form("", alias="so", max_length=60),
                 summary: str = Form("", alias="trich_yeu", max_length=300),
                 body: str = Form("", alias="noi_dung", max_length=20000),
                 position: str = Form("", alias="chuc_vu", max_length=100)):
    """The signer writes the result in motcua; it is attached, then signed like any."""
    return acted(request, csrf, lambda ctx, who: digi.generate_result(
        ctx, code, who, written_result, title=title, number=number, summary=summary, body=body,
        position=position),
        lambda name: f"Đã tạo “{name}”; bấm “Ký số kết quả và đóng dấu điện tử” để ký.",
        f"/ho-so/{code}")


# -- the citizen's downloads (after the 4-digit check) -----------------------------------------

def _signer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.download_key, salt="motcua-tai-ve")


def download_token(request: Request, code: str, sha256: str) -> str:
    return _signer(request).dumps([code, sha256])


@router.get("/tra-cuu/tai-ve/{token}")
def citizen_download(request: Request, token: str):
    try:
        code, sha = _signer(request).loads(token, max_age=DOWNLOAD_HOURS * 3600)
    except BadSignature:
        raise NotFound("Đường dẫn tải về đã hết hạn hoặc không đúng; tra cứu lại hồ sơ bằng "
                       "mã hồ sơ và 4 số cuối.") from None
    data = digi.citizen_file(request.app.state.ctx, str(code), str(sha))
    return file_response(data, f"{code}-{str(sha)[:8]}.pdf")
