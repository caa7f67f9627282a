"""What the dossier use cases return: typed views of a dossier, with instants as
timezone-aware datetimes and enums as enums.

Formatting happens at the edges: ``motcua.serialize.to_json`` for the API, the
command line and replay (ISO 8601 in Vietnam time), Jinja filters for the pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from motcua.domain.dossiers import Dossier
from motcua.domain.lifecycle import Status
from motcua.domain.procedures import Channel
from motcua.domain.timeliness import Timeliness


@dataclass(frozen=True)
class StepView:
    seq: int
    name: str
    unit: str
    role: str
    planned_deadline: datetime
    started_at: datetime | None
    finished_at: datetime | None
    allocated_minutes: int
    worked_minutes: int
    overran: bool | None
    behind_schedule: bool | None
    assignee_id: int | None = None


@dataclass(frozen=True)
class AppointmentChange:
    """One appointment the citizen was given: at ``receipt``, after a complete
    ``supplement`` (Decree 118/2025 art. 19(5)), after an ``extension`` (Form 04)."""

    kind: str
    appointment: datetime


@dataclass(frozen=True)
class DossierView:
    """A dossier as officials, the API, the command line and replay see it."""

    code: str
    status: Status
    status_label: str
    procedure_id: int
    unit: str
    channel: Channel
    applicant_name: str
    received_at: datetime
    effective_receipt: datetime
    appointment_at_receipt: datetime
    due: datetime
    appointment: datetime
    paused_minutes: int
    result_ready_at: datetime | None
    returned_at: datetime | None
    timeliness: Timeliness | None
    supplement_requests: int
    extended: bool
    appointment_history: tuple[AppointmentChange, ...]
    extension_until: datetime | None
    closable_from: datetime | None
    payment_method: str
    paid_online: bool
    satisfaction: int | None
    current_step: int | None
    allowed_actions: tuple[str, ...]
    steps: tuple[StepView, ...]
    note: str = ""  # the desk's note at receipt (with the documents checked there)


@dataclass(frozen=True)
class DossierDetail(DossierView):
    """Everything the dossier page shows an official."""

    actions: tuple[str, ...] = ()
    applicant: dict[str, Any] = field(default_factory=dict)
    filed_by_id: int | None = None
    close_reason: str = ""
    extension_reason: str = ""
    attachments: tuple[dict, ...] = ()
    supplements: tuple[dict, ...] = ()
    corrections: tuple[dict, ...] = ()
    events: tuple[dict, ...] = ()


@dataclass(frozen=True)
class PublicView:
    """What a citizen sees of a dossier without an account: no internal ids, no one's
    assignment, and what is missing when a supplement is awaited."""

    code: str
    status: Status
    status_label: str
    unit: str
    channel: Channel
    applicant_name: str
    received_at: datetime
    appointment: datetime
    appointment_history: tuple[AppointmentChange, ...]
    result_ready_at: datetime | None
    returned_at: datetime | None
    timeliness: Timeliness | None
    extended: bool
    current_step: int | None
    steps: tuple[StepView, ...]
    rated: bool
    missing: tuple[str, ...]
    tracking_url: str
    fee: str = ""
    procedure_name: str = ""
    unit_name: str = ""
    supplement_reason: str = ""
    # files the applicant sent online since the last supplement request: (document, file
    # name, when), waiting for the desk to confirm
    supplied: tuple[tuple[str, str, datetime], ...] = ()


def dossier_view(uow, dossier: Dossier, cal) -> DossierView:
    return DossierView(**_fields(uow, dossier, cal))


def _history(dossier: Dossier) -> tuple[AppointmentChange, ...]:
    history = [AppointmentChange("receipt", dossier.appointment_at_receipt)]
    if dossier.appointment_after_supplement is not None:
        history.append(AppointmentChange("supplement", dossier.appointment_after_supplement))
    if dossier.extended:
        history.append(AppointmentChange("extension", dossier.appointment))
    return tuple(history)


def _steps(uow, dossier: Dossier, private: bool = True) -> tuple[StepView, ...]:
    code_of = uow.units.code_of
    return tuple(StepView(s.seq, s.name, code_of(s.unit_id), s.role, s.planned_deadline,
                          s.started_at, s.finished_at, s.allocated_seconds // 60,
                          s.worked_seconds // 60, s.overran, s.behind_schedule,
                          s.assignee_id if private else None)
                 for s in dossier.steps)


def _fields(uow, dossier: Dossier, cal) -> dict[str, Any]:
    open_ = dossier.status.is_open
    return {
        "code": dossier.code, "status": dossier.status, "status_label": dossier.status.label,
        "procedure_id": dossier.procedure_id, "unit": uow.units.code_of(dossier.unit_id),
        "channel": dossier.channel, "applicant_name": dossier.applicant_name,
        "received_at": dossier.received_at, "effective_receipt": dossier.effective_receipt,
        "appointment_at_receipt": dossier.appointment_at_receipt, "due": dossier.due,
        "appointment": dossier.appointment, "paused_minutes": dossier.paused_seconds // 60,
        "result_ready_at": dossier.result_ready_at, "returned_at": dossier.returned_at,
        "timeliness": dossier.timeliness, "supplement_requests": dossier.supplement_requests,
        "extended": dossier.extended, "appointment_history": _history(dossier),
        "extension_until": dossier.extension_deadline(cal)
        if open_ and not dossier.extended else None,
        "closable_from": dossier.closable_from(cal),
        "payment_method": dossier.payment_method, "paid_online": dossier.paid_online,
        "satisfaction": dossier.satisfaction,
        "current_step": dossier.current_step if open_ else None,
        "allowed_actions": tuple(a.value for a in dossier.allowed_actions()),
        "steps": _steps(uow, dossier), "note": dossier.note,
    }


def detail_view(uow, dossier: Dossier, cal, **extra: Any) -> DossierDetail:
    return DossierDetail(**_fields(uow, dossier, cal), **extra)


def public_view(uow, dossier: Dossier, tracking_url: str) -> PublicView:
    awaited = dossier.supplements and dossier.status is Status.AWAITING_SUPPLEMENT
    supplied = ()
    if awaited:
        since = dossier.supplements[-1].requested_at
        supplied = tuple((a.name, a.filename, a.uploaded_at)
                         for a in uow.attachments.for_dossier(dossier.id)
                         if a.kind == "supplement" and a.uploaded_at >= since)
    return PublicView(
        procedure_name=dossier.procedure.name, fee=dossier.procedure.fee,
        unit_name=uow.units.by_id(dossier.unit_id).name,
        supplement_reason=dossier.supplements[-1].reason if awaited else "",
        supplied=supplied,
        code=dossier.code, status=dossier.status, status_label=dossier.status.label,
        unit=uow.units.code_of(dossier.unit_id), channel=dossier.channel,
        applicant_name=dossier.applicant_name, received_at=dossier.received_at,
        appointment=dossier.appointment, appointment_history=_history(dossier),
        result_ready_at=dossier.result_ready_at, returned_at=dossier.returned_at,
        timeliness=dossier.timeliness, extended=dossier.extended,
        current_step=dossier.current_step if dossier.status.is_open else None,
        steps=_steps(uow, dossier, private=False), rated=dossier.satisfaction is not None,
        missing=tuple(dossier.supplements[-1].missing) if awaited else (),
        tracking_url=tracking_url)
