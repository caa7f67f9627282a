"""Notification pages: the operator's (failed messages, retry, templates), the desk's list
to print, the citizen's unsubscribe, the providers' delivery receipts and, in the demo,
the test mailbox."""

from __future__ import annotations

import json

from fastapi import APIRouter, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse

from motcua.channels import zns
from motcua.domain.errors import MotcuaError, NotFound
from motcua.domain.notifications import (
    CHANNEL_LABELS,
    FIELDS,
    STATUS_LABELS,
    TEMPLATE_LABELS,
)
from motcua.keys import same_secret
from motcua.services import notifications as notes
from motcua.web.common import acted, page, require_official

router = APIRouter(include_in_schema=False)
receipts = APIRouter(prefix="/api/v1/thong-bao", tags=["Thông báo"])


@router.get("/thong-bao", response_class=HTMLResponse)
def operator(request: Request):
    ctx = request.app.state.ctx
    who = require_official(request)
    counts = notes.summary(ctx, who)
    channels = sorted({c for c, _ in counts})
    return page(request, "notifications.html", rows=notes.failed(ctx, who), counts=counts,
                channels=channels, statuses=list(STATUS_LABELS), status_labels_n={
                    s.value: label for s, label in STATUS_LABELS.items()},
                channel_names={c.value: label for c, label in CHANNEL_LABELS.items()},
                template_labels=TEMPLATE_LABELS, jobs=notes.worker_jobs(ctx, who))


ROW_ID = PathParam(..., ge=1, le=2**31 - 1)


@router.post("/thong-bao/{row_id}/gui-lai")
def retry(request: Request, row_id: int = ROW_ID, csrf: str = Form("")):
    return acted(request, csrf, lambda ctx, who: notes.retry(ctx, row_id, who),
                 f"Thông báo số {row_id} sẽ được gửi lại ở lượt gửi tới.", "/thong-bao")


@router.get("/thong-bao/can-in", response_class=HTMLResponse)
def print_list(request: Request):
    who = require_official(request)
    return page(request, "notices_to_print.html",
                rows=notes.to_print(request.app.state.ctx, who), template_labels=TEMPLATE_LABELS)


@router.post("/thong-bao/{row_id}/da-trao")
def handed_over(request: Request, row_id: int = ROW_ID, csrf: str = Form("")):
    return acted(request, csrf, lambda ctx, who: notes.handed_over(ctx, row_id, who),
                 f"Đã ghi nhận: thông báo số {row_id} đã in và trao cho người dân.",
                 "/thong-bao/can-in")


@router.get("/mau-thong-bao", response_class=HTMLResponse)
def templates_page(request: Request, key: str = Query("", alias="mau", max_length=64)):
    ctx = request.app.state.ctx
    notes.ensure_admin(require_official(request))
    current = notes.current_templates(ctx)
    chosen = current.get(key) if key else None
    if key and chosen is None:
        raise NotFound(f"Không có mẫu thông báo “{key}”.")
    history = notes.template_history(ctx, key) if chosen else []
    return page(request, "templates_edit.html", templates=current, chosen=chosen,
                history=history, labels=TEMPLATE_LABELS, fields=FIELDS)


@router.post("/mau-thong-bao", response_class=HTMLResponse)
def save_template(request: Request, csrf: str = Form(""), key: str = Form("", alias="mau"),
                  subject: str = Form("", alias="tieu_de", max_length=255),
                  body: str = Form("", alias="noi_dung", max_length=5000),
                  sms: str = Form("", alias="tin_nhan", max_length=1000),
                  zns_template_id: str = Form("", alias="ma_zns", max_length=64)):
    return acted(request, csrf, lambda ctx, who: notes.save_template(
        ctx, key, subject=subject, body=body, sms=sms, zns_template_id=zns_template_id,
        official=who), lambda t: f"Đã lưu mẫu “{TEMPLATE_LABELS.get(key, key)}”, phiên bản "
        f"{t.version}; thông báo đã xếp hàng giữ phiên bản cũ.", f"/mau-thong-bao?mau={key}")


@router.get("/thong-bao/huy", response_class=HTMLResponse)
def unsubscribe_page(request: Request, ref: str = Query("", alias="ma", max_length=60),
                     mac: str = Query("", alias="k", max_length=64)):
    # a GET only asks: mail scanners and link previews open links without a person
    return page(request, "unsubscribe.html", ref=ref, mac=mac, done=None)


@router.post("/thong-bao/huy", response_class=HTMLResponse)
def unsubscribe(request: Request, ref: str = Form("", alias="ma", max_length=60),
                mac: str = Form("", alias="k", max_length=64)):
    try:
        notes.unsubscribe(request.app.state.ctx, ref, mac)
        done, error = True, ""
    except MotcuaError as exc:
        done, error = False, exc.message
    return page(request, "unsubscribe.html", ref=ref, mac=mac, done=done, error=error,
                status_code=200 if done else 400)


@router.get("/hop-thu-thu-nghiem", response_class=HTMLResponse)
def demo_mailbox(request: Request):
    """The demo's SMTP server's mailbox (only when the demo configured one)."""
    folder = request.app.state.ctx.settings.demo_mailbox
    if folder is None:
        raise NotFound("Hộp thư thử nghiệm chỉ có trong bản demo.")
    from motcua.simulators.mailbox import letters

    return page(request, "demo_mailbox.html", letters=letters(folder, 100))


# -- delivery receipts from the providers --------------------------------------------------------

@receipts.get("/bien-nhan/sms")
def sms_receipt(request: Request, token: str = Query("", alias="khoa", max_length=200),
                sms_id: str = Query("", alias="SMSID", max_length=100),
                status: str = Query("", alias="SendStatus", max_length=4),
                request_id: str = Query("", alias="RequestId", max_length=100)):
    """eSMS-style callback: ``SendStatus`` 5 is delivered."""
    ctx = request.app.state.ctx
    expected = ctx.settings.receipt_token
    if not expected or not same_secret(token, expected):
        return JSONResponse({"error": "Khóa biên nhận không đúng."}, status_code=403)
    changed = 0
    if status == "5":
        changed = notes.delivered(ctx, request_id, sms_id)
    return {"updated": changed}


@receipts.post("/bien-nhan/zns")
async def zns_receipt(request: Request):
    """Zalo OA webhook: ``user_received_message`` moves the row to DELIVERED."""
    ctx = request.app.state.ctx
    body = await request.body()
    try:
        event = json.loads(body)
    except ValueError:
        return JSONResponse({"error": "Nội dung không phải JSON."}, status_code=400)
    settings = ctx.settings
    if not isinstance(event, dict) or not zns.signed(
            request.headers.get("x-zevent-signature", ""), settings.zns_app_id, body,
            str(event.get("timestamp", "")), settings.zns_secret):
        return JSONResponse({"error": "Chữ ký sự kiện không đúng."}, status_code=403)
    changed = 0
    if event.get("event_name") == "user_received_message":
        message = event.get("message") or {}
        changed = notes.delivered(ctx, str(message.get("tracking_id", "")),
                                  str(message.get("msg_id", "")))
    return {"updated": changed}
