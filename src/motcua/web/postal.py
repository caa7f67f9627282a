"""Results by post: the desk's acts on a dossier (order and label, hand-over to the
postman, cancel), its list of shipments and review list, and the carrier's webhook."""

from __future__ import annotations

import json
from datetime import timedelta

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from motcua.channels.post import HttpCarrier, parse_event
from motcua.domain.documents import Upload
from motcua.domain.errors import NotFound
from motcua.forms.postal import render_handover, render_label
from motcua.keys import same_secret
from motcua.services import postal
from motcua.services.outbox import PermanentFailure
from motcua.web.common import acted, file_response, page, require_official

router = APIRouter(include_in_schema=False)
webhook = APIRouter(prefix="/api/v1/buu-chinh", tags=["Bưu chính"])


def _back(code: str) -> str:
    return f"/ho-so/{code}#buu-chinh"


def _carrier(ctx) -> HttpCarrier:
    carrier = HttpCarrier.from_settings(ctx.settings)
    if carrier is None:
        raise NotFound("Chưa cấu hình đơn vị bưu chính (MOTCUA_POST_URL).")
    return carrier


@router.post("/ho-so/{code}/buu-chinh/van-don")
def create_label(request: Request, code: str, csrf: str = Form(""),
                 contents: str = Form("", alias="thanh_phan", max_length=5000),
                 seal_number: str = Form("", alias="so_niem_phong", max_length=40)):
    def act(ctx, who):
        with _carrier(ctx) as carrier:
            return postal.create_label(ctx, code, who, carrier, contents=contents,
                                       seal_number=seal_number)
    return acted(request, csrf, act, lambda view: f"Đã tạo vận đơn {view.tracking_number}; in "
                 "nhãn và bàn giao cho bưu điện.", _back(code))


@router.post("/ho-so/{code}/buu-chinh/ban-giao")
def hand_over(request: Request, code: str, csrf: str = Form(""),
              signer_name: str = Form("", alias="nguoi_nhan", max_length=255),
              id_type: str = Form("", alias="loai_giay_to", max_length=16),
              id_number: str = Form("", alias="so_giay_to", max_length=20),
              evidence: UploadFile | None = File(None, alias="bang_chung")):
    limit = request.app.state.ctx.settings.max_upload_bytes
    upload = Upload("Biên bản bàn giao có chữ ký", evidence.filename,
                    evidence.file.read(limit + 1)) if evidence and evidence.filename else None
    return acted(request, csrf, lambda ctx, who: postal.hand_over(
        ctx, code, who, signer_name=signer_name, id_type=id_type, id_number=id_number,
        evidence=upload), f"Đã bàn giao bưu gửi cho {signer_name}; hồ sơ được ghi là đã trả khi "
        "bưu điện báo phát thành công.", _back(code))


@router.post("/ho-so/{code}/buu-chinh/huy")
def cancel(request: Request, code: str, csrf: str = Form(""),
           reason: str = Form("", alias="ly_do", max_length=1000)):
    def act(ctx, who):
        carrier = HttpCarrier.from_settings(ctx.settings)
        if carrier is None:  # no order was ever made with a carrier
            return postal.cancel(ctx, code, who, None, reason)
        with carrier:
            return postal.cancel(ctx, code, who, carrier, reason)
    return acted(request, csrf, act, "Đã hủy gửi qua bưu chính; người dân nhận kết quả tại bộ "
                 "phận một cửa.", _back(code))


@router.get("/ho-so/{code}/buu-chinh/nhan.pdf")
def label(request: Request, code: str):
    ctx = request.app.state.ctx
    data = postal.label_data(ctx, code, require_official(request))
    return file_response(render_label(data), f"nhan-buu-gui-{code}.pdf", inline=True)


@router.get("/ho-so/{code}/buu-chinh/bien-ban.pdf")
def handover_record(request: Request, code: str):
    ctx = request.app.state.ctx
    data = postal.label_data(ctx, code, require_official(request))
    return file_response(render_handover(data), f"bien-ban-ban-giao-{code}.pdf", inline=True)


@router.get("/buu-chinh", response_class=HTMLResponse)
def shipments(request: Request):
    ctx = request.app.state.ctx
    who = require_official(request)
    now = ctx.clock.now()
    start = now.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    return page(request, "postal.html", rows=postal.shipments(ctx, who),
                reviews=postal.reviews(ctx, who), year=now.year,
                report=postal.returns_report(ctx, start, now + timedelta(seconds=1),
                                             official=who))


@router.post("/buu-chinh/xem-xet/{review_id}")
def resolve(request: Request, review_id: int, csrf: str = Form(""),
            note: str = Form("", alias="cach_xu_ly", max_length=1000)):
    return acted(request, csrf, lambda ctx, who: postal.resolve(ctx, review_id, who, note),
                 f"Đã ghi cách xử lý mục số {review_id}.", "/buu-chinh")


@webhook.post("/su-kien")
async def carrier_event(request: Request):
    """The carrier's webhook: ``{"DATA": {...event...}, "TOKEN": "<the shared secret>"}``."""
    ctx = request.app.state.ctx
    try:
        body = json.loads(await request.body())
    except ValueError:
        return JSONResponse({"status": 400, "error": True, "message": "Không phải JSON."},
                            status_code=400)
    expected = ctx.settings.post_webhook_token
    if not isinstance(body, dict) or not expected or \
            not same_secret(str(body.get("TOKEN", "")), expected):
        return JSONResponse({"status": 403, "error": True, "message": "Sai khóa."},
                            status_code=403)
    try:
        number, event, proof = parse_event(body.get("DATA") or {})
        outcome = await run_in_threadpool(postal.record, ctx, number, event, source="webhook",
                                          proof=proof)
    except PermanentFailure as exc:
        return JSONResponse({"status": 400, "error": True, "message": str(exc)},
                            status_code=400)
    except NotFound as exc:
        return JSONResponse({"status": 404, "error": True, "message": exc.message},
                            status_code=404)
    return {"status": 200, "error": False, "outcome": outcome.value}

