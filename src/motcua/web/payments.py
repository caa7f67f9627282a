"""Paying a fee online: from the tracking page to the gateway, its callbacks, the receipt."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from motcua.channels.payment import Gateway
from motcua.domain.errors import ValidationError
from motcua.services import payments
from motcua.web.common import check_csrf, client_address, page

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
