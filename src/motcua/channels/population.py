"""The national population database (Cơ sở dữ liệu quốc gia về dân cư), reached through
the province's data-sharing platform: is this ID number this person, and where do they
live.

One JSON ``POST`` to ``MOTCUA_POPULATION_URL`` with the platform's token
(``Authorization: Bearer``): ``SoDinhDanh``, ``HoVaTen``, ``NamSinh``. The answer's
``MaKetQua``: "0" the person matches (with ``ThuongTru``, ``NoiOHienTai``), "1" the
number exists but the name or year do not match, "2" no such number. The platform's real
interface is not public: the field names follow the national data's naming, the address
and token are settings. Anything else (no answer, an error) is "unavailable", which never
blocks the desk.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

MATCH, MISMATCH, UNKNOWN, UNAVAILABLE = "khop", "khong_khop", "khong_co", "khong_tra_cuu_duoc"


@dataclass(frozen=True)
class Verdict:
    result: str
    address: str = ""
    detail: str = ""


@dataclass
class PopulationClient:
    url: str
    token: str
    timeout: float = 5.0

    @classmethod
    def from_settings(cls, settings) -> PopulationClient | None:
        return cls(settings.population_url, settings.population_token) \
            if settings.population_url else None

    def verify(self, id_number: str, name: str, birth_year: int | None) -> Verdict:
        try:
            answer = httpx.post(self.url, json={"SoDinhDanh": id_number, "HoVaTen": name,
                                                "NamSinh": birth_year or ""},
                                headers={"Authorization": f"Bearer {self.token}"},
                                timeout=self.timeout)
            answer.raise_for_status()
            body = answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            return Verdict(UNAVAILABLE, detail=exc.__class__.__name__)
        code = str(body.get("MaKetQua", ""))
        if code == "0":
            return Verdict(MATCH, str(body.get("NoiOHienTai") or body.get("ThuongTru") or ""))
        if code == "1":
            return Verdict(MISMATCH)
        if code == "2":
            return Verdict(UNKNOWN)
        return Verdict(UNAVAILABLE, detail=f"MaKetQua {code!r}")
