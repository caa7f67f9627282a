"""Unit use cases: create, import a province's communes/wards, rename, merge."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from motcua.domain.commands import Transfer
from motcua.domain.errors import Conflict, ValidationError
from motcua.domain.text import nfc
from motcua.domain.units import Official, Unit, UnitKind
from motcua.services import events
from motcua.services.context import Context
from motcua.services.dossiers import actor_of


def create_unit(ctx: Context, *, code: str, name: str, kind: str, parent_code: str | None = None,
                place_name: str = "", valid_from: date | None = None) -> Unit:
    with ctx.uow() as uow:
        unit = _add(uow, ctx, code, name, UnitKind(kind), parent_code, place_name, valid_from)
        uow.commit()
    return unit


def _add(uow, ctx: Context, code: str, name: str, kind: UnitKind, parent_code: str | None,
         place_name: str, valid_from: date | None) -> Unit:
    code = code.strip().upper()
    if not code or not name.strip():
        raise ValidationError("Đơn vị cần có mã và tên.")
    if uow.units.find_code(code) is not None:
        raise Conflict(f"Đã có đơn vị mang mã {code}.")
    parent_id = uow.units.by_code(parent_code).id if parent_code else None
    return uow.units.add(Unit(0, ctx.settings.province_code, code, nfc(name), kind, parent_id,
                              valid_from, None, None, nfc(place_name)), ctx.clock.now())


AGENCY_CODE = re.compile(r"^[A-Z][0-9]{2}(\.[0-9]{2}){0,3}$")


def set_agency_code(ctx: Context, code: str, agency_code: str) -> Unit:
    """Record a unit's national agency identifier (mã định danh cơ quan, e.g. H15.50.05.13).

    Dossier codes use it from then on when the province has chosen so
    (``MOTCUA_DOSSIER_CODE_PREFIX=agency``); codes already given never change.
    """
    value = (agency_code or "").strip().upper() or None
    if value is not None and not AGENCY_CODE.match(value):
        raise ValidationError(f"Mã định danh cơ quan “{agency_code}” không đúng dạng (ví dụ "
                              f"H15.50.05.13: một chữ cái, hai chữ số, rồi các nhóm .NN).")
    with ctx.uow() as uow:
        unit = uow.units.by_code(code)
        uow.units.set_agency_code(unit.id, value)
        uow.commit()
    return replace(unit, agency_code=value)


def import_province(ctx: Context, province_code: int) -> tuple[Unit, int]:
    """Load the province and its communes/wards from the ``vietnam-provinces`` package.

    Unit codes: ``P66`` for the province, the 5-digit national ward code for
    communes and wards (the codes of the 2025 administrative division list).
    Already present units are left as they are, so the import can be re-run.
    """
    from vietnam_provinces import Province, ProvinceCode, Ward

    try:
        province = Province.from_code(ProvinceCode(province_code))
    except ValueError as exc:
        raise ValidationError(f"Không có tỉnh/thành phố mã {province_code}.") from exc
    added = 0
    with ctx.uow() as uow:
        code = f"P{province_code:02d}"
        top = uow.units.find_code(code)
        if top is None:
            top = _add(uow, ctx, code, nfc(province.name), UnitKind.PROVINCE, None,
                       nfc(province.name), date(2025, 7, 1))
            added += 1
        for ward in Ward.iter_by_province(ProvinceCode(province_code)):
            ward_code = f"{int(ward.code):05d}"
            if uow.units.find_code(ward_code) is not None:
                continue
            kind = UnitKind.WARD if ward.division_type.value == "phường" else UnitKind.COMMUNE
            name = nfc(ward.name)
            place = name.split(" ", 1)[1] if " " in name else name
            _add(uow, ctx, ward_code, name, kind, code, place, date(2025, 7, 1))
            added += 1
        uow.commit()
    return top, added


def rename_unit(ctx: Context, code: str, new_name: str, valid_from: date) -> None:
    """Rename from a date; reports show the name a unit had when the work was done."""
    with ctx.uow() as uow:
        unit = uow.units.by_code(code)
        uow.units.rename(unit.id, nfc(new_name), valid_from, ctx.clock.now())
        uow.commit()


def merge_units(ctx: Context, sources: list[str], target: str, valid_from: date,
                official: Official | None = None) -> int:
    """Merge units into ``target`` from a date.

    Dossiers in flight move to the successor with their history (a ``transfer``
    audit event each); finished steps keep the unit that did them, so reports
    still attribute past work to it. Returns the number of dossiers moved.
    """
    touched = []
    with ctx.uow() as uow:
        successor = uow.units.by_code(target)
        now = ctx.clock.now()
        for code in sources:
            unit = uow.units.by_code(code)
            if unit.id == successor.id:
                raise ValidationError("Đơn vị không thể sáp nhập vào chính nó.")
            uow.units.close(unit.id, valid_from, successor.id)
            reason = f"Sáp nhập {unit.name} vào {successor.name} từ {valid_from:%d/%m/%Y}"
            for dossier in uow.dossiers.in_flight_touching(unit.id):
                dossier.apply(Transfer(unit.id, successor.id, reason),
                              at=max(now, dossier.last_action_at), actor=actor_of(official),
                              cal=ctx.calendar)
                touched.append(dossier)
        events.commit(ctx, uow, touched)
    return len(touched)
