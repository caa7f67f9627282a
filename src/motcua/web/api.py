"""The JSON API under /api/v1: every use case of the dossier engine, documented by OpenAPI.

Officials authenticate with ``Authorization: Bearer <token>`` or a session cookie
plus ``X-CSRF-Token`` on state-changing calls. Errors are
``{"error": {"code": ..., "message": <Vietnamese>}}``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, File, Form, Header, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from pydantic import ValidationError as PydanticError
from starlette.concurrency import run_in_threadpool

from motcua.domain.calendar import VN_TZ, CountingMode
from motcua.domain.errors import PermissionDenied, ValidationError
from motcua.domain.lifecycle import STATUS_LABELS, TRANSITIONS, Transition
from motcua.domain.timeliness import Timeliness
from motcua.domain.units import Role, UnitKind
from motcua.reports import inbox as inbox_report
from motcua.reports import lists
from motcua.serialize import to_json
from motcua.services import dossiers as uc
from motcua.services import submissions
from motcua.services.calendar import appointment
from motcua.services.officials import create_official
from motcua.services.procedures import procedure_from_dict, procedure_to_dict, save_procedures
from motcua.services.units import create_unit, merge_units, rename_unit
from motcua.web.actions import OFFICIAL_ACTIONS, body_model, perform, read_uploads
from motcua.web.common import (
    RequestOnlyRoute,
    file_response,
    online_filing,
    require_api_write,
    require_official,
    sends_json,
    track_async,
)

router = APIRouter(prefix="/api/v1")


class ApplicantIn(BaseModel):
    kind: str = Field("person", description="person (công dân) hoặc business (doanh nghiệp)")
    id_number: str = Field(..., max_length=20, description="Số định danh 12 số hoặc mã số thuế")
    name: str = Field(..., max_length=255)
    phone: str = Field("", max_length=20)
    birth_year: int | None = Field(None, ge=1900, le=2100)
    address: str = Field("", max_length=500)
    email: str = Field("", max_length=255)


class ReceiveIn(BaseModel):
    procedure_code: str = Field(..., max_length=40)
    unit_code: str = Field(..., max_length=40)
    channel: str = Field("desk", description="desk hoặc postal; nộp hộ: on_behalf=true")
    on_behalf: bool = False
    note: str = Field("", max_length=2000)
    applicant: ApplicantIn


@router.get("/procedures", tags=["Thủ tục"])
async def procedures(request: Request, q: str = Query("", max_length=200)):
    """Tìm thủ tục (không phân biệt dấu, hoa thường, NFC/NFD)."""
    ctx = request.app.state.ctx
    # a search this process keeps is answered on the event loop; another one in a thread
    found = lists.kept_search(ctx, q) or await run_in_threadpool(lists.search_procedures,
                                                                 ctx, q)
    return Response(_rendered(request, found, _catalogue_json), media_type="application/json")


def _catalogue_json(found: lists.CatalogueSearch) -> dict:
    return {"total": found.total, "understood_as": found.corrected,
            "rows": [{"code": r.code, "name": r.name, "field": r.field,
                      "deadline": lists.describe_deadline(r)} for r in found.rows]}


@router.get("/procedures/{code}", tags=["Thủ tục"])
def procedure(request: Request, code: str):
    return procedure_to_dict(lists.procedure(request.app.state.ctx, code))


class TrackingIn(BaseModel):
    code: str = Field(..., max_length=64, description="Mã hồ sơ")
    last4: str = Field(..., max_length=4, description="4 số cuối số định danh hoặc số điện thoại")


def _body_schema(model: type[BaseModel]) -> dict:
    """The OpenAPI request body of a route that validates its JSON itself."""
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": model.model_json_schema()}}}}


async def _json_body(request: Request, model: type[BaseModel]):
    """The request's JSON validated by ``model`` in one pass (pydantic-core parses and
    checks together); a bad body, or one that is not JSON, is the same 422 as FastAPI's
    own body parameters."""
    if not sends_json(request):
        raise RequestValidationError([{"type": "model_attributes_type", "loc": ("body",),
                                       "msg": "Input should be a JSON object", "input": None}])
    try:
        return model.model_validate_json(await request.body())
    except PydanticError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from None


async def tracking(request: Request) -> Response:
    """Tra cứu công khai: mã hồ sơ và 4 số cuối số định danh hoặc số điện thoại (trong thân
    yêu cầu, không trên địa chỉ)."""
    body = await _json_body(request, TrackingIn)
    view = await track_async(request, body.code, body.last4)
    return Response(_rendered(request, view, to_json), media_type="application/json",
                    headers={"Cache-Control": "private, no-store"})


# the busiest public request: its body read by pydantic-core in one pass (not as a FastAPI
# body parameter), no dependency solving (RequestOnlyRoute), its throttle awaited on the
# event loop (track_async)
router.add_api_route("/tracking", tracking, methods=["POST"], tags=["Tra cứu"],
                     openapi_extra=_body_schema(TrackingIn), route_class_override=RequestOnlyRoute)


RENDERED_MAX = 5000  # a few kilobytes each


def _rendered(request: Request, value, shape) -> bytes:
    """The JSON of ``shape(value)``, rendered once per value the services keep: a kept
    look-up view or catalogue search is the same object at every request until it
    changes or expires."""
    rendered = request.app.state.rendered
    hit = rendered.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    body = JSONResponse(None).render(shape(value))
    if len(rendered) >= RENDERED_MAX:
        rendered.clear()
    rendered[id(value)] = (value, body)  # the value held, so its id is not reused meanwhile
    return body


@router.post("/online-submissions", tags=["Nộp trực tuyến"])
def online_submission(request: Request,
                      idempotency_key: Annotated[str, Header(max_length=64)],
                      procedure_code: str = Form(..., max_length=40),
                      unit_code: str = Form(..., max_length=40),
                      name: str = Form(..., max_length=255),
                      id_number: str = Form(..., max_length=20),
                      kind: str = Form("person"), phone: str = Form("", max_length=20),
                      birth_year: int | None = Form(None), email: str = Form(""),
                      address: str = Form(""),
                      files: list[UploadFile] | None = File(None),
                      doc_names: list[str] | None = Form(None)):
    """Nộp hồ sơ trực tuyến: hồ sơ chờ bộ phận một cửa tiếp nhận (mã tra cứu `TT-…`);
    gửi lại cùng `Idempotency-Key` không tạo thêm. `doc_names[i]` là tên giấy tờ (theo
    danh mục thành phần hồ sơ của thủ tục) của tệp `files[i]`."""
    ctx = request.app.state.ctx
    uploads = read_uploads(files, doc_names, ctx.settings.max_upload_bytes)
    view, repeated = online_filing(request, lambda: submissions.submit(
        ctx, procedure_code=procedure_code, unit_code=unit_code,
        applicant={"kind": kind, "id_number": id_number, "name": name, "phone": phone,
                   "birth_year": birth_year, "email": email, "address": address},
        uploads=uploads, submission_key=idempotency_key))
    return to_json({"ref": view.ref, "status": view.status, "status_label": view.status_label,
                    "repeated": repeated,
                    "tracking_url": f"{ctx.settings.public_url}/tra-cuu?ma={view.ref}"})


def _submission(view) -> dict:
    return to_json({"ref": view.ref, "status": view.status, "status_label": view.status_label,
                    "procedure_code": view.procedure_code, "unit": view.unit,
                    "applicant_name": view.applicant.get("name"),
                    "submitted_at": view.submitted_at, "decided_at": view.decided_at,
                    "reason": view.reason, "dossier_code": view.dossier_code,
                    "files": [{"document": slot, "filename": f.filename, "size": f.size,
                               "sha256": f.sha256} for slot, f in view.files]})


@router.get("/online-submissions", tags=["Nộp trực tuyến"])
def waiting_submissions(request: Request):
    """Hồ sơ trực tuyến chờ tiếp nhận tại các đơn vị của cán bộ tiếp nhận, cũ nhất trước."""
    who = require_official(request)
    return {"rows": [_submission(v) for v in submissions.waiting(request.app.state.ctx, who)]}


class DeclineIn(BaseModel):
    reason: str = Field(..., max_length=2000, description="Lý do từ chối (người nộp đọc được)")


@router.post("/online-submissions/{ref}/accept", tags=["Nộp trực tuyến"])
def accept_submission(request: Request, ref: str = PathParam(..., max_length=60)):
    """Tiếp nhận hồ sơ trực tuyến: hồ sơ được cấp mã, thời hạn tính từ lúc này."""
    who = require_api_write(request)
    return to_json(submissions.accept(request.app.state.ctx, ref, who))


@router.post("/online-submissions/{ref}/decline", tags=["Nộp trực tuyến"])
def decline_submission(request: Request, body: DeclineIn,
                       ref: str = PathParam(..., max_length=60)):
    """Từ chối tiếp nhận hồ sơ trực tuyến, có lý do (Mẫu 03)."""
    who = require_api_write(request)
    return _submission(submissions.decline(request.app.state.ctx, ref, who, body.reason))


@router.get("/dossiers", tags=["Hồ sơ"])
def inbox(request: Request, q: str = Query("", max_length=100),
          view: str = Query("", max_length=32), page: int = Query(1, ge=1, le=100_000),
          page_size: int = Query(100, ge=1, le=500)):
    """Hộp thư của cán bộ: hồ sơ cần xử lý, gấp nhất trước, theo trang, kèm tổng số."""
    who = require_official(request)
    found = inbox_report.inbox(request.app.state.ctx, who, q, view, page, page_size)
    return {"total": found.total, "page": found.page, "pages": found.pages,
            "page_size": found.page_size, "counts": found.counts,
            "rows": [{"code": r.code, "applicant_name": r.applicant_name,
                      "procedure": r.procedure, "step": r.step, "status": r.status.value,
                      "due": r.due.astimezone(VN_TZ).isoformat(),
                      "appointment": r.appointment.astimezone(VN_TZ).isoformat(),
                      "urgency": x.urgency.value if x.urgency else None,
                      "apology_today": x.apology_today}
                     for x in found.rows for r in (x.row,)]}


@router.post("/dossiers", tags=["Hồ sơ"], status_code=201)
def receive(request: Request, body: ReceiveIn):
    """Tiếp nhận hồ sơ tại bộ phận một cửa (kể cả nộp hộ)."""
    who = require_api_write(request)
    return to_json(uc.receive_dossier(
        request.app.state.ctx, procedure_code=body.procedure_code, unit_code=body.unit_code,
        channel=body.channel, applicant=body.applicant.model_dump(), official=who,
        note=body.note, on_behalf=body.on_behalf))


@router.get("/dossiers/{code}", tags=["Hồ sơ"])
def dossier(request: Request, code: str):
    """Hồ sơ đầy đủ: các bước, giấy tờ, nhật ký, thao tác được phép lúc này."""
    who = require_official(request)
    return to_json(uc.dossier_detail(request.app.state.ctx, code, who))


def _action_route(transition: Transition) -> None:
    """POST /dossiers/{code}/actions/<action> with the body its command's fields make."""
    model = body_model(transition)

    def endpoint(request, code, body=None):
        who = require_api_write(request)
        payload: dict[str, Any] = body.model_dump() if body is not None else {}
        return to_json(perform(request.app.state.ctx, code, transition.action.value, who,
                               payload))

    # real objects, not strings: the body model is local to this function
    endpoint.__annotations__ = {"request": Request, "code": str,
                                "body": Annotated[model | None, Body()]}
    endpoint.__name__ = f"act_{transition.action.value}"
    router.add_api_route(
        f"/dossiers/{{code}}/actions/{transition.action.value}", endpoint, methods=["POST"],
        tags=["Hồ sơ"], summary=transition.label,
        description=f"{transition.label}. Vai trò: {', '.join(sorted(r.label for r in transition.roles))}.")


for _transition in OFFICIAL_ACTIONS:
    _action_route(_transition)


@router.post("/dossiers/{code}/attachments", tags=["Hồ sơ"])
def attach(request: Request, code: str, kind: str = Form("input"),
           files: list[UploadFile] = File(...), doc_names: list[str] | None = Form(None)):
    """Đính kèm tệp PDF/JPEG/PNG (kiểm tra theo nội dung)."""
    ctx = request.app.state.ctx
    who = require_api_write(request)
    uploads = read_uploads(files, doc_names, ctx.settings.max_upload_bytes)
    return to_json(perform(ctx, code, "attach", who, {"kind": kind}, uploads))


@router.get("/dossiers/{code}/attachments/{attachment_id}", tags=["Hồ sơ"])
def attachment(request: Request, code: str,
               attachment_id: int = PathParam(..., ge=1, le=2_147_483_647)):
    who = require_official(request)
    filename, content_type, data = uc.attachment_file(request.app.state.ctx, code,
                                                      attachment_id, who)
    return file_response(data, filename, media_type=content_type)


@router.get("/corrections", tags=["Hồ sơ"])
def corrections(request: Request):
    """Đề nghị điều chỉnh thời điểm đang chờ lãnh đạo duyệt."""
    who = require_official(request)
    rows = lists.pending_corrections(request.app.state.ctx, who)
    return {"rows": [{"code": r.code, "seq": r.seq, "target": r.target.value,
                      "step": r.step_seq, "old_value": r.old_value.isoformat(),
                      "new_value": r.new_value.isoformat(), "reason": r.reason,
                      "evidence": r.evidence, "requested_by": r.requested_by}
                     for r in rows]}


@router.get("/transitions", tags=["Hồ sơ"])
def transitions():
    """Bảng chuyển trạng thái của hồ sơ."""
    return {"transitions": [t.as_dict() for t in TRANSITIONS],
            "statuses": {s.value: label for s, label in STATUS_LABELS.items()},
            "timeliness": {t.value: t.label for t in Timeliness}}


@router.get("/calendar/due", tags=["Lịch"])
def due(request: Request, from_: datetime = Query(..., alias="from"),
        days: int = Query(0, ge=0, le=365), cutoff: str | None = Query(None, max_length=5),
        mode: CountingMode = CountingMode.HOURS):
    """Tính ngày hẹn trả theo ngày làm việc."""
    return appointment(request.app.state.ctx.calendar, from_, {
        "working_days": days, "mode": mode.value, **({"cutoff": cutoff} if cutoff else {})})


# -- administration (role ``admin``) ---------------------------------------------------


def require_admin(request: Request):
    who = require_api_write(request)
    if not who.has_role(Role.ADMIN):
        raise PermissionDenied("Chỉ quản trị hệ thống được thực hiện thao tác này.")
    return who


class UnitIn(BaseModel):
    code: str = Field(..., max_length=40)
    name: str = Field(..., max_length=255)
    kind: UnitKind
    parent_code: str | None = Field(None, max_length=40)
    place_name: str = Field("", max_length=120)


class RenameIn(BaseModel):
    name: str = Field(..., max_length=255)
    valid_from: date


class MergeIn(BaseModel):
    sources: list[str] = Field(..., min_length=1)
    target: str
    valid_from: date


class OfficialIn(BaseModel):
    username: str = Field(..., max_length=64)
    full_name: str = Field(..., max_length=255)
    password: str = Field(..., min_length=8, max_length=200)
    roles: list[tuple[str, Role]] = Field(default_factory=list,
                                          description="[[mã đơn vị, vai trò], ...]")


@router.get("/units", tags=["Quản trị"])
def units(request: Request):
    """Cây đơn vị (mọi cán bộ đã đăng nhập)."""
    require_official(request)
    return {"rows": lists.unit_tree(request.app.state.ctx)}


@router.post("/units", tags=["Quản trị"], status_code=201)
def add_unit(request: Request, body: UnitIn):
    require_admin(request)
    unit = create_unit(request.app.state.ctx, **{**body.model_dump(), "kind": body.kind.value})
    return {"code": unit.code, "name": unit.name, "kind": unit.kind.value}


@router.post("/units/{code}/rename", tags=["Quản trị"])
def rename(request: Request, code: str, body: RenameIn):
    require_admin(request)
    rename_unit(request.app.state.ctx, code, body.name, body.valid_from)
    return {"code": code, "name": body.name, "valid_from": body.valid_from}


@router.post("/units/merge", tags=["Quản trị"])
def merge(request: Request, body: MergeIn):
    """Sáp nhập đơn vị: hồ sơ đang xử lý chuyển sang đơn vị kế thừa."""
    who = require_admin(request)
    moved = merge_units(request.app.state.ctx, body.sources, body.target, body.valid_from,
                        official=who)
    return {"moved_dossiers": moved}


@router.post("/procedures", tags=["Quản trị"])
def import_procedures(request: Request, body: Annotated[list[dict], Body()]):
    """Nhập thủ tục (định dạng như `motcua procedures export`); thay đổi thành phiên bản mới."""
    require_admin(request)
    try:
        procedures = [procedure_from_dict(p) for p in body]
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError(f"Thủ tục không hợp lệ: thiếu hoặc sai trường {exc}.") from exc
    created, unchanged = save_procedures(request.app.state.ctx, procedures)
    return {"new_versions": created, "unchanged": unchanged}


@router.post("/officials", tags=["Quản trị"], status_code=201)
def add_official(request: Request, body: OfficialIn):
    require_admin(request)
    official = create_official(request.app.state.ctx, username=body.username,
                               full_name=body.full_name, password=body.password,
                               roles=[(unit, role.value) for unit, role in body.roles])
    return {"id": official.id, "username": official.username,
            "roles": sorted([r.value for _, r in official.roles])}
