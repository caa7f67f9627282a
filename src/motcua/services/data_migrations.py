"""Data migrations: stored dossiers recomputed after a rule or calendar correction.

Each runs once (``data_migrations`` keeps its name, when it ran and what it
changed); each dossier it changes gets an audit event saying why, with the
values before and after, so nothing is silently rewritten. ``run_pending``
runs after the schema migrations (``bootstrap.build``, ``motcua db upgrade``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from motcua.domain.calendar import VN_TZ, DayKind, DayRule, WorkingCalendar
from motcua.domain.commands import Recalendar
from motcua.domain.lifecycle import SYSTEM
from motcua.serialize import to_json
from motcua.services import events
from motcua.services.context import Context

BATCH = 200


@dataclass(frozen=True)
class DataMigration:
    name: str
    description: str
    run: Callable[[Context], list[dict]]


def recalendar(ctx: Context, previous: WorkingCalendar, first: date, last: date,
               reason: str) -> list[dict]:
    """Re-apply the current calendar to dossiers whose times were computed under
    ``previous`` and may have counted days in [first, last]; the changed ones, listed."""
    start = datetime.combine(first, time(0, 0), VN_TZ)
    end = datetime.combine(last + timedelta(days=1), time(0, 0), VN_TZ)
    now = ctx.clock.now()
    changed: list[dict] = []
    with ctx.uow() as uow:
        codes = uow.dossiers.codes_with_times_in(start, end)
    for i in range(0, len(codes), BATCH):
        with ctx.uow() as uow:
            touched = []
            for code in codes[i:i + BATCH]:
                dossier = uow.dossiers.get(code)
                old = (dossier.due, dossier.appointment, dossier.timeliness)
                dossier.apply(Recalendar(previous, reason),
                              at=max(now, dossier.last_action_at), actor=SYSTEM,
                              cal=ctx.calendar)
                if not dossier.pending_events:
                    continue  # the corrected calendar changes nothing here
                touched.append(dossier)
                changed.append(to_json({
                    "code": code, "due_before": old[0], "due_after": dossier.due,
                    "appointment_before": old[1], "appointment_after": dossier.appointment,
                    "timeliness_before": old[2], "timeliness_after": dossier.timeliness}))
            events.commit(ctx, uow, touched)
    return changed


def _culture_day_2026(ctx: Context) -> list[dict]:
    """24/11/2026, Ngày Văn hóa Việt Nam, was shipped as a working day; it is a paid day
    off from 2026 (Politburo Resolution 80-NQ/TW, Government Resolution 30/NQ-CP, National
    Assembly Resolution 28/2026/QH16)."""
    day = date(2026, 11, 24)
    cal = ctx.calendar
    if not cal.first_year <= day.year <= cal.last_year or cal.is_working_day(day):
        return []  # outside this calendar, or an administrator keeps the day worked
    previous = WorkingCalendar(
        rules=[*cal.rules.values(), DayRule(day, DayKind.WORKING_DAY, "Dữ liệu lịch cũ")],
        hours=cal.hours, first_year=cal.first_year, last_year=cal.last_year)
    return recalendar(ctx, previous, day, day,
                      "Ngày 24/11/2026 (Ngày Văn hóa Việt Nam) là ngày nghỉ hưởng nguyên "
                      "lương; tính lại thời hạn đã tính khi ngày này còn là ngày làm việc")


def _digitised_counters(ctx: Context) -> list[dict]:
    """The report counters' ``digitised_n`` now counts dossiers with digitised inputs
    (Decision 766 indicator 6.2), not inputs and an electronic result together."""
    with ctx.uow() as uow:
        uow.rebuild_stats()
        uow.commit()
    return []


def _seal_audit_chains(ctx: Context) -> list[dict]:
    """Chains written before the audit key existed get their seal (issue 15)."""
    from motcua.services.audit import seal_unsealed

    return seal_unsealed(ctx)


MIGRATIONS: tuple[DataMigration, ...] = (
    DataMigration("2026-11-24-ngay-van-hoa-viet-nam",
                  "Tính lại hạn, ngày hẹn và kết quả đánh giá của hồ sơ tính qua 24/11/2026",
                  _culture_day_2026),
    DataMigration("2026-11-30-bo-dem-so-hoa",
                  "Tính lại bộ đếm báo cáo: hồ sơ có thành phần số hóa (chỉ số 6.2)",
                  _digitised_counters),
    DataMigration("2026-12-01-niem-phong-nhat-ky",
                  "Niêm phong (HMAC) chuỗi nhật ký của các hồ sơ đã có, sau khi kiểm tra",
                  _seal_audit_chains),
)


def run_pending(ctx: Context) -> list[tuple[DataMigration, list[dict]]]:
    """Run the data migrations not yet run; what each changed."""
    with ctx.uow() as uow:
        done = uow.data_migrations.applied()
    out = []
    for migration in MIGRATIONS:
        if migration.name in done:
            continue
        report = migration.run(ctx)
        with ctx.uow() as uow:
            uow.data_migrations.record(migration.name, ctx.clock.now(), report)
            uow.commit()
        out.append((migration, report))
    return out
