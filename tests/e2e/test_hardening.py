"""Issue 15's probe, each point shown fixed: sessions on the server, shared throttling
behind trusted proxies only, request and filing limits, security headers, private files,
safe stored names, and an audit record that a database writer cannot rewrite unseen."""

from __future__ import annotations

import os
import re
import stat
from datetime import timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from motcua.domain.commands import CompleteStep
from motcua.domain.documents import Upload, stored_name
from motcua.domain.errors import ValidationError
from motcua.services import dossiers as uc
from motcua.services.audit import create_checkpoint, verify_audit
from motcua.services.officials import set_password
from motcua.web.app import create_app
from tests.e2e.test_web import FORM, PDF, file_online, form_tokens, login
from tests.personas import CITIZEN


@pytest.fixture
def client(app, world):
    return TestClient(create_app(app, "khoa-bi-mat-kiem-thu"))


def _received(app, world) -> str:
    return uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175", channel="desk",
                              applicant=CITIZEN, official=world["tiepnhan"]).code


# -- sessions -------------------------------------------------------------------------------

def test_logout_ends_the_session_on_the_server_so_a_copied_cookie_is_worthless(app, client):
    csrf = login(client, "tiepnhan")
    stolen = dict(client.cookies)
    assert client.post("/dang-xuat", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    thief = TestClient(client.app, cookies=stolen)
    assert thief.get("/hop-thu", follow_redirects=False).status_code == 303  # to the login page
    assert thief.get("/api/v1/dossiers").json()["error"]["code"] == "can_dang_nhap"


def test_a_password_change_ends_every_other_session(app, client):
    login(client, "tiepnhan")
    other = TestClient(client.app)
    login(other, "tiepnhan")
    form = client.get("/doi-mat-khau").text
    csrf = form_tokens(form)["csrf"]
    wrong = client.post("/doi-mat-khau", data={"csrf": csrf, "current": "sai-roi-nhe",
                                               "new": "mat-khau-moi-2026",
                                               "repeat": "mat-khau-moi-2026"})
    assert wrong.status_code == 422 and "Mật khẩu hiện tại không đúng" in wrong.text
    done = client.post("/doi-mat-khau", data={"csrf": csrf, "current": "mat-khau-demo",
                                              "new": "mat-khau-moi-2026",
                                              "repeat": "mat-khau-moi-2026"})
    assert done.status_code == 200 and "Đã đổi mật khẩu" in done.text  # this browser goes on
    assert other.get("/hop-thu", follow_redirects=False).status_code == 303
    # an administrator resetting a password ends the sessions too
    assert set_password(app, "tiepnhan", "mat-khau-thu-ba") == 1
    assert client.get("/hop-thu", follow_redirects=False).status_code == 303


def test_a_session_ends_eight_hours_after_sign_in_however_active(app, client):
    login(client, "tiepnhan")
    start = app.clock.now()
    for hours in (2, 4, 6, 7.9):
        app.clock.set(start + timedelta(hours=hours))
        assert client.get("/hop-thu", follow_redirects=False).status_code == 200
    app.clock.set(start + timedelta(hours=8, seconds=1))
    assert client.get("/hop-thu", follow_redirects=False).status_code == 303


def test_secure_cookies_and_security_headers(app, world):
    from dataclasses import replace

    app.settings = replace(app.settings, secure_cookies=True)
    client = TestClient(create_app(app, "khoa-bi-mat-kiem-thu"), base_url="https://testserver")
    page = client.get("/dang-nhap")
    assert "secure" in page.headers["set-cookie"].lower()
    assert "httponly" in page.headers["set-cookie"].lower()
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["cache-control"] == "no-store"  # a CSRF token, later personal data
    assert "no-store" not in client.get("/static/app.css").headers.get("cache-control", "")


# -- throttling -----------------------------------------------------------------------------

def test_forwarded_for_is_believed_only_from_a_trusted_proxy(app, world):
    from dataclasses import replace

    code = _received(app, world)
    app.settings = replace(app.settings, trusted_proxies="10.0.0.0/24")
    direct = TestClient(create_app(app, "k" * 32), client=("203.0.113.7", 5000))
    # a client rotating X-Forwarded-For is still one client: blocked after 10 guesses
    for i in range(10):
        direct.post("/api/v1/tracking", json={"code": code, "last4": "0000"},
                    headers={"X-Forwarded-For": f"198.51.100.{i}"})
    other_code = _received(app, world)
    blocked = direct.post("/api/v1/tracking", json={"code": other_code, "last4": "5678"},
                          headers={"X-Forwarded-For": "198.51.100.99"})
    assert blocked.status_code == 429
    # behind the trusted proxy, the address it forwards is the client's
    proxied = TestClient(create_app(app, "k" * 32), client=("10.0.0.5", 5000))
    ok = proxied.post("/api/v1/tracking", json={"code": other_code, "last4": "5678"},
                      headers={"X-Forwarded-For": "203.0.113.50, 10.0.0.9"})
    assert ok.status_code == 200
    for _ in range(10):
        proxied.post("/api/v1/tracking", json={"code": other_code, "last4": "0000"},
                     headers={"X-Forwarded-For": "203.0.113.51"})
    # that client is blocked for every code; the one before it is not (per-code count is
    # at its limit too, so look up a fresh dossier)
    third = _received(app, world)
    assert proxied.post("/api/v1/tracking", json={"code": third, "last4": "5678"},
                        headers={"X-Forwarded-For": "203.0.113.51"}).status_code == 429
    assert proxied.post("/api/v1/tracking", json={"code": third, "last4": "5678"},
                        headers={"X-Forwarded-For": "203.0.113.50"}).status_code == 200


def test_anonymous_filings_are_limited_per_client_and_hour(app, client):
    from dataclasses import replace

    app.settings = replace(app.settings, filings_per_hour=2)
    statuses = []
    for _ in range(3):
        statuses.append(file_online(client).status_code)
    assert statuses[:2] == [303, 303] and statuses[2] == 429
    app.clock.set(app.clock.now() + timedelta(hours=1, minutes=1))
    assert file_online(client).status_code == 303


# -- request and upload limits --------------------------------------------------------------

def test_a_body_over_the_limit_is_refused_before_it_is_read(app, client):
    from dataclasses import replace

    app.settings = replace(app.settings, max_submission_mb=1)
    small = TestClient(create_app(app, "k" * 32))
    declared = small.post("/api/v1/tracking", content=b"{}",
                          headers={"content-length": str(50 * 1024 * 1024),
                                   "content-type": "application/json"})
    assert declared.status_code == 413
    assert declared.json()["error"]["code"] == "qua_dung_luong"

    # streamed without a length (chunked): cut as soon as it passes the limit
    import asyncio

    from motcua.web.middleware import BodyLimit

    pulled, sent = [], []

    async def receive():
        pulled.append(1)
        return {"type": "http.request", "body": b"x" * 65536, "more_body": len(pulled) < 100}

    async def app_reading_everything(scope, receive, send):
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "path": "/thu-tuc/x/nop-truc-tuyen", "headers": []}
    asyncio.run(BodyLimit(app_reading_everything, 1024 * 1024)(scope, receive, send))
    assert sent[0]["status"] == 413 and "quá lớn" in sent[1]["body"].decode()
    assert len(pulled) == 17  # 16 chunks of 64 KiB fill the megabyte; the 17th passes it


def test_files_per_submission_and_total_size_are_limited(app, client):
    from dataclasses import replace

    app.settings = replace(app.settings, max_files=3, max_submission_mb=1)
    url = "/thu-tuc/1.001193/nop-truc-tuyen"
    tokens = form_tokens(client.get(url).text)
    many = client.post(url, data={**FORM, **tokens},
                       files=[("tep_khac", (f"t{i}.pdf", PDF, "application/pdf"))
                              for i in range(4)])
    assert many.status_code == 422 and "tối đa 3 tệp" in many.text
    big = PDF + b"0" * 600_000
    tokens = form_tokens(client.get(url).text)
    heavy = client.post(url, data={**FORM, **tokens},
                        files=[(f"tep_{i}", (f"t{i}.pdf", big, "application/pdf"))
                               for i in range(2)])
    assert heavy.status_code == 422 and "cho một lần nộp" in heavy.text


def test_a_stored_name_never_carries_an_extension_its_content_does_not_have(app, world):
    assert stored_name("poly.html", "application/pdf") == "poly.pdf"
    assert stored_name("anh.JPEG", "image/jpeg") == "anh.JPEG"
    assert stored_name("scan", "image/png") == "scan.png"
    assert stored_name("to-khai.pdf", "application/pdf") == "to-khai.pdf"
    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                              channel="desk", applicant=CITIZEN, official=world["tiepnhan"],
                              uploads=[Upload("Tờ khai", "poly.html", PDF)]).code
    files = [a["filename"] for a in uc.dossier_detail(app, code, world["tiepnhan"]).attachments]
    assert files == ["poly.pdf"]


def test_a_filing_over_the_count_limit_is_refused_in_the_service_too(app, world):
    from dataclasses import replace

    app.settings = replace(app.settings, max_files=1)
    with pytest.raises(ValidationError, match="tối đa 1 tệp"):
        uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175", channel="desk",
                           applicant=CITIZEN, official=world["tiepnhan"],
                           uploads=[Upload("A", "a.pdf", PDF), Upload("B", "b.pdf", PDF)])


# -- files on disk --------------------------------------------------------------------------

def test_keys_and_the_sqlite_file_are_readable_by_their_owner_only(app):
    for path in (app.settings.audit_key_path, app.settings.session_key_path):
        from motcua import keys

        keys.secret(path)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    url = sa.engine.make_url(app.settings.database_url)
    if url.drivername.startswith("sqlite"):
        assert stat.S_IMODE(os.stat(url.database).st_mode) == 0o600


# -- the audit record -----------------------------------------------------------------------

def _edit(app, sql: str, **params) -> None:
    with app.engine.begin() as conn:
        conn.execute(sa.text(sql), params)


def test_verify_reports_a_step_time_or_verdict_edited_in_the_rows(app, world):
    code = _received(app, world)
    uc.act(app, code, CompleteStep(), world["tiepnhan"])
    assert verify_audit(app).broken == []
    _edit(app, "UPDATE dossier_steps SET finished_at = finished_at - INTERVAL '1 day' "
          if app.engine.dialect.name == "postgresql" else
          "UPDATE dossier_steps SET finished_at = datetime(finished_at, '-1 day') "
          "WHERE finished_at IS NOT NULL")
    broken = verify_audit(app).broken
    assert [c for c, _ in broken] == [code] and "sửa ngoài hệ thống" in broken[0][1]


def test_verify_reports_a_chain_recomputed_with_the_public_hash(app, world):
    from motcua.domain.audit import event_hash

    code = _received(app, world)
    uc.act(app, code, CompleteStep(), world["tiepnhan"])
    with app.uow() as uow:
        did = uow.dossiers.get(code).id
        events = list(uow.audit.events(did, code))
    prev = ""
    with app.engine.begin() as conn:
        for ev in events:  # the forger rewrites the first event's actor and rehashes the chain
            name = "Kẻ gian" if ev.seq == 1 else ev.actor_name
            digest = event_hash(prev, code, ev.seq, ev.at, ev.actor_id, name, ev.action, ev.data)
            conn.execute(sa.text("UPDATE audit_events SET actor_name = :n, prev_hash = :p, "
                                 "hash = :h WHERE dossier_id = :d AND seq = :s"),
                         {"n": name, "p": prev, "h": digest, "d": did, "s": ev.seq})
            prev = digest
        conn.execute(sa.text("UPDATE dossiers SET audit_head = :h WHERE code = :c"),
                     {"h": prev, "c": code})
    broken = verify_audit(app).broken
    assert [c for c, _ in broken] == [code] and "niêm phong" in broken[0][1]


def test_verify_reports_a_deleted_dossier_against_the_signed_checkpoint(app, world):
    codes = [_received(app, world) for _ in range(3)]
    assert create_checkpoint(app) == 1
    assert verify_audit(app).broken == []
    _received(app, world)  # after the checkpoint: not counted by it
    assert verify_audit(app).broken == []
    with app.engine.begin() as conn:
        did = conn.execute(sa.text("SELECT id FROM dossiers WHERE code = :c"),
                           {"c": codes[1]}).scalar()
        for table in ("audit_events", "dossier_steps", "attachments", "outbox"):
            column = "dossier_code" if table == "outbox" else "dossier_id"
            conn.execute(sa.text(f"DELETE FROM {table} WHERE {column} = :d"),
                         {"d": codes[1] if table == "outbox" else did})
        conn.execute(sa.text("DELETE FROM dossiers WHERE id = :d"), {"d": did})
    broken = verify_audit(app).broken
    assert len(broken) == 1 and "lúc lập mốc có 3 hồ sơ, nay còn 2" in broken[0][1]
    # and a forged or removed checkpoint shows as well
    create_checkpoint(app)
    _edit(app, "UPDATE audit_checkpoints SET dossier_count = 2 WHERE id = 1")
    assert any("chữ ký" in p for _, p in verify_audit(app).broken)
    _edit(app, "DELETE FROM audit_checkpoints WHERE id = 1")
    assert any("có mốc đã bị xóa" in p for _, p in verify_audit(app).broken)


# -- no double moves through the API; missing files; never 500 -----------------------------

def test_an_api_step_completion_must_name_the_step_it_saw(app, world, client):
    from motcua.services.officials import create_api_token

    code = _received(app, world)
    token = create_api_token(app, "tiepnhan", "Hệ thống thử")
    auth = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/dossiers/{code}/actions/complete_step"
    blind = client.post(url, json={}, headers=auth)
    assert blind.status_code == 422 and "expected_step" in blind.json()["error"]["message"]
    assert client.post(url, json={"expected_step": 1}, headers=auth).status_code == 200
    again = client.post(url, json={"expected_step": 1}, headers=auth)
    assert again.status_code == 409 and again.json()["error"]["code"] == "xung_dot_cap_nhat"


def test_a_missing_attachment_file_is_a_clear_error(app, world, client):
    code = uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                              channel="desk", applicant=CITIZEN, official=world["tiepnhan"],
                              uploads=[Upload("Tờ khai", "to-khai.pdf", PDF)]).code
    attachment = uc.dossier_detail(app, code, world["tiepnhan"]).attachments[0]
    app.files.path(attachment["sha256"]).unlink()
    login(client, "tiepnhan")
    gone = client.get(f"/ho-so/{code}/tep/{attachment['id']}")
    assert gone.status_code == 404 and "không còn trên máy chủ" in gone.text


def test_the_api_documentation_needs_no_internet(client):
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert "http://" not in docs.text and "https://" not in docs.text  # no CDN, no favicon
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', docs.text):
        assert client.get(asset).status_code == 200
    assert "/static/swagger-ui/swagger-ui-bundle.js" in docs.text
