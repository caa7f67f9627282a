"""What every page and API route shares: templates, who is asking, CSRF, throttling, formats."""

from __future__ import annotations

import ipaddress
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import segno
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from motcua.domain import commands
from motcua.domain.calendar import VN_TZ
from motcua.domain.documents import AttachmentKind
from motcua.domain.dossiers import TRANSITIONS, Action, Status, Timeliness, transition_for
from motcua.domain.errors import (
    ConcurrentUpdate,
    Conflict,
    DatabaseUnavailable,
    MotcuaError,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
    ValidationError,
)
from motcua.domain.notifications import CITIZEN_CHANNELS
from motcua.domain.postal import ID_TYPES, ShipmentStatus
from motcua.domain.procedures import Channel
from motcua.domain.text import parse_instant, vn_number  # noqa: F401 - pages parse with it
from motcua.domain.text import vn_date_time as vn_datetime
from motcua.domain.units import Official
from motcua.reports import lists
from motcua.services import postal, throttle, tracking
from motcua.services.officials import official_for_token, session_official
from motcua.services.outbox import DeliveryFailure

HERE = Path(__file__).parent


class CsrfFailed(MotcuaError):
    """A form or API call from a session came without the session's CSRF token."""

    code = "phien_het_han"



class LoginRequired(PermissionDenied):
    code = "can_dang_nhap"

def error_status(exc: MotcuaError) -> int:
    """The HTTP status of a domain error (400 for one not listed)."""
    codes = {LoginRequired: 401, NotFound: 404, PermissionDenied: 403, ConcurrentUpdate: 409,
             Conflict: 409, ValidationError: 422, CsrfFailed: 400, TooManyAttempts: 429,
             DatabaseUnavailable: 503}
    return next((code for cls, code in codes.items() if isinstance(exc, cls)), 400)


DETAIL_LABELS = {
    "procedure": "thủ tục", "procedure_version": "phiên bản", "channel": "kênh nộp",
    "applicant_id_number": "số định danh", "effective_receipt": "tính thời hạn từ",
    "appointment": "hẹn trả", "kind": "loại", "name": "giấy tờ", "filename": "tệp",
    "sha256": "mã băm SHA-256", "size": "dung lượng", "step": "bước", "step_name": "tên bước",
    "worked_seconds": "thời gian làm", "allocated_seconds": "thời gian được giao",
    "overran": "vượt thời gian", "behind_schedule": "chậm so với kế hoạch", "note": "ghi chú",
    "next_step": "chuyển sang bước", "reason": "lý do", "missing": "giấy tờ còn thiếu",
    "flagged": "bị tính trễ hạn", "paused_seconds": "thời gian tạm dừng",
    "from_step": "từ bước", "to_step": "về bước", "assignee": "giao cho cán bộ số",
    "assignee_before": "trước đó giao cho", "correction": "đề nghị số", "target": "nội dung",
    "old_value": "giá trị cũ", "new_value": "giá trị mới", "evidence": "căn cứ",
    "from_unit": "từ đơn vị", "to_unit": "sang đơn vị", "steps": "các bước",
}
VALUE_LABELS = {"desk": "trực tiếp", "online": "trực tuyến", "postal": "bưu chính",
                "assisted": "nộp hộ", "input": "thành phần hồ sơ", "supplement": "bổ sung",
                "result": "kết quả", "step_finished": "hoàn thành bước",
                "returned": "thời điểm trả"}


def _duration(seconds: int) -> str:
    hours, minutes = divmod(abs(int(seconds)) // 60, 60)
    return f"{hours} giờ {minutes:02d} phút" if hours else f"{minutes} phút"


def fee_text(fee: str) -> str:
    """A procedure's fee as the catalogue states it, one wording when there is none."""
    return (fee or "").strip() or "Không thu phí, lệ phí"


def vn_size(size: int) -> str:
    if size < 1024:
        return f"{size} byte"
    if size < 1024 * 1024:
        return f"{vn_number(size / 1024, 0)} KB"
    return f"{vn_number(size / 1048576, 1)} MB"


def event_details(data: dict) -> str:
    """An audit event's details in Vietnamese words, for the dossier page."""
    parts = []
    for key, value in data.items():
        if key in ("before", "after") or value in (None, "", [], {}):
            continue
        if isinstance(value, bool):
            text = "có" if value else "không"
        elif key.endswith("_seconds"):
            text = _duration(value)
        elif key == "size":
            text = vn_size(value)
        elif key == "sha256":
            text = f"{value[:12]}…"
        elif isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        elif isinstance(value, str) and len(value) >= 19 and value[4] == "-" and "T" in value:
            text = vn_datetime(value)
        else:
            text = VALUE_LABELS.get(str(value), str(value))
        parts.append(f"{DETAIL_LABELS.get(key, key)}: {text}")
    return "; ".join(parts)


def qr_svg(url: str) -> Markup:
    """An inline SVG QR code (drawn here: offices may have no internet)."""
    svg = segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff", omitsize=True,
                                                title="Mã QR tra cứu hồ sơ")
    return Markup(svg)


MEDIA_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def file_response(data: bytes, filename: str, *, inline: bool = False,
                  media_type: str | None = None) -> Response:
    """A file for a signed-in user to open (``inline``) or save: personal or internal data,
    so never cached and never sniffed. The type follows the extension unless given."""
    media_type = media_type or MEDIA_TYPES[filename.rsplit(".", 1)[-1]]
    disposition = "inline" if inline else "attachment"
    return Response(data, media_type=media_type, headers={
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename)}",
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})


def action_fields() -> dict[str, list[dict]]:
    """Per action, the fields its form shows, from the command's fields."""
    return {t.action.value: [{"name": f.name, **f.metadata, "kind": f.metadata["kind"].value}
                             for f in commands.fields(t.command)]
            for t in TRANSITIONS if t.command}


def vn_date(value) -> str:
    """A day as officials write it (16/01/2025), in Vietnamese time."""
    if value is None:
        return ""
    return value.astimezone(VN_TZ).strftime("%d/%m/%Y") if hasattr(value, "astimezone") \
        and hasattr(value, "hour") else value.strftime("%d/%m/%Y")


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=HERE / "templates")
    env = templates.env
    env.filters.update(vn_datetime=vn_datetime, vn_number=vn_number, vn_date=vn_date,
                       vn_last_day=lambda v: vn_date(v - timedelta(microseconds=1)),
                       vn_size=vn_size, event_details=event_details, duration=_duration,
                       fee=fee_text)
    env.globals.update(
        status_labels={s.value: s.label for s in Status},
        timeliness_labels={t.value: t.label for t in Timeliness},
        action_labels={a.value: transition_for(a).label for a in Action},
        kind_labels={k.value: k.label for k in AttachmentKind},
        channel_labels={c.value: c.label for c in Channel},
        notify_channels=[(c.value, c.label) for c in CITIZEN_CHANNELS],
        id_types=ID_TYPES, status_of=lambda v: ShipmentStatus(v).label,
        action_fields=action_fields(),
        qr_svg=qr_svg)
    return templates


def flash(request: Request, message: str, kind: str = "ok") -> None:
    """A message for the next page the person sees."""
    request.session["flash"] = {"message": message, "kind": kind}


def acted(request: Request, csrf: str, act, done, back: str) -> RedirectResponse:
    """A button's POST: who, their form's token, ``act(ctx, official)``, then back to
    ``back`` saying what was done (``done``: text, or made from what ``act`` answered) or
    why not (the person's mistake, or the outside system that refused)."""
    official = require_official(request)
    check_csrf(request, csrf)
    try:
        answer = act(request.app.state.ctx, official)
        flash(request, done(answer) if callable(done) else done)
    except MotcuaError as exc:
        flash(request, exc.message, "error")
    except DeliveryFailure as exc:
        flash(request, str(exc), "error")
    return RedirectResponse(back, status_code=303)


def csrf_token(request: Request) -> str:
    session = request.session
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def check_csrf(request: Request, token: str | None) -> None:
    expected = request.session.get("csrf", "")
    if not expected or not token or not secrets.compare_digest(token, expected):
        raise CsrfFailed("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ; "
                         "vui lòng tải lại trang và thực hiện lại.")


def page(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    templates = request.app.state.templates
    context.update(request=request, csrf=csrf_token(request), user=request.session.get("name"),
                   roles=request.session.get("roles", []),
                   contrast=request.cookies.get("tuong_phan") == "cao",
                   demo_mailbox=request.app.state.ctx.settings.demo_mailbox is not None,
                   flash=request.session.pop("flash", None))
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def current_official(request: Request) -> Official | None:
    """The official behind this request: an API token (Authorization: Bearer) or the session."""
    ctx = request.app.state.ctx
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        official = official_for_token(ctx, header[7:].strip())
        if official is None:
            raise LoginRequired("Mã truy cập (API token) không hợp lệ hoặc đã bị thu hồi.")
        request.state.by_token = True
        return official
    token = request.session.get("sid")
    if not token:
        return None
    official = session_official(ctx, token)
    if official is None or official.id != request.session.get("official_id"):
        request.session.clear()  # logged out elsewhere, password changed, or past 8 hours
        return None
    return official


def require_official(request: Request) -> Official:
    official = current_official(request)
    if official is None:
        raise LoginRequired("Cần đăng nhập bằng tài khoản cán bộ.")
    return official


def require_api_write(request: Request) -> Official:
    """An official for a state-changing API call: a token, or a session plus X-CSRF-Token."""
    official = require_official(request)
    if not getattr(request.state, "by_token", False):
        check_csrf(request, request.headers.get("x-csrf-token"))
    return official


def _networks(text: str) -> tuple:
    return tuple(ipaddress.ip_network(part.strip(), strict=False)
                 for part in text.split(",") if part.strip())


def _trusted(address: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(request: Request) -> str:
    """The client's address: the peer's, or, when the peer is a trusted proxy
    (``MOTCUA_TRUSTED_PROXIES``), the last address in ``X-Forwarded-For`` that is not one
    of the trusted proxies. Nobody else's ``X-Forwarded-For`` is believed."""
    peer = request.client.host if request.client else "?"
    networks = request.app.state.trusted_proxies
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop
    return hops[0] if hops else peer


def track(request: Request, code: str, last4: str):
    """``services.tracking.track`` for this request's client (the pages)."""
    return tracking.track(request.app.state.ctx, code, last4, client_address(request))


async def track_async(request: Request, code: str, last4: str):
    """``services.tracking.track_async`` for this request's client (the API)."""
    return await tracking.track_async(request.app.state.ctx, code, last4,
                                      client_address(request))


def online_filing(request: Request, file):
    """``file()`` (an online filing: (view, repeated)) within the limit of anonymous
    filings per client address and hour (``MOTCUA_FILINGS_PER_HOUR``); a refused or
    repeated filing is not counted."""
    ctx = request.app.state.ctx
    limit = throttle.Limit(ctx.settings.filings_per_hour, 3600)
    attempt = throttle.admit(
        ctx, limit, targets=(f"filing:{client_address(request)}",),
        message=f"Từ địa chỉ này đã nộp {limit.attempts} hồ sơ trong một giờ qua, mức tối đa "
                "cho phép; vui lòng thử lại sau hoặc nộp tại bộ phận một cửa.")
    try:
        view, repeated = file()
    except BaseException:
        throttle.take_back(ctx, attempt)  # a refused filing is not counted
        raise
    if repeated:
        throttle.take_back(ctx, attempt)
    return view, repeated


def sends_json(request: Request) -> bool:
    """The request declares a JSON body (``application/json`` or a ``+json`` type)."""
    return "json" in request.headers.get("content-type", "")


async def refuse_nul(request: Request) -> None:
    """No NUL character anywhere in a request (address, query, form, JSON): PostgreSQL
    cannot store one, and no person types one (the app's dependency, awaited by every
    route; ``RequestOnlyRoute`` awaits it itself)."""
    query = request.scope.get("query_string", b"")  # raw bytes: no URL is built
    found = "\x00" in request.scope["path"] or b"\x00" in query or b"%00" in query
    content_type = request.headers.get("content-type", "")
    if request.method == "POST" and not found:
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()  # parsed once: the route reads it from the request
            found = any("\x00" in v for _, v in form.multi_items() if isinstance(v, str))
        elif sends_json(request):
            body = await request.body()
            found = b"\\u0000" in body or b"\x00" in body
    if found:
        raise ValidationError("Dữ liệu gửi lên chứa ký tự không hợp lệ (ký tự NUL); "
                              "vui lòng nhập lại.")


class RequestOnlyRoute(APIRoute):
    """A route whose endpoint takes the request alone and answers a ``Response``, called
    without FastAPI's dependency solving (on the busiest public request, the look-up, a
    fifth of its time in the process): the app's one dependency, ``refuse_nul``, is
    awaited here instead (``tests/e2e/test_web.py`` holds the app to that one)."""

    def get_route_handler(self):
        endpoint = self.endpoint

        async def handler(request: Request) -> Response:
            await refuse_nul(request)
            return await endpoint(request)

        return handler


def birth_year(text: str) -> int | None:
    """A year of birth typed in a form: blank, or four ASCII digits (not "²" or "١٩٩٠")."""
    value = (text or "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) == 4):
        raise ValidationError(f"Năm sinh “{value}” không hợp lệ; hãy nhập 4 chữ số, ví dụ 1990.")
    return int(value)


DESK_CHANNELS = ("desk", "postal")


def notify_choice(first: str, consent: str) -> dict:
    """The citizen's channels (their first choice, then the others) and consent."""
    order = [c.value for c in CITIZEN_CHANNELS]
    chosen = [first] + [c for c in order if c != first] if first in order else order
    return {"channels": chosen, "consent": bool(consent)}


def result_choice(ctx) -> dict:
    """What the "Nhận kết quả" fields of a filing form show: communes and the post's fee."""
    fees = postal.tariff(ctx)
    return {"communes": lists.communes(ctx), "postal_fee": ctx.settings.postal_fee,
            "postal_fees": fees if len(set(fees.values())) > 1 else {},
            "postal_zones": postal.ZONES}


def result_by_post(form: dict, applicant: dict) -> dict | None:
    """The address a result goes to by post, when the citizen chose the post (checked)."""
    if form.get("nhan_kq") != "post":
        return None
    return postal.receiver_from({"address": form.get("kq_dia_chi", ""),
                                 "commune": form.get("kq_xa", ""),
                                 "phone": form.get("kq_dien_thoai", ""),
                                 "name": applicant.get("name", "")}, applicant)


def result_electronic(form: dict) -> bool:
    """Whether the citizen chose to receive the result electronically."""
    return form.get("nhan_kq") == "electronic"


def desk_channel(text: str) -> str:
    """How a dossier came to the desk: in person or by post (filing for someone else is
    the "nộp hộ" box, online filing the citizen's own page)."""
    if text not in DESK_CHANNELS:
        raise ValidationError(f"Kênh nộp “{text}” không hợp lệ; chọn trực tiếp hoặc bưu chính.")
    return text
