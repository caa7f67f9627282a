"""The national public-service portal's API, directly or through the province's LGSP.

One JSON ``POST`` per call to the integration endpoint, with the ``dstcode`` header (the
destination code the platform routes by) and, in the body, ``session`` (the token from
the authentication endpoint, cached and renewed when the platform says it expired),
``madonvi`` (the sending agency's identifier) and ``service`` (``DongBoHoSoMC``,
``CapNhatTienDoHoSoMC``, ``TraCuuHoSo``, ``LayDanhSachTTHC``, ``LayThuTuc``,
``LayDanhMucLinhVuc``, ``LayDanhMucCoQuan``, and the count service the reconciliation
asks). The answer carries ``error_code`` ("0": done) and ``message``, and ``result`` for
look-ups. A transport error, a 5xx or 429 is transient (the outbox retries later); any
other refusal is permanent and goes to the operator page.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta

import httpx

from motcua.channels.http import client as http_client
from motcua.channels.http import post_json
from motcua.services.outbox import PermanentFailure
from motcua.settings import Settings

PROVIDER = "Cổng Dịch vụ công quốc gia"
SESSION_EXPIRED = {"401", "-401"}


@dataclass
class PortalClient:
    url: str  # the integration endpoint
    auth_url: str
    username: str
    password: str
    dstcode: str
    madonvi: str
    count_service: str = "ThongKeHoSoDongBo"
    session_ttl: timedelta = timedelta(minutes=30)
    http: httpx.Client = field(default_factory=http_client)
    _session: str = ""
    _session_until: float = 0.0  # time.monotonic()

    @classmethod
    def from_settings(cls, settings: Settings) -> PortalClient | None:
        if not settings.dvcqg_url:
            return None
        return cls(settings.dvcqg_url, settings.dvcqg_auth_url, settings.dvcqg_username,
                   settings.dvcqg_password, settings.dvcqg_dstcode, settings.dvcqg_madonvi,
                   settings.dvcqg_count_service)

    def __enter__(self) -> PortalClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def _headers(self) -> dict[str, str]:
        return {"dstcode": self.dstcode}

    def _login(self) -> str:
        answer = post_json(self.http, self.auth_url, {"username": self.username,
                                                      "password": self.password},
                           PROVIDER, self._headers())
        if str(answer.get("error_code")) != "0" or not answer.get("session"):
            raise PermanentFailure(f"{PROVIDER} từ chối đăng nhập: "
                                   f"{answer.get('message') or answer}")
        self._session = str(answer["session"])
        self._session_until = time.monotonic() + self.session_ttl.total_seconds()
        return self._session

    def session(self) -> str:
        if not self._session or time.monotonic() >= self._session_until:
            return self._login()
        return self._session

    def call(self, service: str, *, madonvi: str = "", **fields) -> dict:
        for attempt in (1, 2):
            body = {"session": self.session(), "madonvi": madonvi or self.madonvi,
                    "service": service, **fields}
            answer = post_json(self.http, self.url, body, PROVIDER, self._headers())
            code = str(answer.get("error_code", ""))
            if code == "0":
                return answer
            if code in SESSION_EXPIRED and attempt == 1:
                self._session = ""  # the platform ended the session: log in again, once
                continue
            raise PermanentFailure(f"{PROVIDER} trả lỗi {code or '?'} cho {service}: "
                                   f"{answer.get('message') or answer}")
        raise AssertionError("unreachable")

    # -- the services ----------------------------------------------------------------------

    def exists(self, code: str, madonvi: str = "") -> bool:
        return bool(self.call("TraCuuHoSo", madonvi=madonvi, mahoso=code).get("result"))

    def sync_dossier(self, record: dict, *, updating: bool, madonvi: str = "") -> dict:
        return self.call("DongBoHoSoMC", madonvi=madonvi,
                         isUpdating="True" if updating else "False", data=[record])

    def progress(self, record: dict, madonvi: str = "") -> dict:
        return self.call("CapNhatTienDoHoSoMC", madonvi=madonvi, data=[record])

    def counts(self, start: str, end: str) -> list[dict]:
        return list(self.call(self.count_service, tungay=start, denngay=end).get("result")
                    or [])

    def procedure_codes(self) -> list[dict]:
        return list(self.call("LayDanhSachTTHC").get("result") or [])

    def procedure(self, code: str) -> dict | None:
        found = self.call("LayThuTuc", maTTHC=code).get("result") or []
        return found[0] if found else None

    def fields(self) -> list[dict]:
        return list(self.call("LayDanhMucLinhVuc").get("result") or [])

    def agencies(self) -> list[dict]:
        return list(self.call("LayDanhMucCoQuan").get("result") or [])
