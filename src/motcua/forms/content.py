"""What the printed forms of Circular 03/2025/TT-VPCP (Appendix I) say, taken from the data.

One function gathers everything a dossier's forms 01-06 need; another the rows
of the log book (form 07) of a unit over a period. Rendering is elsewhere
(``motcua.printing``); nothing here is invented: a field without data is left
for the official to fill in by hand.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from motcua.domain.calendar import VN_TZ
from motcua.domain.dossiers import Action, Status, judge_timeliness
from motcua.domain.errors import IllegalTransition, ValidationError
from motcua.domain.submissions import SubmissionStatus
from motcua.domain.units import Unit, UnitKind
from motcua.services import postal
from motcua.services.context import Context

FORMS = {
    "01": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    "02": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    "03": "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
    "04": "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
    "05": "Thông báo dừng giải quyết hồ sơ",
    "06": "Phiếu kiểm soát quá trình giải quyết hồ sơ",
    "07": "Sổ theo dõi hồ sơ",
}


def agency_lines(uow, unit: Unit) -> tuple[str, str]:
    """The agency block: the governing body on top, the issuing unit below, in capitals."""
    def governed(u: Unit) -> str:
        name = u.name
        if u.kind is UnitKind.PROVINCE and not name.lower().startswith(("tỉnh", "thành phố")):
            name = f"Tỉnh {name}"
        if u.kind in (UnitKind.PROVINCE, UnitKind.COMMUNE, UnitKind.WARD):
            return f"UBND {name}".upper()
        return name.upper()

    parent = uow.units.by_id(unit.parent_id) if unit.parent_id else None
    return (governed(parent) if parent else "", governed(unit))


def result_document(ctx: Context, uow, dossier, official_name: str, *, title: str,
                    number: str, summary: str, body: str, position: str) -> dict:
    """What ``forms.pdf.render_result`` draws for a result written in motcua: the issuing
    unit's agency block and place, today's date, the applicant as addressee and first
    recipient, the dossier kept on file, the signer "TM." the People's Committee."""
    unit = uow.units.by_id(dossier.unit_id)
    agency = agency_lines(uow, unit)
    committee = unit.kind in (UnitKind.PROVINCE, UnitKind.COMMUNE, UnitKind.WARD)
    return {"code": dossier.code, "unit_name": unit.name, "agency": agency,
            "place": place_of(ctx, uow, unit), "day": ctx.clock.now().astimezone(VN_TZ),
            "number": number, "title": title, "summary": summary, "body": body,
            "addressee": f"Ông/Bà {dossier.applicant_name}",
            "recipients": [f"Ông/Bà {dossier.applicant_name}",
                           f"Lưu: VT, hồ sơ {dossier.code}"],
            "on_behalf": f"TM. {agency[1]}" if committee else "", "position": position.upper(),
            "signer": official_name}


def place_of(ctx: Context, uow, unit: Unit) -> str:
    """The place name written before the date: the unit's own (a commune's name without
    "Xã"/"Phường"), else its parent's, else the province's seat from settings."""
    if unit.place_name:
        return unit.place_name
    if unit.kind in (UnitKind.COMMUNE, UnitKind.WARD) and " " in unit.name:
        return unit.name.split(" ", 1)[1]  # "Xã Hòa Phú" writes "Hòa Phú, ngày ..."
    if unit.parent_id:
        parent = uow.units.by_id(unit.parent_id)
        if parent.place_name:
            return parent.place_name
    return ctx.settings.place_name


def _vn(value: datetime | None) -> datetime | None:
    return value.astimezone(VN_TZ) if value else None


def _rating(finished: datetime | None, deadline: datetime) -> str:
    if finished is None:
        return ""
    return judge_timeliness(finished, deadline).label


def dossier_forms(ctx: Context, code: str) -> dict:
    """Everything forms 01-06 print for one dossier (times in Vietnam time)."""
    with ctx.uow() as uow:
        dossier = uow.dossiers.get(code)
        procedure = uow.procedures.by_id(dossier.procedure_id)
        unit = uow.units.by_id(dossier.unit_id)
        events = list(uow.audit.events(dossier.id, dossier.code))
        unit_names = {}

        def unit_name(unit_id: int, on: datetime) -> str:
            key = (unit_id, on.date())
            if key not in unit_names:
                unit_names[key] = uow.units.name_on(unit_id, on.astimezone(VN_TZ).date())
            return unit_names[key]

        received_by = next((e.actor_name for e in events if e.action == Action.RECEIVE), "")
        handoffs = []
        completions = {}
        for e in events:
            if e.action == Action.COMPLETE_STEP:
                completions.setdefault(e.data.get("step"), []).append(e)
        previous_unit = unit_name(dossier.unit_id, dossier.received_at)
        for step in dossier.steps:
            done = completions.get(step.seq, [])
            handoffs.append({
                "seq": step.seq, "name": step.name,
                "from_unit": previous_unit if step.seq > 1 else "Người nộp hồ sơ",
                "to_unit": unit_name(step.unit_id, step.started_at or dossier.received_at),
                "received_at": _vn(step.started_at),
                "finished_at": _vn(step.finished_at),
                "planned_deadline": _vn(step.planned_deadline),
                "handed_by": done[-1].actor_name if done else "",
                "rating": _rating(step.finished_at, step.planned_deadline),
                "send_backs": step.send_backs,
            })
            previous_unit = handoffs[-1]["to_unit"]
        returned_by = next((e.actor_name for e in reversed(events)
                            if e.action == Action.RETURN), "")
        agency = agency_lines(uow, unit)
        data = {
            "code": dossier.code,
            "sequence": dossier.code.rsplit("-", 1)[-1],
            "status": dossier.status,
            "status_label": dossier.status.label,
            "unit_name": unit_name(dossier.unit_id, dossier.received_at),
            "agency": agency,
            "place": place_of(ctx, uow, unit),
            "procedure_code": procedure.code,
            "procedure_name": procedure.name,
            "deadline_text": procedure.deadline.describe(),
            "documents": [(d.name, d.copies) for d in procedure.documents],
            "fee": procedure.fee,
            "result_type": procedure.result_type,
            "channel": dossier.channel.label,
            "applicant": {"name": dossier.applicant_name, "id_number": dossier.applicant_id_number,
                          "phone": dossier.applicant_phone, "email": dossier.applicant_email,
                          "address": dossier.applicant_address},
            "received_at": _vn(dossier.received_at),
            "appointment_at_receipt": _vn(dossier.appointment_at_receipt),
            "appointment": _vn(dossier.appointment),
            # Decree 118/2025: the appointment a complete supplement set, before any extension
            "appointment_before_extension": _vn(dossier.appointment_after_supplement
                                                or dossier.appointment_at_receipt),
            "due": _vn(dossier.due),
            "extended": dossier.extended,
            "extension_reason": dossier.extension_reason,
            "close_reason": dossier.close_reason,
            "received_by": received_by,
            "returned_at": _vn(dossier.returned_at),
            "returned_by": returned_by,
            "result_ready_at": _vn(dossier.result_ready_at),
            "timeliness": dossier.timeliness.label if dossier.timeliness else "",
            "supplements": [{"seq": s.seq, "requested_at": _vn(s.requested_at),
                             "missing": list(s.missing), "reason": s.reason,
                             "supplemented_at": _vn(s.supplemented_at)}
                            for s in dossier.supplements],
            "extension_event": next(({"at": _vn(e.at), "by": e.actor_name} for e in events
                                     if e.action == Action.EXTEND), None),
            "close_event": next(({"at": _vn(e.at), "by": e.actor_name} for e in reversed(events)
                                 if e.action in (Action.REFUSE, Action.STOP)), None),
            "handoffs": handoffs,
            # Form 06 notes the postal hand-overs: desk to postman, postman to receiver
            "postal": [{"from": h.from_party, "to": h.to_party, "signer": h.signer_name,
                        "at": _vn(h.at), "tracking_number": sh.tracking_number}
                       for sh in postal.of_dossier(uow, dossier.code) for h in sh.handovers],
            "tracking_url": f"{ctx.settings.public_url}/tra-cuu?ma={dossier.code}",
        }
    return data


def applicable(data) -> list[str]:
    """The forms a dossier's history gives content to (01 and 06 always).

    ``data`` is this module's form data or the dossier page's detail: both have
    ``status``, ``supplements`` and ``extended``.
    """
    def get(name: str):
        return data[name] if isinstance(data, dict) else getattr(data, name)

    forms = ["01"]
    if get("supplements"):
        forms.append("02")
    if get("status") == Status.REFUSED:
        forms.append("03")
    if get("extended"):
        forms.append("04")
    if get("status") == Status.STOPPED:
        forms.append("05")
    return [*forms, "06"]


def require_form(data: dict, form: str) -> None:
    if form not in FORMS or form == "07":
        raise ValidationError("Mẫu phiếu phải là 01 đến 06 (mẫu 07 là sổ theo dõi của đơn vị).")
    if form not in applicable(data):
        reasons = {"02": "chưa có yêu cầu bổ sung", "03": "không bị từ chối",
                   "04": "chưa được gia hạn", "05": "không bị dừng giải quyết"}
        raise IllegalTransition(f"Không in được mẫu {form} ({FORMS[form].lower()}): hồ sơ "
                                f"{data['code']} {reasons[form]}.")


def log_book(ctx: Context, unit_code: str, first: date, last: date) -> dict:
    """Form 07: every dossier a unit received from ``first`` to ``last`` (inclusive)."""
    if last < first:
        raise ValidationError("Ngày kết thúc phải sau ngày bắt đầu.")
    start = datetime.combine(first, time.min, VN_TZ)
    end = datetime.combine(last + timedelta(days=1), time.min, VN_TZ)
    with ctx.uow() as uow:
        unit = uow.units.by_code(unit_code)
        rows = uow.dossiers.received_between(unit.id, start, end)
        agency = agency_lines(uow, unit)
        place = place_of(ctx, uow, unit)
        names = {}

        def name(unit_id: int) -> str:
            if unit_id not in names:
                names[unit_id] = uow.units.name_on(unit_id, last)
            return names[unit_id]

        entries = []
        for d in rows:
            lead = next((s for s in reversed(d.steps) if s.role in ("signer", "head")),
                        d.steps[-1])
            first_hand_over = d.steps[0].finished_at if d.steps else None
            entries.append({
                "code": d.code, "procedure": uow.procedures.by_id(d.procedure_id).name,
                "applicant": d.applicant_name,
                "contact": ", ".join(x for x in (d.applicant_address, d.applicant_phone) if x),
                "lead_unit": name(lead.unit_id), "received_at": _vn(d.received_at),
                "appointment": _vn(d.appointment),
                "handed_over": _vn(first_hand_over),
                "result_or_supplement": _vn(d.result_ready_at or (
                    d.supplements[-1].requested_at if d.supplements else None)),
                "returned_at": _vn(d.returned_at),
                "note": d.status.label + (f" · {d.timeliness.label}" if d.timeliness else ""),
            })
    return {"unit_name": unit.name, "agency": agency, "place": place, "first": first,
            "last": last, "rows": entries}


def refused_filing_form(ctx: Context, ref: str) -> dict:
    """What Form 03 prints for an online filing the desk refused: the filing's reference
    stands for the code (it never became a dossier), the refusal's reason and officer."""
    with ctx.uow() as uow:
        filing = uow.submissions.get(ref)
        if filing.status is not SubmissionStatus.DECLINED:
            raise IllegalTransition(f"Hồ sơ trực tuyến {filing.ref} không bị từ chối tiếp nhận.")
        unit = uow.units.by_id(filing.unit_id)
        procedure = uow.procedures.by_id(filing.procedure_id)
        a = filing.applicant
        return {
            "code": filing.ref, "sequence": filing.ref.rsplit("-", 1)[-1],
            "unit_name": uow.units.name_on(unit.id, _vn(filing.submitted_at).date()),
            "agency": agency_lines(uow, unit), "place": place_of(ctx, uow, unit),
            "tracking_url": f"{ctx.settings.public_url}/tra-cuu?ma={filing.ref}",
            "procedure_name": procedure.name, "procedure_code": procedure.code,
            "applicant": {"name": a.get("name", ""), "id_number": a.get("id_number", ""),
                          "phone": a.get("phone") or "", "email": a.get("email") or "",
                          "address": a.get("address") or ""},
            "close_event": {"at": _vn(filing.decided_at), "by": filing.decided_by_name},
            "close_reason": filing.reason,
        }
