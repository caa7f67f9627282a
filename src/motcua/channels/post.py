"""The postal carrier over HTTP, with a Viettel Post-style API and field names.

``POST /user/Login`` (``USERNAME``, ``PASSWORD``) gives a token sent as the ``Token``
header; ``POST /order/createOrder`` (``ORDER_NUMBER`` = the dossier code, sender and
receiver ``*_FULLNAME``, ``*_ADDRESS``, ``*_PHONE``, ``RECEIVER_PROVINCE``,
``RECEIVER_WARDS``, ``PRODUCT_NAME``, ``LIST_ITEM``, ``MONEY_COLLECTION``) answers the
carrier's tracking number; ``GET /order/tracking?ORDER_NUMBER=`` lists the parcel's
events; ``POST /order/UpdateOrder`` with ``TYPE`` 4 cancels. Events (webhook ``DATA`` or
tracking) carry ``ORDER_STATUS`` (a numeric code, mapped below), ``ORDER_STATUSDATE``
(``dd/MM/yyyy HH:mm:ss``, Vietnam time), ``LOCALION_CURRENTLY`` (sic), ``NOTE`` and, on
delivery, ``RECEIVER_NAME`` and ``PROOF_IMAGE`` (base64).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from motcua.channels.http import client, post_json
from motcua.domain.calendar import VN_TZ
from motcua.domain.postal import CarrierEvent
from motcua.domain.postal import ShipmentStatus as S
from motcua.services.outbox import PermanentFailure, TransientFailure
from motcua.settings import Settings

STATUS_CODES = {
    -100: S.LABEL_CREATED, 100: S.LABEL_CREATED, 102: S.LABEL_CREATED,
    103: S.HANDED_TO_POST, 104: S.HANDED_TO_POST, 105: S.HANDED_TO_POST,
    200: S.IN_TRANSIT, 201: S.IN_TRANSIT, 202: S.IN_TRANSIT, 300: S.IN_TRANSIT,
    400: S.IN_TRANSIT, 500: S.OUT_FOR_DELIVERY, 501: S.DELIVERED, 502: S.RETURNING,
    503: S.CANCELLED, 504: S.RETURNED_TO_AGENCY, 505: S.RETURNING, 506: S.DELIVERY_FAILED,
    507: S.HELD_AT_POST_OFFICE, 508: S.REDELIVERY, 515: S.RETURNING, 550: S.REDELIVERY,
    107: S.CANCELLED,
}


def parse_event(data: dict) -> tuple[str, CarrierEvent, bytes | None]:
    """(tracking or order number, event, proof image) from one carrier event."""
    try:
        code = int(data.get("ORDER_STATUS"))
        status = STATUS_CODES[code]
        at = datetime.strptime(str(data.get("ORDER_STATUSDATE")) + " +0700",
                               "%d/%m/%Y %H:%M:%S %z")
    except (TypeError, ValueError, KeyError) as exc:
        raise PermanentFailure(f"Sự kiện bưu chính không đọc được: {data!r:.200}") from exc
    number = str(data.get("ORDER_NUMBER") or data.get("ORDER_REFERENCE") or "")
    proof = None
    if data.get("PROOF_IMAGE"):
        try:
            proof = base64.b64decode(str(data["PROOF_IMAGE"]), validate=True)
        except (binascii.Error, ValueError):
            proof = None
    stamp = str(data.get("ORDER_STATUSDATE"))
    return number, CarrierEvent(status, at.astimezone(VN_TZ),
                                str(data.get("LOCALION_CURRENTLY") or "")[:255],
                                str(data.get("NOTE") or data.get("STATUS_NAME") or "")[:1000],
                                str(data.get("RECEIVER_NAME") or "")[:255],
                                f"{code}@{stamp}"), proof


@dataclass(frozen=True)
class CarrierOrder:
    tracking_number: str
    fee: int


class HttpCarrier:
    def __init__(self, url: str, username: str, password: str, name: str) -> None:
        self.url, self.username, self.password, self.name = url.rstrip("/"), username, password, name
        self.http = client()
        self.token = ""

    @classmethod
    def from_settings(cls, settings: Settings) -> HttpCarrier | None:
        if not settings.post_url:
            return None
        return cls(settings.post_url, settings.post_username, settings.post_password,
                   settings.post_carrier)

    def _login(self) -> str:
        if not self.token:
            answer = post_json(self.http, f"{self.url}/user/Login",
                               {"USERNAME": self.username, "PASSWORD": self.password}, self.name)
            if answer.get("error") or not (answer.get("data") or {}).get("token"):
                raise PermanentFailure(f"{self.name}: đăng nhập không được "
                                       f"({answer.get('message', '')}).")
            self.token = answer["data"]["token"]
        return self.token

    def _call(self, path: str, body: dict) -> dict:
        answer = post_json(self.http, f"{self.url}{path}", body, self.name,
                           {"Token": self._login()})
        if answer.get("status") == 401:  # the token expired: once more with a new one
            self.token = ""
            answer = post_json(self.http, f"{self.url}{path}", body, self.name,
                               {"Token": self._login()})
        if answer.get("error"):
            raise PermanentFailure(f"{self.name} từ chối: {answer.get('message', '')}")
        return answer.get("data") or {}

    def create_order(self, shipment) -> CarrierOrder:
        sender, receiver = shipment.sender, shipment.receiver
        items = [{"PRODUCT_NAME": c["name"], "PRODUCT_QUANTITY": c.get("sheets", 1),
                  "PRODUCT_PRICE": 0} for c in shipment.contents]
        data = self._call("/order/createOrder", {
            "ORDER_NUMBER": shipment.order_number, "SENDER_FULLNAME": sender["name"],
            "SENDER_ADDRESS": sender["address"], "SENDER_PHONE": sender["phone"],
            "RECEIVER_FULLNAME": receiver["name"], "RECEIVER_ADDRESS": receiver["address"],
            "RECEIVER_PHONE": receiver["phone"],
            "RECEIVER_PROVINCE": receiver.get("province_code") or 0,
            "RECEIVER_WARDS": receiver.get("commune_code") or "",
            "PRODUCT_NAME": f"Kết quả giải quyết TTHC, hồ sơ {shipment.order_number}",
            "PRODUCT_TYPE": "HH", "PRODUCT_QUANTITY": len(items) or 1, "PRODUCT_WEIGHT": 200,
            "ORDER_PAYMENT": 3 if shipment.cod_amount else 1, "ORDER_SERVICE": "VCN",
            "MONEY_COLLECTION": shipment.cod_amount, "LIST_ITEM": items,
            "ORDER_NOTE": "Giấy tờ hành chính: phát tận tay, kiểm tra giấy tờ tùy thân người nhận"})
        number = str(data.get("ORDER_NUMBER") or "")
        if not number:
            raise TransientFailure(f"{self.name} chưa trả số hiệu bưu gửi.")
        return CarrierOrder(number, int(data.get("MONEY_TOTAL") or 0))

    def track(self, number: str) -> list[tuple[str, CarrierEvent, bytes | None]]:
        try:
            response = self.http.get(f"{self.url}/order/tracking",
                                     params={"ORDER_NUMBER": number},
                                     headers={"Token": self._login()})
        except Exception as exc:  # httpx's transport errors: try at the next round
            raise TransientFailure(f"{self.name} không trả lời: {exc!r}") from exc
        if response.status_code >= 400:
            raise TransientFailure(f"{self.name} trả lỗi HTTP {response.status_code}.")
        return [parse_event(e) for e in (response.json().get("data") or [])]

    def cancel(self, number: str, reason: str) -> None:
        self._call("/order/UpdateOrder", {"TYPE": 4, "ORDER_NUMBER": number, "NOTE": reason})

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> HttpCarrier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
