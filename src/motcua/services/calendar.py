"""Administrator overrides of the working calendar."""

from __future__ import annotations

from pathlib import Path

from motcua.calendar_sources import load_rules_file
from motcua.domain.calendar import DayRule
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
