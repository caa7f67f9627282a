"""The online payment gateway (VNPAY's published merchant API, version 2.1.0).

* Paying: the citizen's browser goes to the gateway's payment URL with the order
  (``vnp_TxnRef`` = motcua's payment reference, ``vnp_Amount`` in hundredths of a đồng,
  ``vnp_ReturnUrl``, ``vnp_CreateDate`` and ``vnp_ExpireDate`` in Vietnamese time), signed
  with HMAC-SHA512 over the sorted, URL-encoded parameters (``vnp_SecureHash``).
* The result reaches motcua twice, signed the same way: the gateway's server-to-server
  IPN (the one that counts) and the browser's return. ``verify`` checks the signature.
* Reconciliation asks ``querydr`` for an order whose IPN never came (the request and the
  answer signed over their fields joined by ``|``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote_plus

import httpx

from motcua.channels.http import post_json
from motcua.domain.calendar import VN_TZ
from motcua.services.outbox import PermanentFailure

PROVIDER = "Cổng thanh toán"
QUERY_REQUEST_FIELDS = ("vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode",
                        "vnp_TxnRef", "vnp_TransactionDate", "vnp_CreateDate", "vnp_IpAddr",
                        "vnp_OrderInfo")
QUERY_ANSWER_FIELDS = ("vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message",
                       "vnp_TmnCode", "vnp_TxnRef", "vnp_Amount", "vnp_BankCode",
                       "vnp_PayDate", "vnp_TransactionNo", "vnp_TransactionType",
                       "vnp_TransactionStatus", "vnp_OrderInfo", "vnp_PromotionCode",
                       "vnp_PromotionAmount")


def _stamp(at: datetime) -> str:
    return at.astimezone(VN_TZ).strftime("%Y%m%d%H%M%S")


def signed_query(params: Mapping[str, str]) -> str:
    """The sorted, URL-encoded parameters the signature covers."""
    return "&".join(f"{k}={quote_plus(str(v))}" for k, v in sorted(params.items())
                    if v not in (None, "") and k not in ("vnp_SecureHash",
                                                        "vnp_SecureHashType"))


def sign(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode("utf-8"), hashlib.sha512).hexdigest()


@dataclass
class Gateway:
    url: str  # the payment page
    api_url: str  # querydr
    tmn_code: str
    secret: str
    http: httpx.Client | None = None

    @classmethod
    def from_settings(cls, settings) -> Gateway | None:
        if not settings.payment_url:
            return None
        return cls(settings.payment_url, settings.payment_api_url, settings.payment_tmn_code,
                   settings.payment_secret)

    def payment_url(self, *, reference: str, amount: int, info: str, return_url: str,
                    client_ip: str, at: datetime, minutes: int = 15) -> str:
        params = {"vnp_Version": "2.1.0", "vnp_Command": "pay", "vnp_TmnCode": self.tmn_code,
                  "vnp_Amount": str(amount * 100), "vnp_CurrCode": "VND",
                  "vnp_TxnRef": reference, "vnp_OrderInfo": info, "vnp_OrderType": "other",
                  "vnp_Locale": "vn", "vnp_ReturnUrl": return_url,
                  "vnp_IpAddr": client_ip or "127.0.0.1", "vnp_CreateDate": _stamp(at),
                  "vnp_ExpireDate": _stamp(at + timedelta(minutes=minutes))}
        query = signed_query(params)
        return f"{self.url}?{query}&vnp_SecureHash={sign(self.secret, query)}"

    def signed(self, params: Mapping[str, str]) -> dict[str, str]:
        """``params`` with this merchant's signature (a result the gateway's signed query
        answer vouched for, applied like a callback)."""
        return {**params, "vnp_SecureHash": sign(self.secret, signed_query(params))}

    def verify(self, params: Mapping[str, str]) -> bool:
        given = str(params.get("vnp_SecureHash", ""))
        expected = sign(self.secret, signed_query(params))
        return bool(given) and hmac.compare_digest(given.lower(), expected)

    def query(self, *, reference: str, created_at: datetime, at: datetime) -> dict:
        """The gateway's record of an order (``querydr``), its answer's signature checked."""
        body = {"vnp_RequestId": secrets.token_hex(16), "vnp_Version": "2.1.0",
                "vnp_Command": "querydr", "vnp_TmnCode": self.tmn_code,
                "vnp_TxnRef": reference, "vnp_TransactionDate": _stamp(created_at),
                "vnp_CreateDate": _stamp(at), "vnp_IpAddr": "127.0.0.1",
                "vnp_OrderInfo": f"Truy van giao dich {reference}"}
        body["vnp_SecureHash"] = sign(self.secret,
                                      "|".join(body[k] for k in QUERY_REQUEST_FIELDS))
        http = self.http or httpx.Client(timeout=10)
        try:
            answer = post_json(http, self.api_url, body, PROVIDER)
        finally:
            if self.http is None:
                http.close()
        expected = sign(self.secret, "|".join(str(answer.get(k, ""))
                                              for k in QUERY_ANSWER_FIELDS))
        if not hmac.compare_digest(str(answer.get("vnp_SecureHash", "")).lower(), expected):
            raise PermanentFailure(f"{PROVIDER} trả lời tra cứu sai chữ ký.")
        return answer
