"""The FastAPI app factory: citizen pages, officials' pages, JSON API under /api/v1.

Views only parse input, check who is asking, call a service or a read query, and
render; errors become JSON (API) or a Vietnamese page, always with a stable code.
"""

from __future__ import annotations

import gc
import logging
from contextlib import asynccontextmanager

import anyio
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from motcua import keys
from motcua.domain.errors import (
    DatabaseUnavailable,
    MotcuaError,
    ValidationError,
)
from motcua.services.officials import SESSION_HOURS
from motcua.web import (
    account,
    api,
    cchc,
    citizen,
    dashboard,
    digitisation,
    feedback,
    national,
    notifications,
    officials,
    payments,
    postal,
)
from motcua.web.common import (
    HERE,
    LoginRequired,
    _networks,
    error_status,
    make_templates,
    page,
    refuse_nul,
)
from motcua.web.middleware import BodyLimit, SecurityHeaders

log = logging.getLogger("motcua.web")
FIELD_LABELS = {"code": "mã hồ sơ", "last4": "4 số cuối", "from": "thời điểm",
                "days": "số ngày", "procedure_code": "mã thủ tục", "unit_code": "nơi tiếp nhận",
                "body": "nội dung gửi lên (JSON)"}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_response(request: Request, error: MotcuaError, status: int):
    if _is_api(request):
        return JSONResponse({"error": error.as_dict()}, status_code=status)
    if isinstance(error, LoginRequired):
        return RedirectResponse(f"/dang-nhap?tiep={request.url.path}", status_code=303)
    return page(request, "error.html", status_code=status, error=error)


def _lifespan(ctx):
    @asynccontextmanager
    async def lifespan(_app):
        anyio.to_thread.current_default_thread_limiter().total_tokens = ctx.settings.threads
        guesses = ctx.guesses  # PostgreSQL: the look-up's asyncio pool
        if guesses is not None:
            await guesses.open()
        # what startup made (modules, mappings, the calendar, templates: most of the
        # heap) lives as long as the process; out of the collector's sight, a full
        # collection walks only what requests made, a pause of milliseconds rather than
        # the 100 ms that were most of the look-up's p99 (benchmarks/bench_http.py)
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()  # collectable again once the app stops (tests start many)
            if guesses is not None:
                await guesses.close()
    return lifespan


def create_app(ctx, secret_key: str | None = None) -> FastAPI:
    app = FastAPI(dependencies=[Depends(refuse_nul)], title="motcua API",
                  lifespan=_lifespan(ctx), version="0.2.0", docs_url=None,
                  openapi_url="/api/openapi.json", redoc_url=None,
                  description="API của hệ thống một cửa điện tử motcua. Xác thực bằng "
                              "`Authorization: Bearer <mã truy cập>` (tạo bằng "
                              "`motcua officials token`) hoặc phiên đăng nhập kèm "
                              "`X-CSRF-Token`.")
    settings = ctx.settings
    # the cookie carries the session's token, signed; the session itself is a row of
    # web_sessions (services.officials.open_session), which logging out deletes
    secret_key = secret_key or keys.secret(settings.session_key_path)
    app.add_middleware(SessionMiddleware,
                       secret_key=secret_key,
                       session_cookie="motcua_phien", same_site="lax",
                       https_only=settings.secure_cookies, max_age=SESSION_HOURS * 3600)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.state.ctx = ctx
    app.state.download_key = secret_key  # the citizen's signed download links
    app.state.templates = make_templates()
    app.state.trusted_proxies = _networks(settings.trusted_proxies)
    app.state.rendered = {}  # the API's kept JSON of kept values (api._rendered)

    @app.exception_handler(MotcuaError)
    async def domain_error(request: Request, exc: MotcuaError):
        return _error_response(request, exc, error_status(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        problems = []
        for e in exc.errors():
            name = str(e.get("loc", ["", ""])[-1])
            problems.append(f"“{FIELD_LABELS.get(name, name)}” không hợp lệ")
        error = ValidationError("Dữ liệu gửi lên không hợp lệ: " + "; ".join(problems) + ".",
                                fields=[str(e.get("loc", ["", ""])[-1]) for e in exc.errors()])
        return _error_response(request, error, 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        messages = {404: ("khong_tim_thay", "Không tìm thấy trang hoặc tài nguyên yêu cầu."),
                    405: ("phuong_thuc_khong_hop_le", "Phương thức không được hỗ trợ."),
                    413: ("qua_dung_luong", "Dữ liệu gửi lên quá lớn.")}
        code, message = messages.get(exc.status_code, ("loi_http", "Yêu cầu không hợp lệ."))
        error = MotcuaError(message)
        error.code = code
        return _error_response(request, error, exc.status_code)

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError):
        if not (exc.connection_invalidated or isinstance(exc, OperationalError)):
            raise exc
        log.warning("database unavailable: %s", DatabaseUnavailable.logged(exc.orig or exc))
        error = DatabaseUnavailable(
            "Cơ sở dữ liệu tạm thời không truy cập được; thao tác chưa được ghi. "
            "Vui lòng thử lại sau ít phút.")
        return _error_response(request, error, 503)

    @app.get("/api/docs", include_in_schema=False)
    def api_docs():
        """Swagger UI from the app's own static files: offices may have no internet."""
        return get_swagger_ui_html(openapi_url=app.openapi_url, title="motcua API",
                                   swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
                                   swagger_css_url="/static/swagger-ui/swagger-ui.css",
                                   swagger_favicon_url="/static/swagger-ui/favicon.png")

    @app.get("/healthz", include_in_schema=False)
    async def health():
        """The process answers (for a load balancer's check); touches nothing else, and
        on the event loop, so it is not queued behind busy handler threads."""
        return {"status": "ok"}

    @app.get("/", include_in_schema=False)
    def home():
        return RedirectResponse("/thu-tuc", status_code=303)

    # routes are tried in order: the API's first, as its public look-ups are the busiest
    # requests and the cheapest to answer (no page is drawn)
    app.include_router(api.router)
    app.include_router(citizen.router)
    app.include_router(officials.router)
    app.include_router(dashboard.router)
    app.include_router(cchc.router)
    app.include_router(notifications.router)
    app.include_router(notifications.receipts)
    app.include_router(postal.router)
    app.include_router(national.router)
    app.include_router(digitisation.router)
    app.include_router(account.router)
    app.include_router(payments.router)
    app.include_router(payments.callbacks)
    app.include_router(feedback.router)
    app.include_router(postal.webhook)
    return app
