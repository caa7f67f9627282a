"""The national portal's pages over real sockets: the operator's sync page (a refused
record resent, a changed code, a reconciliation with an injected difference, the
catalogue compared then imported) and the public statistics with their CSV and JSON,
small counts suppressed (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import timedelta

import httpx

from motcua.channels.portal import PortalClient
from motcua.domain.commands import CompleteStep, ReturnResult
from motcua.services import dossiers as uc
from motcua.services import national_sync as sync
from motcua.services.officials import create_official
from motcua.services.units import create_unit
from motcua.simulators.portal import PortalSimulator, settings_for
from motcua.simulators.providers import Served
from motcua.web.app import create_app
from tests.e2e.test_notifications_web import signed_in
from tests.personas import CITIZEN
from tests.ports import free_port


def _receive(app, world, n: int) -> list[str]:
    return [uc.receive_dossier(app, procedure_code="1.001193", unit_code="24175",
                               channel="desk", applicant=CITIZEN,
                               official=world["tiepnhan"]).code for _ in range(n)]


def test_the_operator_sees_fixes_and_reconciles_the_sync(app, world):
    create_unit(app, code="P66", name="Tỉnh Đắk Lắk", kind="province")
    quantri = create_official(app, username="quantri", full_name="Quản Trị",
                              password="mat-khau-demo", roles=[("P66", "admin")])
    sim = PortalSimulator()
    portal = Served(sim.app(), free_port()).start()
    app.settings = replace(app.settings, **settings_for(sim, portal.url))
    sync.register(app.events)
    web = Served(create_app(app, "khoa-dong-bo"), free_port()).start()
    try:
        codes = _receive(app, world, 2)
        sim.password = "da-doi"  # the platform changed the password: the first row stops
        with PortalClient.from_settings(app.settings) as client:
            sync.relay(app, client)
        admin, csrf = signed_in(web.url, "quantri")
        page = admin.get("/dong-bo").text
        assert "Bản ghi dừng gửi" in page and "đăng nhập" in page and codes[0] in page
        dead = [r.id for r in sync.overview(app, quantri).dead]
        assert len(dead) == 2  # each dossier's first row; the later ones wait behind it
        sim.password = PortalSimulator.password
        for row_id in dead:
            done = admin.post(f"/dong-bo/{row_id}/gui-lai", data={"csrf": csrf},
                              follow_redirects=True)
            assert "sẽ được gửi lại" in done.text
        with PortalClient.from_settings(app.settings) as client:
            sync.drain(app, client)
        assert set(codes) <= set(sim.dossiers)
        changed = admin.post("/dong-bo/bang-ma", follow_redirects=True, data={
            "csrf": csrf, "kind": "status", "local": "in_progress", "national": "11"})
        assert "không phải mã trạng thái" in changed.text
        changed = admin.post("/dong-bo/bang-ma", follow_redirects=True, data={
            "csrf": csrf, "kind": "channel", "local": "desk", "national": "1"})
        assert "phiên bản 2" in changed.text
        httpx.post(portal.url + "/_drop", json={"MaHoSo": codes[0]})
        checked = admin.post("/dong-bo/doi-soat", data={"csrf": csrf}, follow_redirects=True)
        assert "1 chênh lệch" in checked.text and "Đang xử lý" in checked.text
        preview = admin.get("/dong-bo/danh-muc").text
        assert "1.001193" in preview and "1 thủ tục không cập nhật được" in preview
        assert "vượt thời hạn" in preview  # the law's same-day deadline, refused
        assert "Chưa có mã định danh" in preview  # no unit carries its identifier yet
        desk, _ = signed_in(web.url, "tiepnhan")
        assert desk.get("/dong-bo").status_code == 403
        forged = admin.post("/dong-bo/doi-soat", data={"csrf": "gia-mao"})
        assert forged.status_code in (400, 403)
    finally:
        web.stop()
        portal.stop()


def test_public_statistics_suppress_small_counts_and_download(app, world):
    create_unit(app, code="24136", name="Phường Tân Lập", kind="ward")
    for code in _receive(app, world, 6):
        for who in ("tiepnhan", "chuyenvien", "lanhdao"):
            uc.act(app, code, CompleteStep(), world[who])
        uc.act(app, code, ReturnResult(), world["tiepnhan"])
    uc.receive_dossier(app, procedure_code="1.001193", unit_code="24133", channel="online",
                       applicant=CITIZEN, official=world["tiepnhan2"])
    app.clock.set(app.clock.now() + timedelta(days=2))
    web = Served(create_app(app, "khoa-thong-ke"), free_port()).start()
    try:
        public = httpx.Client(base_url=web.url, timeout=10)
        page = public.get("/thong-ke")
        assert page.status_code == 200 and "public" in page.headers["cache-control"]
        assert "Xã Hòa Phú" in page.text and "Ẩn (dưới 5 hồ sơ)" in page.text
        assert "Phạm Thị Công Dân" not in page.text and "066190001234" not in page.text
        assert "100,00%" in page.text and "CC BY 4.0" in page.text
        rows = list(csv.DictReader(io.StringIO(public.get("/thong-ke.csv").text.lstrip("\ufeff"))))
        january = [r for r in rows if r["thang"] == "01/2026"]
        by_unit = {r["ma_don_vi"]: r for r in january}
        assert by_unit["24175"]["ho_so_tiep_nhan"] == "6"
        assert by_unit["24175"]["ty_le_dung_han"] == "100.0"
        assert by_unit["24133"]["an_so_lieu"] == "có" and by_unit["24133"]["ho_so_tiep_nhan"] == ""
        assert by_unit[""]["ho_so_tiep_nhan"] == "7"  # the province adds every unit
        data = public.get("/thong-ke.json").json()
        assert data["licence"].endswith("(CC BY 4.0)") and data["min_count"] == 5
        assert {f["name"] for f in data["fields"]} >= {"ty_le_dung_han", "diem_766"}
    finally:
        web.stop()
