"""Reports: the read side for leaders, computed in the database with SQL.

Every report covers the dossiers **received** in the period (a cohort: what
happened to what came in), except ``steps`` and the "handled" part of
``workload``, which cover the steps **finished** in the period. Counts of
dossiers still open ("in progress", "due soon", "overdue now") are as of the
moment the report is made. See docs/reports.md.
"""

from __future__ import annotations

KINDS = ("ontime", "steps", "workload", "index766", "supplements", "digitisation",
         "feedback")


def behind(ctx, period, kind: str, unit_code: str | None = None, by: str | None = None,
           key: str | None = None, limit: int = 500) -> list:
    """The dossiers behind one number of the on-time report, for the app ``ctx``."""
    from motcua.reports import core

    return core.dossiers_behind(ctx.engine, ctx.calendar,
                                province_code=ctx.settings.province_code, period=period,
                                kind=kind, now=ctx.clock.now(), by=by, key=key,
                                unit_code=unit_code, due_soon_share=ctx.settings.due_soon_share,
                                limit=limit)


def cchc_annual(ctx, year: int, scope: str | None = None) -> dict:
    """The administrative-reform report of ``year`` as of today, national or one agency's."""
    from motcua.reports.cchc import annual

    return annual(ctx.engine, year, scope, today=ctx.clock.now().date())


def make_report(ctx, kind: str, period, by: str | None = None,
                unit_code: str | None = None, source: str = "auto") -> dict:
    """Build one report for the app ``ctx`` (engine, calendar, clock, settings)."""
    from motcua.domain.errors import ValidationError
    from motcua.reports import core
    from motcua.reports.index766 import index766

    common = {"province_code": ctx.settings.province_code, "period": period,
              "unit_code": unit_code}
    now = ctx.clock.now()
    if kind == "ontime":
        return core.ontime(ctx.engine, ctx.calendar, by=by or "unit", now=now,
                           due_soon_share=ctx.settings.due_soon_share, source=source, **common)
    if kind == "steps":
        return core.steps(ctx.engine, by=by or "unit", **common)
    if kind == "workload":
        return core.workload(ctx.engine, by=by or "official", now=now, **common)
    if kind == "supplements":
        return core.supplements(ctx.engine, **common)
    if kind == "feedback":
        from motcua.reports.feedback import feedback

        return feedback(ctx.engine, now=now, **common)
    if kind == "digitisation":
        from motcua.reports.digitisation import digitisation

        return digitisation(ctx.engine, by=by or "unit", **common)
    if kind == "index766":
        return index766(ctx.engine, now=now, source=source, sync_minutes=_sync_minutes(ctx),
                        **common)
    raise ValidationError(f"Không có báo cáo “{kind}”; chọn một trong: {', '.join(KINDS)}.")


def _sync_minutes(ctx) -> int | None:
    """How soon a dossier must reach the national portal to count as synchronised in real
    time (Decision 766, 1.4); ``None`` while the portal is not connected."""
    return ctx.settings.sync_realtime_minutes if ctx.settings.dvcqg_url else None


def public_statistics(ctx) -> dict:
    """The open-data figures of the province (``reports.open_data``), computed at most once
    every ten minutes per process: the page is public and the figures costly."""
    from vietnam_provinces import Province, ProvinceCode

    from motcua.reports.open_data import open_statistics
    from motcua.services.cache import kept

    code = ctx.settings.province_code
    try:
        name = "Toàn tỉnh " + Province.from_code(ProvinceCode(code)).name
    except ValueError:
        name = "Toàn tỉnh"
    return kept(ctx, ("open-statistics", code), lambda: open_statistics(
        ctx.engine, province_code=code, province_name=name, now=ctx.clock.now(),
        sync_minutes=_sync_minutes(ctx)), 600)
