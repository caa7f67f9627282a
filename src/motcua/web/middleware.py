"""ASGI middleware: the request-size limit, enforced before the body is read, and the
security headers of every response."""

from __future__ import annotations

import json

REQUEST_TOO_LARGE = "Dữ liệu gửi lên quá lớn (tối đa {mb} MB mỗi lần gửi); hãy gửi ít tệp hơn hoặc tệp nhỏ hơn."

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"referrer-policy", b"same-origin"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
]


class _TooLarge(Exception):
    pass


async def _refuse(scope, send, max_bytes: int) -> None:
    """413 with a Vietnamese message: JSON for the API, a short page otherwise."""
    message = REQUEST_TOO_LARGE.format(mb=max_bytes // 1048576)
    if scope["path"].startswith("/api/"):
        body = json.dumps({"error": {"code": "qua_dung_luong", "message": message}},
                          ensure_ascii=False).encode()
        content_type = b"application/json"
    else:
        body = (f'<!doctype html><html lang="vi"><meta charset="utf-8"><title>Quá dung lượng'
                f'</title><link rel="stylesheet" href="/static/app.css"><main><h1>Không gửi '
                f'được</h1><p class="error" role="alert">{message}</p><p>Dùng nút “Quay lại” '
                f'của trình duyệt để trở về biểu mẫu.</p></main></html>').encode()
        content_type = b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", content_type),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Refuse a request body over ``max_bytes``: at once when Content-Length says so,
    else as soon as the streamed body passes it (chunked uploads); the application's
    own answer to a body cut short is replaced by the 413."""

    def __init__(self, app, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            return await _refuse(scope, send, self.max_bytes)
        state = {"received": 0, "over": False, "started": False}

        async def limited_receive():
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > self.max_bytes:
                    state["over"] = True
                    raise _TooLarge
            return message

        async def guarded_send(message):
            if state["over"]:
                return  # the application's answer to a cut body; the 413 goes instead
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _TooLarge:
            pass
        if state["over"] and not state["started"]:
            await _refuse(scope, send, self.max_bytes)


class SecurityHeaders:
    """CSP (no inline script or style, no framing), Referrer-Policy, nosniff on every
    response; ``Cache-Control: no-store`` on everything but static assets unless a route
    set its own (pages carry personal data and CSRF tokens)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        static = path.startswith("/static/")
        docs = path == "/api/docs"  # Swagger UI's own page loads its script and style inline

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers.extend(h for h in HEADERS if h[0] not in names
                               and not (docs and h[0] == b"content-security-policy"))
                if not static and b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
