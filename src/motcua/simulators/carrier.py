"""A postal carrier for the demo and the tests: the Viettel Post-style API of
``motcua.channels.post`` (login, create order, tracking, cancel) and its webhook,
driven by a scenario per parcel.

Scenarios (``POST /_scenario``; the default is the simulator's ``default_scenario``):
``delivered``; ``failed_then_delivered`` (not at home once, delivered the next day);
``failed_twice_returned`` (two failed attempts, held at the post office, sent back to the
agency); ``lost`` (picked up, in transit, then silence). ``POST /_advance`` moves every
parcel (or one: ``ORDER_NUMBER``) one event on, at ``at`` (``dd/MM/yyyy HH:mm:ss``) or
now; each event is kept for ``GET /order/tracking`` and pushed to the webhook when one is
set. Tracking numbers are UPU S10 numbers (``EE…VN``) with their check digit.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from motcua.domain.calendar import VN_TZ
from motcua.domain.postal import s10_check_digit

SCENARIOS = {
    "delivered": [(105, "Bưu tá đã nhận bưu gửi"), (200, "Nhận tại bưu cục gốc"),
                  (300, "Đang vận chuyển"), (500, "Giao bưu tá đi phát"),
                  (501, "Phát thành công")],
    "failed_then_delivered": [(105, "Bưu tá đã nhận bưu gửi"), (300, "Đang vận chuyển"),
                              (500, "Giao bưu tá đi phát"),
                              (506, "Không có người nhận tại địa chỉ"),
                              (508, "Phát lại"), (500, "Giao bưu tá đi phát"),
                              (501, "Phát thành công")],
    "failed_twice_returned": [(105, "Bưu tá đã nhận bưu gửi"), (300, "Đang vận chuyển"),
                              (500, "Giao bưu tá đi phát"), (506, "Người nhận vắng nhà"),
                              (508, "Phát lại"), (500, "Giao bưu tá đi phát"),
                              (506, "Người nhận vắng nhà lần hai"),
                              (507, "Lưu tại bưu cục chờ người nhận đến lấy"),
                              (502, "Chuyển hoàn về người gửi"), (504, "Đã hoàn về người gửi")],
    "lost": [(105, "Bưu tá đã nhận bưu gửi"), (300, "Đang vận chuyển")],
}
# a signature drawn on the postman's device: a tiny PNG (1x1 px) standing for it
SIGNATURE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


@dataclass
class CarrierSimulator:
    username: str = "motcua-demo"
    password: str = "mat-khau-buu-chinh"
    webhook: str = ""  # motcua's /api/v1/buu-chinh/su-kien
    webhook_token: str = ""
    default_scenario: str = "delivered"
    orders: dict[str, dict] = field(default_factory=dict)  # by tracking number
    lock: threading.Lock = field(default_factory=threading.Lock)
    serials: itertools.count = field(default_factory=lambda: itertools.count(71761))

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/user/Login", self.login, methods=["POST"]),
            Route("/order/createOrder", self.create, methods=["POST"]),
            Route("/order/tracking", self.tracking, methods=["GET"]),
            Route("/order/UpdateOrder", self.update, methods=["POST"]),
            Route("/_advance", self.advance, methods=["POST"]),
            Route("/_scenario", self.scenario, methods=["POST"]),
            Route("/_orders", self.listing, methods=["GET"]),
            Route("/_posted", self.posted, methods=["POST"]),
        ])

    def _token(self) -> str:
        return f"token-{self.username}"

    def _authorised(self, request: Request) -> bool:
        return request.headers.get("Token") == self._token()

    async def login(self, request: Request) -> JSONResponse:
        body = await request.json()
        if body.get("USERNAME") != self.username or body.get("PASSWORD") != self.password:
            return JSONResponse({"status": 204, "error": True,
                                 "message": "Sai tên đăng nhập hoặc mật khẩu"})
        return JSONResponse({"status": 200, "error": False, "message": "OK",
                             "data": {"token": self._token()}})

    def _number(self) -> str:
        serial = f"{next(self.serials):08d}"
        return f"EE{serial}{s10_check_digit(serial)}VN"

    async def create(self, request: Request) -> JSONResponse:
        if not self._authorised(request):
            return JSONResponse({"status": 401, "error": True, "message": "Token hết hạn"})
        body = await request.json()
        missing = [k for k in ("ORDER_NUMBER", "RECEIVER_FULLNAME", "RECEIVER_ADDRESS",
                               "RECEIVER_PHONE") if not body.get(k)]
        if missing:
            return JSONResponse({"status": 200, "error": True,
                                 "message": "Thiếu " + ", ".join(missing)})
        with self.lock:
            for number, order in self.orders.items():  # the same order asked twice
                if order["request"]["ORDER_NUMBER"] == body["ORDER_NUMBER"] \
                        and order["status"] != 107:
                    return JSONResponse({"status": 200, "error": False, "data": {
                        "ORDER_NUMBER": number, "MONEY_TOTAL": order["fee"]}})
            number = self._number()
            self.orders[number] = {"request": body, "status": -100, "events": [], "step": 0,
                                   "fee": 25000, "scenario": self.default_scenario}
        return JSONResponse({"status": 200, "error": False, "message": "OK", "data": {
            "ORDER_NUMBER": number, "MONEY_TOTAL": 25000, "MONEY_COLLECTION": 0}})

    async def tracking(self, request: Request) -> JSONResponse:
        if not self._authorised(request):
            return JSONResponse({"status": 401, "error": True, "message": "Token hết hạn"})
        order = self.orders.get(request.query_params.get("ORDER_NUMBER", ""))
        if order is None:
            return JSONResponse({"status": 200, "error": True, "message": "Không có vận đơn"})
        return JSONResponse({"status": 200, "error": False, "data": order["events"]})

    async def update(self, request: Request) -> JSONResponse:
        if not self._authorised(request):
            return JSONResponse({"status": 401, "error": True, "message": "Token hết hạn"})
        body = await request.json()
        order = self.orders.get(str(body.get("ORDER_NUMBER", "")))
        if order is None:
            return JSONResponse({"status": 200, "error": True, "message": "Không có vận đơn"})
        if int(body.get("TYPE", 0)) == 4:
            if order["step"] > 0:
                return JSONResponse({"status": 200, "error": True,
                                     "message": "Bưu gửi đã được nhận, không hủy được"})
            order["status"] = 107
        return JSONResponse({"status": 200, "error": False, "message": "OK"})

    def _event(self, number: str, order: dict, at: datetime) -> dict | None:
        steps = SCENARIOS[order["scenario"]]
        if order["status"] == 107 or order["step"] >= len(steps):
            return None
        code, note = steps[order["step"]]
        order["step"] += 1
        order["status"] = code
        request = order["request"]
        event = {"ORDER_NUMBER": number, "ORDER_REFERENCE": request["ORDER_NUMBER"],
                 "ORDER_STATUSDATE": f"{at.astimezone(VN_TZ):%d/%m/%Y %H:%M:%S}",
                 "ORDER_STATUS": code, "STATUS_NAME": note, "NOTE": note,
                 "LOCALION_CURRENTLY": "Bưu cục phát " + str(request.get("RECEIVER_ADDRESS"))[:60]
                 if code >= 500 else "Bưu cục gốc", "MONEY_COLLECTION": 0}
        if code == 501:
            event["RECEIVER_NAME"] = request["RECEIVER_FULLNAME"]
            event["PROOF_IMAGE"] = base64.b64encode(SIGNATURE_PNG).decode()
        order["events"].append(event)
        return event

    def tick(self) -> int:
        """Move every parcel one event on, now (the demo's clock); how many moved."""
        with self.lock:
            found = [e for number, order in self.orders.items()
                     if (e := self._event(number, order, datetime.now(VN_TZ))) is not None]
        for event in found:
            self._push(event)
        return len(found)

    def run_clock(self, every: float, stop: threading.Event) -> None:
        """The demo's parcels move on by themselves, one event every ``every`` seconds."""
        while not stop.wait(every):
            self.tick()

    async def advance(self, request: Request) -> JSONResponse:
        body = await request.json() if await request.body() else {}
        at = datetime.strptime(body["at"] + " +0700", "%d/%m/%Y %H:%M:%S %z") \
            if body.get("at") else datetime.now(VN_TZ)
        wanted = body.get("ORDER_NUMBER")
        with self.lock:
            found = [e for number, order in self.orders.items()
                     if wanted in (None, number)
                     if (e := self._event(number, order, at)) is not None]
        for event in found:
            self._push(event)
        return JSONResponse({"events": found})

    def _push(self, event: dict) -> None:
        if not self.webhook:
            return
        try:
            httpx.post(self.webhook, content=json.dumps({"DATA": event,
                                                         "TOKEN": self.webhook_token}),
                       headers={"Content-Type": "application/json"}, timeout=10)
        except httpx.HTTPError:
            pass  # the polling job will bring it

    async def scenario(self, request: Request) -> JSONResponse:
        body = await request.json()
        if body.get("scenario") not in SCENARIOS:
            return JSONResponse({"error": "scenario?"}, status_code=400)
        if body.get("ORDER_NUMBER"):
            self.orders[body["ORDER_NUMBER"]]["scenario"] = body["scenario"]
        else:
            self.default_scenario = body["scenario"]
        return JSONResponse({"ok": True})

    async def posted(self, request: Request) -> JSONResponse:
        """A parcel a person posts at a post office (not ordered through the API): what a
        citizen does with their paper dossier; its number, to give to the agency."""
        body = await request.json()
        with self.lock:
            number = self._number()
            self.orders[number] = {
                "request": {"ORDER_NUMBER": number,
                            "RECEIVER_FULLNAME": str(body.get("RECEIVER_FULLNAME", ""))[:255],
                            "RECEIVER_ADDRESS": str(body.get("RECEIVER_ADDRESS", ""))[:255]},
                "status": -100, "events": [], "step": 0, "fee": 25000,
                "scenario": body.get("scenario") if body.get("scenario") in SCENARIOS
                else self.default_scenario}
        return JSONResponse({"ORDER_NUMBER": number})

    async def listing(self, request: Request) -> JSONResponse:
        return JSONResponse({n: {"status": o["status"], "scenario": o["scenario"],
                                 "events": len(o["events"])} for n, o in self.orders.items()})


def settings_for(sim: CarrierSimulator, url: str) -> dict:
    return {"post_url": url, "post_username": sim.username, "post_password": sim.password,
            "post_webhook_token": sim.webhook_token}
