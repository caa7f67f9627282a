"""The payment gateway for the demo and the tests: VNPAY's merchant API 2.1.0 as
``motcua.channels.payment`` speaks it.

``GET /paymentv2/vpcpay.html`` checks the order's signature and shows a payment page;
paying (``POST /paymentv2/pay``, or ``?ket_qua=`` for a card declined) sends the signed
result to the merchant's IPN URL (server to server, as the real gateway does from its
merchant settings) and then the browser to ``vnp_ReturnUrl``.
``POST /merchant_webapi/api/transaction`` answers ``querydr``. Controls for the tests:
``POST /_ipn`` ``{"deliver": false}`` holds the IPN back (a lost callback).
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from urllib.parse import urlencode

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.routing import Route

from motcua.channels.payment import (
    QUERY_ANSWER_FIELDS,
    QUERY_REQUEST_FIELDS,
    sign,
    signed_query,
)
from motcua.domain.calendar import VN_TZ

PAY_PATH = "/paymentv2/vpcpay.html"
API_PATH = "/merchant_webapi/api/transaction"


@dataclass
class PaymentSimulator:
    tmn_code: str = "MOTCUA01"
    secret: str = field(default_factory=lambda: secrets.token_hex(16))
    ipn_url: str = ""  # motcua's /api/v1/thanh-toan/ipn
    deliver_ipn: bool = True
    orders: dict[str, dict] = field(default_factory=dict)
    ipn_answers: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route(PAY_PATH, self.page, methods=["GET"]),
            Route("/paymentv2/pay", self.pay, methods=["POST"]),
            Route(API_PATH, self.query, methods=["POST"]),
            Route("/_ipn", self.control, methods=["POST"]),
        ])

    def _valid(self, params: dict) -> bool:
        return params.get("vnp_SecureHash", "").lower() == sign(self.secret,
                                                                signed_query(params))

    async def page(self, request: Request) -> HTMLResponse:
        params = dict(request.query_params)
        if not self._valid(params) or params.get("vnp_TmnCode") != self.tmn_code:
            return HTMLResponse("<p>Sai chữ ký dữ liệu (mã lỗi 70)</p>", status_code=400)
        with self.lock:
            self.orders.setdefault(params["vnp_TxnRef"], {"request": params, "status": "01"})
        amount = int(params["vnp_Amount"]) // 100
        return HTMLResponse(
            "<!doctype html><html lang='vi'><meta charset='utf-8'><title>Cổng thanh toán "
            "(mô phỏng)</title><h1>Cổng thanh toán (mô phỏng)</h1>"
            f"<p>Đơn hàng {escape(params['vnp_TxnRef'])}: {amount:,} đồng".replace(",", ".")
            + f" — {escape(params.get('vnp_OrderInfo', ''))}</p>"
            "<form method='post' action='/paymentv2/pay'>"
            f"<input type='hidden' name='ref' value='{escape(params['vnp_TxnRef'])}'>"
            "<button name='ket_qua' value='00'>Thanh toán</button> "
            "<button name='ket_qua' value='24'>Hủy giao dịch</button></form></html>")

    def _result(self, ref: str, code: str) -> dict:
        order = self.orders[ref]
        request = order["request"]
        paid = code == "00"
        now = datetime.now(VN_TZ)
        result = {"vnp_TmnCode": self.tmn_code, "vnp_Amount": request["vnp_Amount"],
                  "vnp_BankCode": "NCB", "vnp_BankTranNo": f"NCB{now:%Y%m%d%H%M%S}",
                  "vnp_CardType": "ATM", "vnp_OrderInfo": request["vnp_OrderInfo"],
                  "vnp_PayDate": f"{now:%Y%m%d%H%M%S}",
                  "vnp_ResponseCode": code, "vnp_TransactionStatus": "00" if paid else "02",
                  "vnp_TxnRef": ref,
                  "vnp_TransactionNo": str(14_000_000 + len(self.orders)) if paid else "0"}
        result["vnp_SecureHash"] = sign(self.secret, signed_query(result))
        order.update(status=result["vnp_TransactionStatus"], result=result)
        return result

    async def pay(self, request: Request) -> RedirectResponse:
        form = await request.form()
        ref, code = str(form.get("ref")), str(form.get("ket_qua") or "00")
        with self.lock:
            if ref not in self.orders:
                return HTMLResponse("<p>Không có đơn hàng</p>", status_code=404)
            result = self._result(ref, code)
            back = self.orders[ref]["request"]["vnp_ReturnUrl"]
        if self.deliver_ipn and self.ipn_url:
            self.send_ipn(result)
        return RedirectResponse(f"{back}?{urlencode(result)}", status_code=302)

    def send_ipn(self, result: dict) -> dict:
        answer = httpx.get(self.ipn_url, params=result, timeout=10).json()
        self.ipn_answers.append(answer)
        return answer

    async def query(self, request: Request) -> JSONResponse:
        body = await request.json()
        if body.get("vnp_SecureHash", "").lower() != sign(
                self.secret, "|".join(str(body.get(k, "")) for k in QUERY_REQUEST_FIELDS)):
            return JSONResponse({"vnp_ResponseCode": "97", "vnp_Message": "Invalid checksum"})
        order = self.orders.get(str(body.get("vnp_TxnRef")))
        result = (order or {}).get("result", {})
        answer = {"vnp_ResponseId": secrets.token_hex(8), "vnp_Command": "querydr",
                  "vnp_ResponseCode": "00" if order else "91",
                  "vnp_Message": "Thanh cong" if order else "Khong tim thay giao dich",
                  "vnp_TmnCode": self.tmn_code, "vnp_TxnRef": body.get("vnp_TxnRef", ""),
                  "vnp_Amount": (order or {}).get("request", {}).get("vnp_Amount", ""),
                  "vnp_BankCode": result.get("vnp_BankCode", ""),
                  "vnp_PayDate": result.get("vnp_PayDate", ""),
                  "vnp_TransactionNo": result.get("vnp_TransactionNo", ""),
                  "vnp_TransactionType": "01",
                  "vnp_TransactionStatus": (order or {}).get("status", ""),
                  "vnp_OrderInfo": (order or {}).get("request", {}).get("vnp_OrderInfo", ""),
                  "vnp_PromotionCode": "", "vnp_PromotionAmount": ""}
        answer["vnp_SecureHash"] = sign(self.secret, "|".join(
            str(answer[k]) for k in QUERY_ANSWER_FIELDS))
        return JSONResponse(answer)

    async def control(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.deliver_ipn = bool(body.get("deliver", True))
        return JSONResponse({"deliver": self.deliver_ipn})


def settings_for(sim: PaymentSimulator, url: str) -> dict[str, str]:
    return {"payment_url": url + PAY_PATH, "payment_api_url": url + API_PATH,
            "payment_tmn_code": sim.tmn_code, "payment_secret": sim.secret}
