"""Officials' pages: login, inbox, the dossier page with its allowed actions, desk receipt,
fast hand-over by code, and the heads' queue of time corrections."""

from __future__ import annotations

import secrets
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from motcua.collation import vi_sorted
from motcua.domain.dossiers import Action
from motcua.domain.errors import (
    MotcuaError,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
    ValidationError,
)
from motcua.domain.notifications import TEMPLATE_LABELS
from motcua.domain.units import Role
from motcua.forms import content as printing
from motcua.forms.content import FORMS
from motcua.forms.pdf import render_form, render_log_book
from motcua.reports import inbox as inbox_report
from motcua.reports import lists
from motcua.reports.inbox import VIEWS
from motcua.services import (
    digitisation,
    notifications,
    payments,
    population,
    postal,
    submissions,
)
from motcua.services import dossiers as uc
from motcua.services.officials import (
    change_password,
    close_session,
    open_session,
    sign_in,
)
from motcua.web.actions import form_fields, perform, read_uploads
from motcua.web.common import birth_year as parse_birth_year
from motcua.web.common import (
    check_csrf,
    client_address,
    desk_channel,
    file_response,
    flash,
    notify_choice,
    page,
    parse_instant,
    require_official,
    result_by_post,
    result_choice,
    result_electronic,
    vn_datetime,
)

router = APIRouter(include_in_schema=False)


def _safe_next(target: str) -> str:
    safe = target.startswith("/") and not target.startswith("//") and "\\" not in target
    return target if safe else "/hop-thu"


@router.get("/dang-nhap", response_class=HTMLResponse)
def login_form(request: Request, tiep: str = "/hop-thu"):
    return page(request, "login.html", error=None, next=_safe_next(tiep))


@router.post("/dang-nhap", response_class=HTMLResponse)
def login(request: Request, username: str = Form("", max_length=64),
          password: str = Form("", max_length=256), csrf: str = Form("", max_length=64),
          next: str = Form("/hop-thu", max_length=500)):
    ctx = request.app.state.ctx
    target = _safe_next(next)
    if not secrets.compare_digest(csrf, request.session.get("csrf", "")):
        return page(request, "login.html", status_code=400, next=target,
                    error="Phiên làm việc đã hết hạn; vui lòng tải lại trang và đăng nhập.")
    try:
        found = sign_in(ctx, username, password, client_address(request))
    except TooManyAttempts as exc:
        return page(request, "login.html", status_code=429, next=target, error=exc.message)
    if found is None:  # counted as a failure
        return page(request, "login.html", status_code=401, next=target,
                    error="Tên đăng nhập hoặc mật khẩu không đúng.")
    _sign_in(request, found)
    return RedirectResponse(target, status_code=303)


def _sign_in(request: Request, official) -> None:
    """A fresh session (a new cookie, a new CSRF token) kept in the database."""
    token = open_session(request.app.state.ctx, official)
    request.session.clear()
    request.session.update(official_id=official.id, sid=token, name=official.full_name,
                           roles=sorted({r.value for _, r in official.roles}),
                           csrf=secrets.token_urlsafe(24))


@router.post("/dang-xuat")
def logout(request: Request, csrf: str = Form("", max_length=64)):
    check_csrf(request, csrf)
    close_session(request.app.state.ctx, request.session.get("sid", ""))
    request.session.clear()
    return RedirectResponse("/dang-nhap", status_code=303)


@router.get("/doi-mat-khau", response_class=HTMLResponse)
def password_form(request: Request):
    require_official(request)
    return page(request, "password.html", error=None)


@router.post("/doi-mat-khau", response_class=HTMLResponse)
def password_change(request: Request, csrf: str = Form("", max_length=64),
                    current: str = Form("", max_length=256), new: str = Form("", max_length=256),
                    repeat: str = Form("", max_length=256)):
    who = require_official(request)
    check_csrf(request, csrf)
    try:
        change_password(request.app.state.ctx, who, current, new, repeat)
    except MotcuaError as exc:
        return page(request, "password.html", status_code=422, error=exc.message)
    _sign_in(request, who)  # every other session has ended
    flash(request, "Đã đổi mật khẩu; các phiên đăng nhập khác của tài khoản đã kết thúc.")
    return RedirectResponse("/hop-thu", status_code=303)


@router.get("/hop-thu", response_class=HTMLResponse)
def inbox(request: Request, q: str = Query("", max_length=200),
          view: str = Query("", alias="loc", max_length=32),
          page_number: int = Query(1, alias="trang", ge=1, le=100_000)):
    who = require_official(request)
    found = inbox_report.inbox(request.app.state.ctx, who, q, view, page_number)
    return page(request, "inbox.html", found=found, rows=found.rows, q=q, loc=view,
                views=VIEWS, who=who, counts=found.counts)


@router.get("/ho-so/{code}", response_class=HTMLResponse)
def dossier_page(request: Request, code: str, in_: str = Query("", alias="in")):
    ctx = request.app.state.ctx
    who = require_official(request)
    detail = uc.dossier_detail(ctx, code, who)
    step = detail.steps[detail.current_step - 1] if detail.current_step else None
    colleagues = lists.assignable(ctx, step.unit if step else None)
    messages, escalations = notifications.dossier_messages(ctx, detail.code)
    return page(request, "dossier.html", d=detail, colleagues=colleagues, Action=Action,
                messages=messages, escalations=escalations, template_labels=TEMPLATE_LABELS,
                shipments=postal.dossier_shipments(ctx, detail.code),
                unit_names=lists.unit_names(ctx, (s.unit for s in detail.steps)),
                confirmed=CONFIRMED, scans=digitisation.dossier_scans(ctx, detail.code, who),
                population_checks=population.checks(ctx, detail.code),
                fee=payments.fee_state(ctx, detail.code), payment_labels=payments.STATUS_LABELS,
                method_labels=payments.METHOD_LABELS, desk_methods=payments.DESK_METHODS,
                population_labels=population.LABELS,
                forms=[(f, FORMS[f]) for f in printing.applicable(detail)],
                auto_print=in_ if in_ == "01" else "")


@router.get("/ho-so/{code}/in/{form}")
def print_form(request: Request, code: str, form: str):
    """A Circular 03/2025 form for this dossier as a PDF (opened by the browser to print)."""
    ctx = request.app.state.ctx
    who = require_official(request)
    code = uc.ensure_may_view(ctx, code, who)
    data = printing.dossier_forms(ctx, code)
    printing.require_form(data, form)
    return file_response(render_form(data, form), f"mau-{form}-{code}.pdf", inline=True)


@router.get("/so-theo-doi")
def log_book(request: Request, unit_code: str = Query("", alias="don_vi", max_length=40),
             first_day: str = Query("", alias="tu", max_length=10),
             last_day: str = Query("", alias="den", max_length=10)):
    """Form 07, the log book of one of the official's units, as a PDF."""
    ctx = request.app.state.ctx
    who = require_official(request)
    units = {u.code for u in lists.units_of(ctx, who)}
    if not unit_code or not first_day or not last_day:
        return page(request, "log_book.html", units=sorted(units), don_vi=unit_code,
                    tu=first_day, den=last_day)
    if unit_code not in units:
        raise PermissionDenied("Chỉ in được sổ theo dõi của đơn vị mình.")
    first, last = (parse_instant(x, label).date() for x, label in ((first_day, "Từ ngày"),
                                                                    (last_day, "Đến ngày")))
    pdf = render_log_book(printing.log_book(ctx, unit_code, first, last))
    return file_response(pdf, f"so-theo-doi-{unit_code}.pdf", inline=True)


@router.post("/ho-so/{code}/thao-tac")
async def act(request: Request, code: str):
    """Any action's form: its fields are the command's (``web.actions.form_fields``)."""
    ctx = request.app.state.ctx
    form = await request.form()
    action = str(form.get("action") or "")
    back = str(form.get("back") or "")
    target_page = _safe_next(back) if back else f"/ho-so/{quote(code)}"

    who = await run_in_threadpool(require_official, request)
    check_csrf(request, str(form.get("csrf") or ""))

    def run() -> dict:
        payload = {name: form.get(name) for name in form_fields(action)}
        files = [f for f in form.getlist("files") if not isinstance(f, str)]
        uploads = read_uploads(files, None, ctx.settings.max_upload_bytes)
        return perform(ctx, code, action, who, payload, uploads)

    if action in CONFIRMED and form.get("xac_nhan") != "1":
        flash(request, "Hãy đánh dấu ô xác nhận trước khi "
                        f"{request.app.state.templates.env.globals['action_labels'][action].lower()}"
                        "; thao tác này không hoàn tác được.", "error")
        return RedirectResponse(target_page, status_code=303)
    try:
        view = await run_in_threadpool(run)
    except MotcuaError as exc:
        flash(request, exc.message, "error")
        return RedirectResponse(target_page, status_code=303)
    label = request.app.state.templates.env.globals["action_labels"].get(action, action)
    where = await run_in_threadpool(_where, ctx, view)
    flash(request, f"Đã thực hiện “{label}” cho hồ sơ {view.code}: {where}.")
    return RedirectResponse(target_page, status_code=303)


CONFIRMED = ("refuse", "stop", "withdraw")  # ends the dossier: the form asks to confirm


def _where(ctx, view) -> str:
    """Where the dossier is now, in words: the step and the unit holding it, or its state."""
    if view.status == "in_progress":
        step = view.steps[view.current_step - 1]
        unit = lists.unit_names(ctx, [step.unit])[step.unit]
        return f"đang ở bước {view.current_step}: {step.name} ({unit})"
    if view.status == "result_ready":
        return "đã có kết quả, chờ trả tại bộ phận một cửa"
    return view.status_label.lower()


@router.get("/ho-so/{code}/tep/{attachment_id}")
def attachment(request: Request, code: str,
               attachment_id: int = PathParam(..., ge=1, le=2_147_483_647)):
    who = require_official(request)
    filename, content_type, data = uc.attachment_file(request.app.state.ctx, code,
                                                      attachment_id, who)
    return file_response(data, filename, inline=True, media_type=content_type)


def _receipt_form(request: Request, who, status_code=200, error=None, values=None,
                  search: str = ""):
    ctx = request.app.state.ctx
    values = values or {}
    found = lists.search_procedures(ctx, search) if search.strip() else None
    procedures = found.rows if found else vi_sorted(lists.current_procedures(ctx),
                                                    key=lambda p: p.name)
    if found and len(found.rows) == 1 and not values.get("procedure_code"):
        values["procedure_code"] = found.rows[0].code
    chosen = None
    if values.get("procedure_code"):
        try:
            chosen = lists.procedure(ctx, values["procedure_code"])
        except NotFound:
            chosen = None
    units = lists.units_of(ctx, who, Role.DESK)
    return page(request, "receive.html", status_code=status_code, procedures=procedures,
                **result_choice(ctx),
                chosen=chosen, search=search, units=units, error=error, values=values,
                population=bool(ctx.settings.population_url),
                max_mb=ctx.settings.max_upload_mb)


@router.get("/tiep-nhan", response_class=HTMLResponse)
def receipt_form(request: Request,
                 procedure_code: str = Query("", alias="thu_tuc", max_length=40),
                 search: str = Query("", alias="tim", max_length=200)):
    who = require_official(request)
    return _receipt_form(request, who, values={"procedure_code": procedure_code,
                                               "print_now": "1"}, search=search)


def _checklist(procedure, received: list[str]) -> str:
    """The documents checked at the desk, for the record; refuses a receipt without a
    required one (Decree 118/2025 art. 15: the desk guides the applicant to complete
    the dossier first, with Form 02)."""
    missing = [d.name for d in procedure.documents if d.required and d.name not in received]
    if missing:
        raise ValidationError("Chưa đủ thành phần hồ sơ bắt buộc: " + "; ".join(missing)
                              + ". Hướng dẫn người nộp bổ sung (Mẫu 02) trước khi tiếp nhận, "
                                "hoặc đánh dấu giấy tờ đã nhận.")
    return "Giấy tờ đã kiểm tra khi tiếp nhận: " + "; ".join(received) if received else ""


@router.post("/tiep-nhan", response_class=HTMLResponse)
def receive(request: Request, csrf: str = Form(""), procedure_code: str = Form(""),
            unit_code: str = Form(""), channel: str = Form("desk"), kind: str = Form("person"),
            name: str = Form(""), id_number: str = Form(""), birth_year: str = Form(""),
            phone: str = Form(""), email: str = Form(""), address: str = Form(""),
            on_behalf: str = Form(""), note: str = Form(""), payment_method: str = Form("cash"),
            files: list[UploadFile] | None = File(None),
            doc_names: list[str] | None = Form(None), print_now: str = Form(""),
            checked: str = Form("", alias="kiem_tra"),
            received: list[str] | None = Form(None, alias="giay_to"),
            first_channel: str = Form("", alias="kenh", max_length=8),
            consent: str = Form("", alias="dong_y", max_length=1),
            result_choice: str = Form("", alias="nhan_kq", max_length=12),
            result_address: str = Form("", alias="kq_dia_chi", max_length=255),
            result_commune: str = Form("", alias="kq_xa", max_length=8),
            result_phone: str = Form("", alias="kq_dien_thoai", max_length=20),
            inbound_number: str = Form("", alias="so_buu_gui_den", max_length=40),
            paper_checked: str = Form("", alias="kiem_tra_giay_to", max_length=1)):
    ctx = request.app.state.ctx
    who = require_official(request)
    check_csrf(request, csrf)
    values = {"procedure_code": procedure_code, "unit_code": unit_code, "channel": channel,
              "kind": kind, "name": name, "id_number": id_number, "birth_year": birth_year,
              "phone": phone, "email": email, "address": address, "on_behalf": on_behalf,
              "note": note, "payment_method": payment_method, "print_now": print_now,
              "received": received or [], "kenh": first_channel, "dong_y": consent,
              "nhan_kq": result_choice, "kq_dia_chi": result_address, "kq_xa": result_commune,
              "kq_dien_thoai": result_phone, "so_buu_gui_den": inbound_number,
              "kiem_tra_giay_to": paper_checked}
    try:
        if checked:
            procedure = lists.procedure(ctx, procedure_code)
            listed = _checklist(procedure, [r[:500] for r in (received or [])])
            note = "; ".join(filter(None, [note, listed]))[:2000]
        applicant = {"kind": kind, "id_number": id_number, "name": name, "phone": phone,
                     "email": email, "address": address, "birth_year": parse_birth_year(birth_year)}
        uploads = read_uploads(files, doc_names, ctx.settings.max_upload_bytes)
        verdict = population.check_at_receipt(ctx, applicant, bool(paper_checked))
        filled = bool(verdict and verdict.result == "khop" and verdict.address
                      and not address.strip())
        if filled:
            applicant["address"] = verdict.address
        hooks = (postal.filing_hook(ctx, result_by_post(values, applicant),
                                    inbound_number if channel == "postal" else "", who,
                                    electronic=result_electronic(values)),
                 population.recorder(ctx, verdict, address_filled=filled,
                                     paper_checked=bool(paper_checked), official=who))
        view = uc.receive_dossier(ctx, procedure_code=procedure_code, unit_code=unit_code,
                                  channel=desk_channel(channel),
                                  applicant=applicant, official=who, note=note,
                                  on_behalf=bool(on_behalf), uploads=uploads,
                                  payment_method=payment_method,
                                  notify=notify_choice(first_channel, consent),
                                  with_dossier=lambda uow, d: [h(uow, d) for h in hooks if h])
    except (MotcuaError, ValueError) as exc:
        return _receipt_form(request, who, 422, exc, values)
    flash(request, f"Đã tiếp nhận hồ sơ {view.code}; hẹn trả kết quả "
                    f"{vn_datetime(view.appointment)}.")
    auto = "?in=01" if print_now or ctx.settings.print_receipt else ""
    return RedirectResponse(f"/ho-so/{view.code}{auto}", status_code=303)


@router.get("/ban-giao", response_class=HTMLResponse)
def handover_form(request: Request):
    require_official(request)
    return page(request, "handover.html", done=request.session.pop("handover", []))


@router.post("/ban-giao")
def handover(request: Request, csrf: str = Form(""), code: str = Form("")):
    """Typing or scanning a code completes the holder's current step and forwards it."""
    ctx = request.app.state.ctx
    who = require_official(request)
    check_csrf(request, csrf)
    try:
        view = uc.hand_over(ctx, code.strip(), who)
        flash(request, f"Hồ sơ {view.code}: {_where(ctx, view)}.")
    except MotcuaError as exc:
        flash(request, f"{code.strip() or '(trống)'}: {exc.message}", "error")
    return RedirectResponse("/ban-giao", status_code=303)


@router.get("/dieu-chinh", response_class=HTMLResponse)
def corrections(request: Request):
    """The heads' queue of time corrections waiting for approval."""
    who = require_official(request)
    rows = lists.pending_corrections(request.app.state.ctx, who)
    return page(request, "corrections.html", rows=rows, who=who,
                may_decide=bool(who.units_with(Role.HEAD, Role.SIGNER)))


# -- online filings waiting for the desk ------------------------------------------------------

@router.get("/cho-tiep-nhan", response_class=HTMLResponse)
def waiting_filings(request: Request):
    """Online filings waiting at the official's desks, oldest first."""
    who = require_official(request)
    rows = submissions.waiting(request.app.state.ctx, who)
    return page(request, "filings.html", rows=rows)


@router.get("/cho-tiep-nhan/{ref}", response_class=HTMLResponse)
def filing_page(request: Request, ref: str = PathParam(..., max_length=60)):
    who = require_official(request)
    view = submissions.for_desk(request.app.state.ctx, ref, who)
    return page(request, "filing.html", s=view, error=None,
                shipments=postal.dossier_shipments(request.app.state.ctx, view.ref))


@router.get("/cho-tiep-nhan/{ref}/tep/{index}")
def filing_file(request: Request, ref: str = PathParam(..., max_length=60),
                index: int = PathParam(..., ge=0, le=1000)):
    who = require_official(request)
    filename, content_type, data = submissions.file_of(request.app.state.ctx, ref, index, who)
    return file_response(data, filename, inline=True, media_type=content_type)


@router.get("/cho-tiep-nhan/{ref}/in/03")
def refused_filing_pdf(request: Request, ref: str = PathParam(..., max_length=60)):
    """Form 03 for a refused online filing, for the desk to hand or send to the applicant."""
    ctx = request.app.state.ctx
    who = require_official(request)
    submissions.for_desk(ctx, ref, who)  # the desk of the filing's unit only
    data = printing.refused_filing_form(ctx, ref)
    return file_response(render_form(data, "03"), f"mau-03-{ref}.pdf", inline=True)


@router.post("/cho-tiep-nhan/{ref}/tiep-nhan")
def accept_filing(request: Request, ref: str = PathParam(..., max_length=60),
                  csrf: str = Form("", max_length=64)):
    """Accept: the dossier is received now and its receipt (Form 01) printed."""
    ctx = request.app.state.ctx
    who = require_official(request)
    check_csrf(request, csrf)
    view = submissions.accept(ctx, ref, who)
    flash(request, f"Đã tiếp nhận hồ sơ trực tuyến {ref}: mã hồ sơ {view.code}, hẹn trả "
                    f"kết quả {vn_datetime(view.appointment)}.")
    auto = "?in=01" if ctx.settings.print_receipt else ""
    return RedirectResponse(f"/ho-so/{view.code}{auto}", status_code=303)


@router.post("/cho-tiep-nhan/{ref}/tu-choi", response_class=HTMLResponse)
def decline_filing(request: Request, ref: str = PathParam(..., max_length=60),
                   csrf: str = Form("", max_length=64), reason: str = Form("", max_length=2000)):
    """Refuse with the reason the citizen reads (Form 03)."""
    ctx = request.app.state.ctx
    who = require_official(request)
    check_csrf(request, csrf)
    try:
        submissions.decline(ctx, ref, who, reason)
    except MotcuaError as exc:
        return page(request, "filing.html", status_code=422,
                    s=submissions.for_desk(ctx, ref, who), error=exc.message)
    flash(request, f"Đã từ chối tiếp nhận hồ sơ trực tuyến {ref}; người nộp thấy lý do khi "
                    "tra cứu. In Mẫu 03 để gửi người nộp.")
    return RedirectResponse(f"/cho-tiep-nhan/{quote(ref)}", status_code=303)
