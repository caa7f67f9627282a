"""SMS brandname through an eSMS-style HTTP API (``SendMultipleMessage_V4_post_json``).

Request: ``ApiKey``, ``SecretKey``, ``Phone``, ``Content`` (without diacritics:
``IsUnicode`` 0), ``Brandname``, ``SmsType`` 2 (customer care), ``RequestId`` (the
outbox id: the provider refuses a second request with it, code 124) and ``CallbackUrl``
(delivery receipts: ``GET ?SMSID=..&SendStatus=5&RequestId=..``). Answer:
``CodeResult`` 100 and ``SMSID``; other codes are the provider's errors.
"""

from __future__ import annotations

from motcua.channels.http import client, post_json
from motcua.domain.errors import ValidationError
from motcua.domain.notifications import msisdn
from motcua.services.notifications import Outgoing, Sent
from motcua.services.outbox import PermanentFailure, TransientFailure
from motcua.settings import Settings

OK, DUPLICATE_REQUEST = "100", "124"
# codes worth trying again later: not enough balance (the office tops up), unknown error
TRANSIENT_CODES = {"103", "99"}
ERRORS = {"99": "lỗi không xác định", "101": "sai ApiKey hoặc SecretKey",
          "102": "chưa có bảng giá", "103": "tài khoản không đủ tiền",
          "104": "brandname chưa đăng ký", "108": "số điện thoại sai định dạng",
          "140": "địa chỉ IP chưa được cho phép", "146": "nội dung sai mẫu đã đăng ký",
          "177": "nhà mạng chưa đăng ký"}


class SmsSender:
    def __init__(self, url: str, api_key: str, secret_key: str, brandname: str,
                 callback_url: str = "") -> None:
        self.url, self.api_key, self.secret_key = url, api_key, secret_key
        self.brandname, self.callback_url = brandname, callback_url
        self.http = client()

    @classmethod
    def from_settings(cls, settings: Settings) -> SmsSender:
        callback = (f"{settings.public_url}/api/v1/thong-bao/bien-nhan/sms"
                    f"?khoa={settings.receipt_token}") if settings.receipt_token else ""
        return cls(settings.sms_url, settings.sms_api_key, settings.sms_secret_key,
                   settings.sms_brandname, callback)

    def body(self, m: Outgoing) -> dict:
        try:
            phone = "0" + msisdn(m.to)[2:]
        except ValidationError as exc:
            raise PermanentFailure(exc.message) from exc
        return {"ApiKey": self.api_key, "SecretKey": self.secret_key, "Phone": phone,
                "Content": m.rendered.sms, "Brandname": self.brandname, "SmsType": "2",
                "IsUnicode": "0", "Sandbox": "0", "RequestId": m.idempotency_key,
                "CallbackUrl": self.callback_url}

    def send(self, m: Outgoing) -> Sent:
        answer = post_json(self.http, self.url, self.body(m), "Nhà cung cấp SMS")
        code = str(answer.get("CodeResult", ""))
        if code in (OK, DUPLICATE_REQUEST):  # 124: this RequestId was sent already
            return Sent(str(answer.get("SMSID") or ""))
        text = f"Nhà cung cấp SMS trả mã {code}: {ERRORS.get(code, answer.get('ErrorMessage', ''))}"
        if code in TRANSIENT_CODES:
            raise TransientFailure(text)
        raise PermanentFailure(text)

    def close(self) -> None:
        self.http.close()
