"""The national public-service portal for the demo and the tests: its authentication
and integration endpoints (``motcua.channels.portal``), storing what it receives.

It checks what the real platform checks: the ``dstcode`` header, the session (which
expires), the services' required fields, the date format, the status codes, and
``isUpdating`` against what it holds ("already exists" / "does not exist"). It answers
look-ups, counts for the reconciliation and the national catalogue in the portal's
format, built from the procedure facts motcua ships (``motcua/data/procedures_vn.json``).

Controls for the demo and the tests: ``POST /_fail`` (``{"down": true}`` answers 503 to
everything until ``{"down": false}``; ``{"requests": n}`` fails the next n requests),
``POST /_drop`` (forget a dossier: an injected difference), ``POST /_catalogue`` (publish
a changed procedure), ``GET /_state`` (what it holds).
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from motcua.domain.errors import ValidationError
from motcua.domain.national import NATIONAL_STATUSES, parse_portal_date

AUTH_PATH = "/api/xac-thuc"
API_PATH = "/api/tich-hop"
REQUIRED = ("MaHoSo", "MaTTHC", "TenTTHC", "ChuHoSo", "NgayTiepNhan", "NgayHenTra",
            "TrangThaiHoSo", "DonViXuLy")
PROGRESS_REQUIRED = ("MaHoSo", "NguoiXuLy", "ThoiDiemXuLy", "NoiDungXuLy", "TrangThai")
DATE_FIELDS = ("NgayTiepNhan", "NgayHenTra", "NgayTra", "NgayKetThucXuLy", "ThoiDiemXuLy",
               "NgayBatDau", "NgayKetThucTheoQuyDinh")
CHANNELS = {"desk": "1", "online": "2", "postal": "3"}
LEVELS = {"commune": "Cấp Xã", "province": "Cấp Tỉnh", "central": "Cấp Bộ",
          "other": "Cơ quan khác"}


def _field_code(name: str, known: dict[str, str]) -> str:
    if name not in known:
        known[name] = f"LV{len(known) + 1:03d}"
    return known[name]


def _legal(text: str) -> dict:
    found = re.search(r"\d+/\d{4}/[\w\-Đ]+", text)
    return {"SOVANBAN": found.group(0) if found else "", "TENVANBAN": text}


def national_record(p: dict, fields: dict[str, str]) -> dict:
    """A procedure of the shared facts in the portal's ``LayThuTuc`` form."""
    d = p["deadline"]
    if d.get("working_days") is not None:
        amount, unit = d["working_days"], "Ngày làm việc"
    elif d.get("calendar_days") is not None:
        amount, unit = d["calendar_days"], "Ngày"
    elif d.get("working_hours") is not None:
        amount, unit = d["working_hours"], "Giờ làm việc"
    elif d.get("same_day"):
        amount, unit = 0, "Ngày làm việc"
    else:
        amount, unit = None, ""
    fee = {"MAPHILEPHI": "", "SOTIEN": 0, "MOTA": p.get("fee") or ""}
    timing = {"THOIGIANGIAIQUYET": amount, "DONVITINH": unit, "MOTA": d.get("text", ""),
              "GIOCHOT": d.get("cutoff") or "", "PHILEPHI": [fee]}
    competent = p.get("competent_unit") or ""
    return {
        "MATTHC": p["code"], "TENTTHC": p["name"],
        "LINHVUCTHUCHIEN": [{"MALINHVUC": _field_code(p.get("field", ""), fields),
                             "TENLINHVUC": p.get("field", "")}],
        "CAPTHUCHIEN": [{"CAP": LEVELS.get(x, x)} for x in p.get("levels", [p["level"]])],
        "CACHTHUCTHUCHIEN": [{"KENH": CHANNELS[c], "THOIGIAN": [timing]}
                             for c in (p.get("channels") or []) if c in CHANNELS],
        "THANHPHANHOSO": [{"TRUONGHOP": "", "GIAYTO": [
            {"TENGIAYTO": g, "SOBANCHINH": "1", "SOBANSAO": "0"} for g in p["documents"]]}],
        "KETQUATHUCHIEN": [{"TENKETQUA": p.get("result", "")}],
        "CANCUPHAPLY": [_legal(x) for x in p.get("legal_basis", [])],
        "COQUANTHUCHIEN": [{"MADONVI": "", "TENDONVI": x}
                           for x in ([competent] if isinstance(competent, str) else competent)],
    }


def shipped_catalogue() -> tuple[dict[str, dict], dict[str, str]]:
    text = resources.files("motcua.data").joinpath("procedures_vn.json").read_text("utf-8")
    fields: dict[str, str] = {}
    records = {p["code"]: national_record(p, fields) for p in json.loads(text)["procedures"]}
    return records, fields


@dataclass
class PortalSimulator:
    username: str = "motcua-demo"
    password: str = "mat-khau-cong-quoc-gia"
    dstcode: str = "VN:GOV:H15:DVCQG"
    session_seconds: float = 1800
    dossiers: dict[str, dict] = field(default_factory=dict)
    progress: dict[str, list[dict]] = field(default_factory=dict)
    agencies: dict[str, str] = field(default_factory=dict)  # MaDonVi -> what sent it
    calls: Counter = field(default_factory=Counter)
    down: bool = False
    fail_next: int = 0
    sessions: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    store: Path | None = None  # the demo keeps what the portal received across restarts

    def __post_init__(self) -> None:
        self.catalogue, self.fields = shipped_catalogue()
        if self.store is not None and self.store.exists():
            kept = json.loads(self.store.read_text("utf-8"))
            self.dossiers, self.progress = kept["dossiers"], kept["progress"]

    def _save(self) -> None:
        if self.store is not None:
            self.store.write_text(json.dumps({"dossiers": self.dossiers,
                                              "progress": self.progress},
                                             ensure_ascii=False), "utf-8")

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route(AUTH_PATH, self.auth, methods=["POST"]),
            Route(API_PATH, self.api, methods=["POST"]),
            Route("/_fail", self.fail, methods=["POST"]),
            Route("/_drop", self.drop, methods=["POST"]),
            Route("/_catalogue", self.publish, methods=["POST"]),
            Route("/_state", self.state, methods=["GET"]),
        ])

    def _failing(self) -> bool:
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return True
            return self.down

    @staticmethod
    def _error(code: str, message: str) -> JSONResponse:
        return JSONResponse({"error_code": code, "message": message})

    async def auth(self, request: Request) -> JSONResponse:
        if self._failing():
            return JSONResponse({"message": "Hệ thống đang bảo trì"}, status_code=503)
        if request.headers.get("dstcode") != self.dstcode:
            return self._error("-1", "Sai mã đích (dstcode)")
        body = await request.json()
        if body.get("username") != self.username or body.get("password") != self.password:
            return self._error("-1", "Sai tên đăng nhập hoặc mật khẩu")
        token = secrets.token_urlsafe(18)
        with self.lock:
            self.sessions[token] = time.monotonic() + self.session_seconds
        return JSONResponse({"error_code": "0", "message": "Thành công", "session": token})

    def expire_sessions(self) -> None:
        with self.lock:
            self.sessions.clear()

    async def api(self, request: Request) -> JSONResponse:
        if self._failing():
            return JSONResponse({"message": "Hệ thống đang bảo trì"}, status_code=503)
        if request.headers.get("dstcode") != self.dstcode:
            return self._error("-1", "Sai mã đích (dstcode)")
        body = await request.json()
        until = self.sessions.get(str(body.get("session")))
        if until is None or until < time.monotonic():
            return self._error("401", "Phiên làm việc đã hết hạn")
        service = str(body.get("service", ""))
        handler = {"DongBoHoSoMC": self._sync, "CapNhatTienDoHoSoMC": self._progress,
                   "TraCuuHoSo": self._lookup, "ThongKeHoSoDongBo": self._counts,
                   "LayDanhSachTTHC": self._list, "LayThuTuc": self._procedure,
                   "LayDanhMucLinhVuc": self._fields,
                   "LayDanhMucCoQuan": self._agencies}.get(service)
        if handler is None:
            return self._error("-1", f"Không có dịch vụ {service}")
        self.calls[service] += 1
        with self.lock:
            return handler(body)

    @staticmethod
    def _bad_dates(record: dict) -> list[str]:
        bad = []
        for name in DATE_FIELDS:
            value = record.get(name)
            if value:
                try:
                    parse_portal_date(str(value))
                except ValidationError:
                    bad.append(name)
        return bad

    def _sync(self, body: dict) -> JSONResponse:
        updating = str(body.get("isUpdating")) == "True"
        records = body.get("data") or []
        for record in records:
            missing = [k for k in REQUIRED if not record.get(k)]
            if missing:
                return self._error("-1", "Thiếu trường " + ", ".join(missing))
            if bad := self._bad_dates(record):
                return self._error("-1", "Sai định dạng ngày " + ", ".join(bad))
            if str(record["TrangThaiHoSo"]) not in NATIONAL_STATUSES:
                return self._error("-1", f"Trạng thái {record['TrangThaiHoSo']} không hợp lệ")
            code = record["MaHoSo"]
            if updating and code not in self.dossiers:
                return self._error("-1", f"Hồ sơ {code} chưa tồn tại")
            if not updating and code in self.dossiers:
                return self._error("-1", f"Hồ sơ {code} đã tồn tại")
        for record in records:
            self.dossiers[record["MaHoSo"]] = {**record, "_madonvi": body.get("madonvi", "")}
        self._save()
        return JSONResponse({"error_code": "0", "message": "Thành công"})

    def _progress(self, body: dict) -> JSONResponse:
        records = body.get("data") or []
        for record in records:
            missing = [k for k in PROGRESS_REQUIRED if not record.get(k)]
            if missing:
                return self._error("-1", "Thiếu trường " + ", ".join(missing))
            if bad := self._bad_dates(record):
                return self._error("-1", "Sai định dạng ngày " + ", ".join(bad))
            if record["MaHoSo"] not in self.dossiers:
                return self._error("-1", f"Hồ sơ {record['MaHoSo']} chưa được đồng bộ")
        for record in records:
            self.progress.setdefault(record["MaHoSo"], []).append(record)
        self._save()
        return JSONResponse({"error_code": "0", "message": "Thành công"})

    def _lookup(self, body: dict) -> JSONResponse:
        found = self.dossiers.get(str(body.get("mahoso", "")))
        return JSONResponse({"error_code": "0", "result": [found] if found else []})

    def _counts(self, body: dict) -> JSONResponse:
        start, end = str(body.get("tungay", "")), str(body.get("denngay", ""))
        counts: Counter = Counter()
        for r in self.dossiers.values():
            if start <= r["NgayTiepNhan"] < end:
                counts[(r.get("MaDonViXuLy") or r["_madonvi"], r["MaTTHC"],
                        str(r["TrangThaiHoSo"]), r["NgayTiepNhan"][:6])] += 1
        return JSONResponse({"error_code": "0", "result": [
            {"MaDonVi": k[0], "MaTTHC": k[1], "TrangThaiHoSo": k[2], "Thang": k[3],
             "SoLuong": n} for k, n in sorted(counts.items())]})

    def _list(self, body: dict) -> JSONResponse:
        return JSONResponse({"error_code": "0", "result": [
            {"MATTHC": code, "TENTTHC": r["TENTTHC"]} for code, r in self.catalogue.items()]})

    def _procedure(self, body: dict) -> JSONResponse:
        found = self.catalogue.get(str(body.get("maTTHC", "")))
        return JSONResponse({"error_code": "0", "result": [found] if found else []})

    def _fields(self, body: dict) -> JSONResponse:
        return JSONResponse({"error_code": "0", "result": [
            {"MALINHVUC": code, "TENLINHVUC": name} for name, code in self.fields.items()]})

    def _agencies(self, body: dict) -> JSONResponse:
        return JSONResponse({"error_code": "0", "result": [
            {"MADONVI": code, "TENDONVI": name} for code, name in self.agencies.items()]})

    # -- controls --------------------------------------------------------------------------

    async def fail(self, request: Request) -> JSONResponse:
        body = await request.json()
        with self.lock:
            if "down" in body:
                self.down = bool(body["down"])
            self.fail_next = int(body.get("requests", 0))
        return JSONResponse({"down": self.down, "fail_next": self.fail_next})

    async def drop(self, request: Request) -> JSONResponse:
        body = await request.json()
        with self.lock:
            found = self.dossiers.pop(str(body.get("MaHoSo", "")), None)
            self._save()
        return JSONResponse({"dropped": found is not None})

    async def publish(self, request: Request) -> JSONResponse:
        record = await request.json()
        with self.lock:
            self.catalogue[record["MATTHC"]] = record
        return JSONResponse({"ok": True})

    async def state(self, request: Request) -> JSONResponse:
        return JSONResponse({"dossiers": len(self.dossiers),
                             "progress": sum(len(v) for v in self.progress.values()),
                             "calls": dict(self.calls), "down": self.down})


def settings_for(sim: PortalSimulator, url: str) -> dict[str, str]:
    """The motcua settings that point the sync at this simulator."""
    return {"dvcqg_url": url + API_PATH, "dvcqg_auth_url": url + AUTH_PATH,
            "dvcqg_username": sim.username, "dvcqg_password": sim.password,
            "dvcqg_dstcode": sim.dstcode}
