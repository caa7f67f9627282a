"""Zalo ZNS (Zalo Notification Service): a message from an approved template.

Request (``POST /message/template``, header ``access_token``): ``phone`` as 84...,
``template_id``, ``template_data`` (the template's parameters within Zalo's limits)
and ``tracking_id`` (the outbox id). Answer: ``error`` 0 and ``data.msg_id``; a negative
``error`` is Zalo's refusal. Delivery receipts come to the OA's webhook as the event
``user_received_message`` with ``message.msg_id`` and ``tracking_id``, signed with
``X-ZEvent-Signature: mac=sha256(app_id + body + timestamp + OA secret)``.
"""

from __future__ import annotations

import hashlib
import hmac

from motcua.channels.http import client, post_json
from motcua.domain.errors import ValidationError
from motcua.domain.notifications import msisdn, zns_data
from motcua.services.notifications import Outgoing, Sent
from motcua.services.outbox import PermanentFailure, TransientFailure
from motcua.settings import Settings

# Zalo's errors worth trying again: rate limit, internal error, quota of the moment
TRANSIENT_ERRORS = {-32, -1, -144}
ERRORS = {-108: "số điện thoại không hợp lệ", -118: "số điện thoại chưa dùng Zalo",
          -119: "tài khoản không nhận được tin ZNS", -124: "access token không hợp lệ",
          -131: "mẫu ZNS chưa được duyệt", -139: "người dùng từ chối nhận tin",
          -114: "người dùng không hoạt động hoặc từ chối tin"}


class ZnsSender:
    def __init__(self, url: str, access_token: str) -> None:
        self.url, self.access_token = url, access_token
        self.http = client()

    @classmethod
    def from_settings(cls, settings: Settings) -> ZnsSender:
        return cls(settings.zns_url, settings.zns_access_token)

    def body(self, m: Outgoing) -> dict:
        if not m.template.zns_template_id:
            raise PermanentFailure(f"Mẫu “{m.template.key}” chưa có mã mẫu ZNS đã duyệt.")
        try:
            phone = msisdn(m.to)
        except ValidationError as exc:
            raise PermanentFailure(exc.message) from exc
        return {"phone": phone, "template_id": m.template.zns_template_id,
                "template_data": zns_data(m.params, m.template.fields()),
                "tracking_id": m.idempotency_key}

    def send(self, m: Outgoing) -> Sent:
        answer = post_json(self.http, self.url, self.body(m), "Zalo ZNS",
                           {"access_token": self.access_token})
        error = int(answer.get("error", -1))
        if error == 0:
            return Sent(str((answer.get("data") or {}).get("msg_id", "")))
        text = f"Zalo ZNS trả lỗi {error}: {ERRORS.get(error, answer.get('message', ''))}"
        if error in TRANSIENT_ERRORS:
            raise TransientFailure(text)
        raise PermanentFailure(text)

    def close(self) -> None:
        self.http.close()


def signature(app_id: str, body: bytes, timestamp: str, secret: str) -> str:
    """The ``X-ZEvent-Signature`` of a webhook event."""
    data = app_id.encode() + body + timestamp.encode() + secret.encode()
    return "mac=" + hashlib.sha256(data).hexdigest()


def signed(header: str, app_id: str, body: bytes, timestamp: str, secret: str) -> bool:
    return bool(secret) and hmac.compare_digest(header or "",
                                                signature(app_id, body, timestamp, secret))
