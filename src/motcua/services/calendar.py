"""Administrator overrides of the working calendar."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from motcua.calendar_sources import load_rules_file
from motcua.domain.calendar import VN_TZ, DayRule, WorkingCalendar
from motcua.domain.procedures import deadline_from_dict
from motcua.services.context import Context


def add_overrides(ctx: Context, rules: list[DayRule], created_by: str = "") -> int:
    """Store overrides; they apply to computations made from now on.

    Appointments and planned deadlines are fixed (stored) at receipt, so an
    edit never rewrites what earlier dossiers were promised.
    """
    with ctx.uow() as uow:
        count = uow.calendar.add(ctx.settings.province_code, rules, created_by, ctx.clock.now())
        uow.commit()
    return count


def import_overrides(ctx: Context, path: Path, created_by: str = "") -> int:
    return add_overrides(ctx, load_rules_file(path), created_by)


def appointment(calendar: WorkingCalendar, received: datetime, deadline: dict) -> dict:
    """The effective receipt and the appointment for a receipt under a deadline given in the
    catalogue's form (``{"working_days" | "working_hours" | "calendar_days": N, "mode",
    "cutoff"}``), times in Vietnam time: what ``motcua calendar due`` and
    ``GET /api/v1/calendar/due`` answer."""
    rule = deadline_from_dict(deadline)
    if received.tzinfo is None:
        received = received.replace(tzinfo=VN_TZ)
    effective = calendar.effective_receipt(received, rule.cutoff)
    return {"received": received.astimezone(VN_TZ).isoformat(),
            "effective_receipt": effective.isoformat(),
            "appointment": calendar.due_from_effective(effective, rule).isoformat()}
