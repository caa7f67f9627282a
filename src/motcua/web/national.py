"""The national portal pages: the operator's (what is synchronised, what stopped and
why, the code map and its versions, the reconciliations, the catalogue import) and the
public statistics (open data, no login)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Form, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse

from motcua import reports
from motcua.channels.portal import PortalClient
from motcua.domain.errors import ValidationError
from motcua.domain.text import vn_number
from motcua.services import catalogue
from motcua.services import national_sync as sync
from motcua.web.common import acted, page, require_official

router = APIRouter(include_in_schema=False)
ROW_ID = PathParam(..., ge=1, le=2**31 - 1)


def _client(ctx) -> PortalClient:
    client = PortalClient.from_settings(ctx.settings)
    if client is None:
        raise ValidationError("Chưa cấu hình kết nối Cổng Dịch vụ công quốc gia "
                              "(MOTCUA_DVCQG_URL).")
    return client


@router.get("/dong-bo", response_class=HTMLResponse)
def operator(request: Request):
    ctx = request.app.state.ctx
    who = require_official(request)
    return page(request, "national_sync.html", view=sync.overview(ctx, who),
                topics=sync.TOPIC_LABELS, kinds=sync.kinds(), statuses=sync.status_names(),
                configured=bool(ctx.settings.dvcqg_url))


@router.post("/dong-bo/{row_id}/gui-lai")
def resend(request: Request, row_id: int = ROW_ID, csrf: str = Form("")):
    return acted(request, csrf, lambda ctx, who: sync.resend(ctx, row_id, who),
                 f"Bản ghi số {row_id} sẽ được gửi lại ở lượt gửi tới.", "/dong-bo")


@router.post("/dong-bo/{row_id}/bo-qua")
def skip(request: Request, row_id: int = ROW_ID, csrf: str = Form("")):
    return acted(request, csrf, lambda ctx, who: sync.skip(ctx, row_id, who),
                 f"Đã bỏ qua bản ghi số {row_id}; các thay đổi sau của hồ sơ được gửi tiếp.",
                 "/dong-bo")


@router.post("/dong-bo/bang-ma")
def change_code(request: Request, kind: str = Form(""), local: str = Form(""),
                national: str = Form(""), csrf: str = Form("")):
    return acted(request, csrf,
                 lambda ctx, who: sync.change_code(ctx, who, kind, local, national),
                 lambda v: f"Đã lưu bảng mã phiên bản {v}. Bấm “Gửi lại theo bảng mã mới” để "
                           f"gửi những hồ sơ có bản ghi thay đổi.", "/dong-bo")


def _window(ctx, days: int):
    now = ctx.clock.now()
    return now - timedelta(days=days), now + timedelta(minutes=1)


@router.post("/dong-bo/gui-lai-theo-bang-ma")
def replay(request: Request, days: int = Form(365, ge=1, le=3650), csrf: str = Form("")):
    def act(ctx, who):
        sync.ensure_admin(who)
        return sync.enqueue(ctx, *_window(ctx, days), force=False)
    return acted(request, csrf, act, lambda n: f"Đã xếp {n} hồ sơ để so lại; chỉ hồ sơ có bản "
                 "ghi thay đổi được gửi.", "/dong-bo")


@router.post("/dong-bo/doi-soat")
def reconcile(request: Request, csrf: str = Form("")):
    def act(ctx, who):
        sync.ensure_admin(who)
        with _client(ctx) as client:
            return sync.reconcile(ctx, client, *sync.nightly_period(ctx))
    def said(r: dict) -> str:
        if r["error"]:
            return f"Không đối soát được: {r['error']}"
        text = (f"Đối soát xong: motcua {vn_number(r['motcua'])} hồ sơ, Cổng quốc gia "
                f"{vn_number(r['portal'])}, {vn_number(r['differences'])} chênh lệch.")
        if r["waiting"]:
            text += (f" Còn {vn_number(r['waiting'])} bản ghi chờ gửi: một phần chênh lệch "
                     f"có thể là hồ sơ đang trên đường gửi.")
        return text
    return acted(request, csrf, act, said, "/dong-bo")


@router.get("/dong-bo/danh-muc", response_class=HTMLResponse)
def catalogue_preview(request: Request):
    ctx = request.app.state.ctx
    who = require_official(request)
    sync.ensure_admin(who)
    with _client(ctx) as client:
        changes = catalogue.plan(ctx, *catalogue.fetch(ctx, client))
        agencies = catalogue.check_agencies(ctx, client.agencies())
    return page(request, "national_catalogue.html", changes=changes, agencies=agencies)


@router.post("/dong-bo/danh-muc")
def catalogue_apply(request: Request, csrf: str = Form("")):
    def act(ctx, who):
        sync.ensure_admin(who)
        with _client(ctx) as client:
            return catalogue.apply(ctx, catalogue.plan(ctx, *catalogue.fetch(ctx, client)))
    return acted(request, csrf, act,
                 lambda n: f"Đã cập nhật {n} thủ tục theo danh mục quốc gia (phiên bản mới).",
                 "/dong-bo/danh-muc")


# -- public statistics (open data) ------------------------------------------------------------

PUBLIC = {"Cache-Control": "public, max-age=600"}


@router.get("/thong-ke", response_class=HTMLResponse)
def public_statistics(request: Request):
    response = page(request, "open_statistics.html",
                    data=reports.public_statistics(request.app.state.ctx))
    response.headers.update(PUBLIC)
    return response


@router.get("/thong-ke.json")
def public_statistics_json(request: Request):
    from fastapi.responses import JSONResponse

    return JSONResponse(reports.public_statistics(request.app.state.ctx), headers=PUBLIC)


@router.get("/thong-ke.csv")
def public_statistics_csv(request: Request):
    import csv
    import io

    from fastapi.responses import Response

    data = reports.public_statistics(request.app.state.ctx)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[f["name"] for f in data["fields"]])
    writer.writeheader()
    writer.writerows(data["rows"])
    return Response(("\ufeff" + out.getvalue()).encode("utf-8"),
                    media_type="text/csv; charset=utf-8",
                    headers={**PUBLIC, "Content-Disposition":
                             "attachment; filename=thong-ke-mot-cua.csv"})
