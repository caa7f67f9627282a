"""The citizen's sign-in with OpenID Connect and "Hồ sơ của tôi"."""

from __future__ import annotations

from fastapi import APIRouter, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse

from motcua.channels.oidc import OidcClient, SignInFailed
from motcua.domain.errors import NotFound, ValidationError
from motcua.domain.notifications import TEMPLATE_LABELS, Channel
from motcua.domain.notifications import Status as NoticeStatus
from motcua.services import accounts, payments
from motcua.services.cache import kept
from motcua.web.common import check_csrf, file_response, flash, page

router = APIRouter(include_in_schema=False)
DOCUMENT = PathParam(..., ge=1, le=2**31 - 1)


def _client(request: Request) -> OidcClient:
    settings = request.app.state.ctx.settings
    if not settings.oidc_discovery_url:
        raise ValidationError("Hệ thống chưa kết nối nhà cung cấp định danh điện tử.")
    return kept(request.app.state.ctx, ("oidc", settings.oidc_discovery_url),
                lambda: OidcClient(settings.oidc_discovery_url, settings.oidc_client_id,
                                   settings.oidc_client_secret), 3600)


def _callback(request: Request) -> str:
    return f"{request.app.state.ctx.settings.public_url}/dang-nhap-cong-dan/ve"


def _local(path: str) -> str:
    """A path on this site to go on to after signing in; anything else is dropped."""
    ok = path.startswith("/") and not path.startswith("//") and "\\" not in path
    return path if ok else "/ho-so-cua-toi"


@router.get("/dang-nhap-cong-dan")
def start(request: Request, then: str = Query("/ho-so-cua-toi", alias="tiep", max_length=300)):
    try:
        started = _client(request).start(_callback(request))
    except SignInFailed as exc:
        raise ValidationError(str(exc)) from exc
    request.session["oidc"] = {"state": started.state, "nonce": started.nonce,
                               "verifier": started.verifier, "then": _local(then)}
    return RedirectResponse(started.url, status_code=303)


@router.get("/dang-nhap-cong-dan/ve")
def finish(request: Request, code: str = Query("", max_length=2000),
           state: str = Query("", max_length=200), error: str = Query("", max_length=200)):
    waiting = request.session.pop("oidc", None)
    if error:
        raise ValidationError("Bạn đã không đồng ý đăng nhập, hoặc nhà cung cấp định danh "
                              f"báo lỗi ({error}).")
    if not waiting or not state or state != waiting["state"] or not code:
        raise ValidationError("Phiên đăng nhập không khớp hoặc đã hết hạn; đăng nhập lại.")
    ctx = request.app.state.ctx
    try:
        claims = _client(request).finish(code, _callback(request), waiting["verifier"],
                                         waiting["nonce"])
    except SignInFailed as exc:
        raise ValidationError(str(exc)) from exc
    account = accounts.sign_in(ctx, str(claims.get("sub", "")), claims)
    request.session["citizen"] = account
    flash(request, f"Đã đăng nhập bằng {ctx.settings.oidc_provider_name}.")
    return RedirectResponse(_local(waiting.get("then", "/ho-so-cua-toi")), status_code=303)


@router.get("/ho-so-cua-toi", response_class=HTMLResponse)
def mine(request: Request):
    account = request.session.get("citizen")
    if not account:
        return RedirectResponse("/dang-nhap-cong-dan", status_code=303)
    try:
        data = accounts.my_page(request.app.state.ctx, int(account))
    except NotFound:
        request.session.pop("citizen", None)
        return RedirectResponse("/dang-nhap-cong-dan", status_code=303)
    response = page(request, "mine.html", data=data, payment_labels=payments.STATUS_LABELS,
                    method_labels=payments.METHOD_LABELS, template_labels=TEMPLATE_LABELS,
                    channel_label=lambda c: Channel(c).label,
                    notice_status=lambda s: NoticeStatus(s).label)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@router.get("/ho-so-cua-toi/giay-to/{document_id}")
def my_document(request: Request, document_id: int = DOCUMENT):
    account = request.session.get("citizen")
    if not account:
        raise NotFound("Đăng nhập để tải giấy tờ của bạn.")
    name, data = accounts.my_document(request.app.state.ctx, int(account), document_id)
    return file_response(data, name)


@router.post("/dang-xuat-cong-dan")
def sign_out(request: Request, csrf: str = Form("")):
    check_csrf(request, csrf)
    request.session.pop("citizen", None)
    return RedirectResponse("/thu-tuc", status_code=303)
