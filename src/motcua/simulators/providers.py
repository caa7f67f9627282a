"""The messaging providers' HTTP APIs, for the demo and the tests: an eSMS-style SMS
brandname endpoint and Zalo's ZNS template endpoint, with their request checks, their
answers and their delivery receipts (the SMS callback URL by GET, the ZNS OA webhook by a
signed POST), so that motcua's own clients (``motcua.channels``) are what is exercised.

What the simulator is told to do (``POST /_control``): fail every request with a 5xx or
a 4xx, or send no receipts. Phone numbers beginning ``0999`` (``84999``) are numbers no
provider can reach: SMS answers ``CodeResult`` 108, ZNS ``error`` -118 (not on Zalo).
``GET /_messages`` lists what was received.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from motcua.channels.zns import signature

SMS_PATH = "/esms/MainService.svc/json/SendMultipleMessage_V4_post_json/"
ZNS_PATH = "/zns/message/template"
UNREACHABLE = ("0999", "84999")


@dataclass
class ProviderSimulator:
    sms_api_key: str = "demo-api-key"
    sms_secret_key: str = "demo-secret-key"
    sms_brandnames: tuple[str, ...] = ("MOTCUA",)
    zns_access_token: str = "demo-zns-token"
    zns_app_id: str = "demo-app"
    zns_secret: str = "demo-oa-secret"
    zns_webhook: str = ""  # where ZNS delivery receipts go (motcua's webhook)
    receipt_delay: float = 0.05
    messages: list[dict] = field(default_factory=list)
    fail: str | None = None  # "5xx" or "4xx": every send fails so
    receipts: bool = True
    lock: threading.Lock = field(default_factory=threading.Lock)

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route(SMS_PATH, self.sms, methods=["POST"]),
            Route(ZNS_PATH, self.zns, methods=["POST"]),
            Route("/_messages", self.listing, methods=["GET", "DELETE"]),
            Route("/_control", self.control, methods=["POST"]),
        ])

    def _failing(self) -> JSONResponse | None:
        if self.fail == "5xx":
            return JSONResponse({"message": "Service Unavailable"}, status_code=503)
        if self.fail == "4xx":
            return JSONResponse({"message": "Bad Request"}, status_code=400)
        return None

    def _seen(self, channel: str, key: str) -> dict | None:
        return next((m for m in self.messages
                     if m["channel"] == channel and m["key"] == key and key), None)

    def _record(self, channel: str, key: str, request: dict) -> dict:
        entry = {"channel": channel, "key": key, "id": uuid.uuid4().hex,
                 "at": time.time(), "request": request}
        self.messages.append(entry)
        return entry

    async def sms(self, request: Request) -> JSONResponse:
        failing = self._failing()
        if failing is not None:
            return failing
        body = await request.json()
        if body.get("ApiKey") != self.sms_api_key or body.get("SecretKey") != self.sms_secret_key:
            return JSONResponse({"CodeResult": "101", "ErrorMessage": "Sai ApiKey/SecretKey"})
        if body.get("Brandname") not in self.sms_brandnames:
            return JSONResponse({"CodeResult": "104", "ErrorMessage": "Brandname không tồn tại"})
        phone = str(body.get("Phone", ""))
        if not phone.isdigit() or not 10 <= len(phone) <= 11 or phone.startswith(UNREACHABLE):
            return JSONResponse({"CodeResult": "108", "ErrorMessage": "Số điện thoại sai"})
        if not body.get("Content") or not str(body["Content"]).isascii():
            return JSONResponse({"CodeResult": "146", "ErrorMessage": "Nội dung không hợp lệ"})
        with self.lock:
            earlier = self._seen("sms", str(body.get("RequestId", "")))
            if earlier is not None:
                return JSONResponse({"CodeResult": "124", "SMSID": earlier["id"],
                                     "ErrorMessage": "Trùng RequestId"})
            entry = self._record("sms", str(body.get("RequestId", "")), body)
        receipt = None
        if self.receipts and body.get("CallbackUrl"):
            receipt = BackgroundTask(self._sms_receipt, body["CallbackUrl"], entry)
        return JSONResponse({"CodeResult": "100", "CountRegenerate": 0, "SMSID": entry["id"]},
                            background=receipt)

    def _sms_receipt(self, url: str, entry: dict) -> None:
        time.sleep(self.receipt_delay)
        params = {"SMSID": entry["id"], "SendFailed": "0", "SendStatus": "5",
                  "SendSuccess": "1", "TotalReceiver": "1", "TotalSent": "1",
                  "RequestId": entry["key"], "TypeId": "2",
                  "phonenumber": entry["request"]["Phone"]}
        try:
            # the callback URL keeps its own query (motcua's receipt key) and gets the status
            httpx.get(httpx.URL(url).copy_merge_params(params), timeout=5)
        except httpx.HTTPError:
            pass  # the provider's own retries are not simulated

    async def zns(self, request: Request) -> JSONResponse:
        failing = self._failing()
        if failing is not None:
            return failing
        if request.headers.get("access_token") != self.zns_access_token:
            return JSONResponse({"error": -124, "message": "Access token is invalid"})
        body = await request.json()
        phone = str(body.get("phone", ""))
        if not phone.startswith("84") or not phone.isdigit() or len(phone) != 11:
            return JSONResponse({"error": -108, "message": "Phone number is invalid"})
        if phone.startswith(UNREACHABLE):
            return JSONResponse({"error": -118, "message": "Zalo account is not existed"})
        if not body.get("template_id") or not isinstance(body.get("template_data"), dict):
            return JSONResponse({"error": -1123, "message": "Template data is invalid"})
        with self.lock:
            earlier = self._seen("zns", str(body.get("tracking_id", "")))
            entry = earlier or self._record("zns", str(body.get("tracking_id", "")), body)
        receipt = None
        if self.receipts and self.zns_webhook and earlier is None:
            receipt = BackgroundTask(self._zns_receipt, entry)
        return JSONResponse({"error": 0, "message": "Success", "data": {
            "msg_id": entry["id"], "sent_time": str(int(entry["at"] * 1000)),
            "quota": {"dailyQuota": "500", "remainingQuota": "499"}}}, background=receipt)

    def _zns_receipt(self, entry: dict) -> None:
        time.sleep(self.receipt_delay)
        timestamp = str(int(time.time() * 1000))
        event = {"app_id": self.zns_app_id, "event_name": "user_received_message",
                 "timestamp": timestamp, "oa_id": "demo-oa",
                 "message": {"msg_id": entry["id"], "tracking_id": entry["key"],
                             "delivery_time": timestamp}}
        body = json.dumps(event).encode()
        headers = {"Content-Type": "application/json",
                   "X-ZEvent-Signature": signature(self.zns_app_id, body, timestamp,
                                                   self.zns_secret)}
        try:
            httpx.post(self.zns_webhook, content=body, headers=headers, timeout=5)
        except httpx.HTTPError:
            pass

    async def listing(self, request: Request) -> JSONResponse:
        if request.method == "DELETE":
            with self.lock:
                self.messages.clear()
        channel = request.query_params.get("channel")
        return JSONResponse([m for m in self.messages if channel in (None, m["channel"])])

    async def control(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.fail = body.get("fail")
        self.receipts = bool(body.get("receipts", True))
        return JSONResponse({"fail": self.fail, "receipts": self.receipts})


class Served:
    """An ASGI app served by uvicorn in a thread of this process, until ``stop()``."""

    def __init__(self, app: Any, port: int, host: str = "127.0.0.1") -> None:
        self.server = uvicorn.Server(uvicorn.Config(app, host=host, port=port,
                                                    log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://{host}:{port}"

    def start(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"Trình mô phỏng không khởi động được tại {self.url}.")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def settings_for(sim: ProviderSimulator, url: str) -> dict[str, str]:
    """The motcua settings that point the channels at this simulator."""
    return {"sms_url": url + SMS_PATH, "sms_api_key": sim.sms_api_key,
            "sms_secret_key": sim.sms_secret_key, "sms_brandname": sim.sms_brandnames[0],
            "zns_url": url + ZNS_PATH, "zns_access_token": sim.zns_access_token,
            "zns_app_id": sim.zns_app_id, "zns_secret": sim.zns_secret}
