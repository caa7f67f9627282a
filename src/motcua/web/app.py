"""The FastAPI app factory: citizen pages, officials' login and inbox, JSON API under /api/v1.

Views only parse input, check who is asking, call a service or a read query, and
render; errors become JSON (API) or a Vietnamese page with a stable code.
"""

from __future__ import annotations

import secrets
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.middleware.sessions import SessionMiddleware

from motcua.domain.calendar import VN_TZ, CountingMode, Deadline, DeadlineUnit
from motcua.domain.dossiers import STATUS_LABELS, TRANSITIONS, Status, Timeliness
from motcua.domain.errors import (
    ConcurrentUpdate,
    Conflict,
    DatabaseUnavailable,
    MotcuaError,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from motcua.domain.policy import may_view
from motcua.services import dossiers as uc
from motcua.services.officials import authenticate
from motcua.storage import queries

HERE = Path(__file__).parent
STATUS_CODES = {NotFound: 404, PermissionDenied: 403, ConcurrentUpdate: 409, Conflict: 409,
                ValidationError: 422}


def vn_datetime(value: datetime | str | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y")


class Throttle:
    """Slows, then blocks for a while, repeated wrong guesses from one client."""

    def __init__(self, slow_after: int = 3, block_after: int = 10, block_s: int = 900) -> None:
        self.failures: dict[str, list[float]] = defaultdict(list)
        self.slow_after, self.block_after, self.block_s = slow_after, block_after, block_s

    def _recent(self, key: str) -> list[float]:
        now = time.monotonic()
        self.failures[key] = [t for t in self.failures[key] if now - t < self.block_s]
        return self.failures[key]

    def blocked(self, key: str) -> bool:
        return len(self._recent(key)) >= self.block_after

    def fail(self, key: str) -> None:
        recent = self._recent(key)
        recent.append(time.monotonic())
        if len(recent) > self.slow_after:
            time.sleep(min(2.0, 0.25 * (len(recent) - self.slow_after)))

    def reset(self, key: str) -> None:
        self.failures.pop(key, None)


def create_app(ctx, secret_key: str | None = None) -> FastAPI:
    app = FastAPI(title="motcua API", version="0.1.0", docs_url="/api/docs",
                  openapi_url="/api/openapi.json", redoc_url=None)
    app.add_middleware(SessionMiddleware, secret_key=secret_key or secrets.token_urlsafe(32),
                       session_cookie="motcua_phien", same_site="lax", https_only=False)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters["vn_datetime"] = vn_datetime
    templates.env.globals["status_labels"] = {s.value: s.label for s in Status}
    throttle = Throttle()
    app.state.ctx = ctx
    app.state.throttle = throttle

    def page(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
        session = request.session
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(24)
        context.update(request=request, csrf=session["csrf"], user=session.get("name"),
                       contrast=request.cookies.get("tuong_phan") == "cao")
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    def official(request: Request):
        official_id = request.session.get("official_id")
        if official_id is None:
            return None
        with ctx.uow() as uow:
            return uow.officials.by_id(official_id)

    @app.exception_handler(MotcuaError)
    async def domain_error(request: Request, exc: MotcuaError):
        status = next((code for cls, code in STATUS_CODES.items() if isinstance(exc, cls)), 400)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.as_dict()}, status_code=status)
        return page(request, "error.html", status_code=status, error=exc)

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError):
        if not (exc.connection_invalidated or isinstance(exc, OperationalError)):
            raise exc
        error = DatabaseUnavailable(
            "Cơ sở dữ liệu tạm thời không truy cập được; thao tác chưa được ghi. "
            "Vui lòng thử lại sau ít phút.")
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": error.as_dict()}, status_code=503)
        return page(request, "error.html", status_code=503, error=error)

    @app.get("/", include_in_schema=False)
    def home():
        return RedirectResponse("/thu-tuc", status_code=303)

    @app.get("/thu-tuc", response_class=HTMLResponse, include_in_schema=False)
    def catalogue(request: Request, q: str = ""):
        rows = queries.search_procedures(ctx.engine, ctx.settings.province_code, q)
        return page(request, "catalogue.html", q=q, rows=rows, describe=_describe)

    @app.get("/thu-tuc/{code}", response_class=HTMLResponse, include_in_schema=False)
    def procedure_page(request: Request, code: str):
        with ctx.uow() as uow:
            procedure = uow.procedures.current(code, ctx.settings.province_code)
        return page(request, "procedure.html", p=procedure)

    @app.get("/tra-cuu", response_class=HTMLResponse, include_in_schema=False)
    def tracking(request: Request, ma: str = "", so: str = ""):
        if not ma:
            return page(request, "tracking.html", dossier=None, ma="", so="")
        dossier = _track(request, ma, so)
        url = f"{ctx.settings.public_url}/tra-cuu?ma={dossier['code']}"
        return page(request, "tracking.html", dossier=dossier, ma=ma, so=so, url=url)

    def _track(request: Request, code: str, last4: str) -> dict:
        key = request.client.host if request.client else "?"
        if throttle.blocked(key):
            raise PermissionDenied("Bạn đã nhập sai quá nhiều lần; vui lòng thử lại sau 15 phút.")
        try:
            with ctx.uow() as uow:
                dossier = uow.dossiers.get(code)
                digits = {dossier.applicant_id_number[-4:], dossier.applicant_phone[-4:]}
                if len(last4.strip()) != 4 or last4.strip() not in digits:
                    raise NotFound("Mã hồ sơ hoặc 4 số cuối không đúng.")
                view = uc.dossier_view(uow, dossier)
        except NotFound as exc:
            throttle.fail(key)
            raise NotFound(
                "Mã hồ sơ hoặc 4 số cuối (số định danh hoặc điện thoại) không đúng.") from exc
        throttle.reset(key)
        view.pop("allowed_actions", None)
        return view

    @app.get("/tuong-phan", include_in_schema=False)
    def contrast(request: Request, bat: int = 1, ve: str = "/thu-tuc"):
        response = RedirectResponse(ve if ve.startswith("/") else "/", status_code=303)
        response.set_cookie("tuong_phan", "cao" if bat else "thuong", max_age=31_536_000,
                            samesite="lax")
        return response

    @app.get("/dang-nhap", response_class=HTMLResponse, include_in_schema=False)
    def login_form(request: Request):
        return page(request, "login.html", error=None)

    @app.post("/dang-nhap", include_in_schema=False)
    def login(request: Request, username: str = Form(""), password: str = Form(""),
              csrf: str = Form("")):
        if not secrets.compare_digest(csrf, request.session.get("csrf", "")):
            return page(request, "login.html", status_code=400,
                        error="Phiên làm việc đã hết hạn; vui lòng tải lại trang và đăng nhập.")
        key = f"login:{request.client.host if request.client else '?'}"
        if throttle.blocked(key):
            return page(request, "login.html", status_code=429,
                        error="Đăng nhập sai quá nhiều lần; vui lòng thử lại sau 15 phút.")
        found = authenticate(ctx, username, password)
        if found is None:
            throttle.fail(key)
            return page(request, "login.html", status_code=401,
                        error="Tên đăng nhập hoặc mật khẩu không đúng.")
        throttle.reset(key)
        request.session.clear()
        request.session.update(official_id=found.id, name=found.full_name,
                               csrf=secrets.token_urlsafe(24))
        return RedirectResponse("/hop-thu", status_code=303)

    @app.post("/dang-xuat", include_in_schema=False)
    def logout(request: Request, csrf: str = Form("")):
        if secrets.compare_digest(csrf, request.session.get("csrf", "")):
            request.session.clear()
        return RedirectResponse("/dang-nhap", status_code=303)

    @app.get("/hop-thu", response_class=HTMLResponse, include_in_schema=False)
    def inbox(request: Request, q: str = ""):
        who = official(request)
        if who is None:
            return RedirectResponse("/dang-nhap", status_code=303)
        now = ctx.clock.now()
        rows = []
        for r in queries.inbox(ctx.engine, {u for u, _ in who.roles}, now, q):
            allotted = ctx.calendar.between(r.effective_receipt, r.appointment_at_receipt)
            left = ctx.calendar.between(now, r.due)
            state = ("overdue" if now > r.due and r.status == Status.IN_PROGRESS else
                     "soon" if r.status == Status.IN_PROGRESS and left < ctx.settings.due_soon_share * allotted
                     else "")
            rows.append((r, state))
        return page(request, "inbox.html", rows=rows, q=q, who=who)

    # -- JSON API ------------------------------------------------------------------------

    @app.get("/api/v1/procedures", tags=["Thủ tục"])
    def api_procedures(q: str = ""):
        rows = queries.search_procedures(ctx.engine, ctx.settings.province_code, q)
        return {"rows": [{"code": r.code, "name": r.name, "field": r.field,
                          "deadline": _describe(r)} for r in rows]}

    @app.get("/api/v1/tracking", tags=["Tra cứu"])
    def api_tracking(request: Request, code: str = Query(..., max_length=64),
                     last4: str = Query(..., max_length=4)):
        return _track(request, code, last4)

    @app.get("/api/v1/dossiers/{code}", tags=["Hồ sơ"])
    def api_dossier(request: Request, code: str):
        who = official(request)
        if who is None:
            raise PermissionDenied("Cần đăng nhập bằng tài khoản cán bộ.")
        with ctx.uow() as uow:
            dossier = uow.dossiers.get(code)
            if not may_view(who, dossier):
                raise PermissionDenied("Hồ sơ không thuộc đơn vị của bạn.")
            view = uc.dossier_view(uow, dossier)
        return view

    @app.get("/api/v1/transitions", tags=["Hồ sơ"])
    def api_transitions():
        return {"transitions": [t.as_dict() for t in TRANSITIONS],
                "statuses": {s.value: label for s, label in STATUS_LABELS.items()},
                "timeliness": {t.value: t.label for t in Timeliness}}

    @app.get("/api/v1/calendar/due", tags=["Lịch"])
    def api_due(from_: datetime = Query(..., alias="from"), days: int = Query(0, ge=0, le=365),
                cutoff: str | None = None, mode: CountingMode = CountingMode.HOURS):
        if from_.tzinfo is None:
            from_ = from_.replace(tzinfo=VN_TZ)
        from motcua.domain.procedures import deadline_from_dict

        deadline = deadline_from_dict({"working_days": days, "mode": mode.value,
                                       **({"cutoff": cutoff} if cutoff else {})})
        effective = ctx.calendar.effective_receipt(from_, deadline.cutoff)
        return {"received": from_.astimezone(VN_TZ).isoformat(),
                "effective_receipt": effective.isoformat(),
                "appointment": ctx.calendar.due_from_effective(effective, deadline).isoformat()}

    return app


def _describe(row) -> str:
    from datetime import time as dtime

    return Deadline(row.deadline_amount, DeadlineUnit(row.deadline_unit),
                    CountingMode(row.deadline_mode),
                    dtime.fromisoformat(row.cutoff) if row.cutoff else None).describe()
