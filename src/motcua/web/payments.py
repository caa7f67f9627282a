"""Paying a fee online: from the tracking page to the gateway, its callbacks, the receipt."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from motcua.channels.payment import Gateway
from motcua.domain.errors import ValidationError
from motcua.domain.text import vn_number
from motcua.services import payments
from motcua.web.common import acted, check_csrf, client_address, page

router = APIRouter(include_in_schema=False)
callbacks = APIRouter(prefix="/api/v1/thanh-toan", tags=["Thanh toán"])


def gateway(request: Request) -> Gateway:
    found = Gateway.from_settings(request.app.state.ctx.settings)
    if found is None:
        raise ValidationError("Hệ thống chưa kết nối cổng thanh toán trực tuyến.")
    return found


@router.post("/tra-cuu/thanh-toan")
def start(request: Request, csrf: str = Form(""), code: str = Form("", alias="ma",
                                                                    max_length=64),
          digits: str = Form("", alias="so", max_length=4)):
    check_csrf(request, csrf)
    url = payments.start(request.app.state.ctx, gateway(request), code, digits,
                         client_address(request))
    return RedirectResponse(url, status_code=303)


@router.post("/ho-so/{code}/thu-phi")
def record_at_desk(request: Request, code: str, csrf: str = Form(""),
                   method: str = Form("", alias="hinh_thuc", max_length=16),
                   reference: str = Form("", alias="so_chung_tu", max_length=60)):
    """The desk records a fee paid in cash, by transfer or collected by the post."""
    return acted(request, csrf,
                 lambda ctx, who: payments.record_at_desk(ctx, code, who, method, reference),
                 "Đã ghi nhận thu phí, lệ phí.", f"/ho-so/{code}#phi")


@router.post("/ho-so/{code}/hoan-tien")
def refund(request: Request, code: str, csrf: str = Form(""),
           reference: str = Form("", alias="giao_dich", max_length=40),
           reason: str = Form("", alias="ly_do", max_length=2000),
           amount: int = Form(0, alias="so_tien")):
    """A head or signer pays a recorded fee back, with the reason."""
    return acted(request, csrf,
                 lambda ctx, who: payments.refund(ctx, code, reference, who, reason),
                 f"Đã ghi nhận hoàn trả {vn_number(amount)} đồng.", f"/ho-so/{code}#phi")


@router.get("/thanh-toan/ket-qua", response_class=HTMLResponse)
def returned(request: Request):
    """Where the gateway sends the browser back: the result applied if the IPN has not
    come yet (both are signed; either counts once), and the receipt to print."""
    ctx = request.app.state.ctx
    params = {k: v[:255] for k, v in request.query_params.items()}
    outcome = payments.result(ctx, gateway(request), params, "return")
    if outcome.code in ("97", "01", "04"):
        raise ValidationError("Kết quả thanh toán không hợp lệ (sai chữ ký, sai số tiền hoặc "
                              "không có giao dịch); liên hệ bộ phận một cửa nếu đã bị trừ "
                              "tiền.")
    response = page(request, "payment.html",
                    payment=payments.view(ctx, str(params.get("vnp_TxnRef", ""))))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@callbacks.get("/ipn")
def ipn(request: Request):
    """The gateway's server-to-server result (its IPN, a GET with signed parameters)."""
    params = {k: v[:255] for k, v in request.query_params.items()}
    outcome = payments.result(request.app.state.ctx, gateway(request), params, "ipn")
    return JSONResponse({"RspCode": outcome.code, "Message": outcome.message})
