"""The leaders' dashboard: headline figures, monthly trends, units ranked, dossiers at risk.

Every number links to the list of dossiers behind it (``/lanh-dao/ho-so``), built
by the same query rules as the report. Charts are SVG drawn here: no internet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from motcua.domain.errors import PermissionDenied
from motcua.reports import behind, lists, make_report
from motcua.reports import charts as chart_data
from motcua.reports import staffing as staffing_report
from motcua.reports.core import DRILL_KINDS, INDEX_DRILLS, Period
from motcua.reports.export import drill_xlsx, to_csv, to_xlsx
from motcua.reports.index766 import INPUT_LABELS
from motcua.services import postal
from motcua.web import charts
from motcua.web.common import file_response, page, parse_instant, require_official

router = APIRouter(include_in_schema=False)
def _scope(request: Request, unit: str) -> tuple[str | None, list[str]]:
    return lists.leader_scope(request.app.state.ctx, require_official(request), unit)


def _period(request: Request, first_day: str, last_day: str) -> Period:
    today = request.app.state.ctx.clock.now().date()
    first = parse_instant(first_day, "Từ ngày").date() if first_day else date(today.year, 1, 1)
    last = parse_instant(last_day, "Đến ngày").date() if last_day else today
    return Period(first, last)


def _a_year_before(period: Period) -> Period:
    def back(day: date) -> date:
        return day.replace(year=day.year - 1, day=min(day.day, 28 if day.month == 2 else 31))
    return Period(back(period.first), back(period.last))


def _named(row: dict) -> dict:
    """A unit row with its name alone (the report's group is "code name")."""
    code, _, name = row["group"].partition(" ")
    return {**row, "name": name or code}


@router.get("/lanh-dao", response_class=HTMLResponse)
def dashboard(request: Request, first_day: str = Query("", alias="tu", max_length=10),
              last_day: str = Query("", alias="den", max_length=10),
              unit_code: str = Query("", alias="don_vi", max_length=40)):
    ctx = request.app.state.ctx
    unit, allowed = _scope(request, unit_code)
    period = _period(request, first_day, last_day)
    by_unit = make_report(ctx, "ontime", period, "unit", unit)
    by_month = make_report(ctx, "ontime", period, "month", unit)
    index = make_report(ctx, "index766", period, None, unit)
    base = {"tu": f"{period.first:%d/%m/%Y}", "den": f"{period.last:%d/%m/%Y}",
            "don_vi": unit or ""}

    def drill(kind: str, by: str | None = None, key=None) -> str:
        query = {**base, "loai": kind, **({"nhom": by, "khoa": key} if by else {})}
        return "/lanh-dao/ho-so?" + urlencode(query)

    ranked = sorted((_named(r) for r in by_unit["rows"] if r["finished"]),
                    key=lambda r: (-(r["on_time_rate_pct"] or 0), r["name"]))
    before = make_report(ctx, "ontime", _a_year_before(period), "month", unit)
    last_year = {r["group"][:2] + "/" + str(int(r["group"][3:]) + 1): r for r in before["rows"]}
    at_risk = behind(ctx, period, "overdue_now", unit, limit=20)
    soon = behind(ctx, period, "due_soon", unit, limit=200)[:20]
    return page(request, "dashboard.html", totals=by_unit["totals"], ranked=ranked,
                chart=charts.trend(by_month["rows"], last_year,
                                   lambda r: drill("received", "month", r["key"])),
                ranked_chart=charts.ranked(ranked, lambda r: drill("late", "unit", r["key"])),
                lateness=charts.lateness(chart_data.lateness_sources(ctx, period, unit)),
                channels=charts.channels(chart_data.channel_mix(ctx, period, unit)),
                tiles=charts.tiles(chart_data.communes(ctx, unit),
                                   {r["key"]: r for r in by_unit["rows"]},
                                   lambda key: drill("received", "unit", key)),
                index=index, at_risk=at_risk, soon=soon, drill=drill, period=period,
                allowed=allowed, unit=unit or "", kinds=DRILL_KINDS, query=base,
                index_drills=INDEX_DRILLS, input_labels=INPUT_LABELS,
                report=postal.returns_report(ctx, period.start, period.end, unit_code=unit),
                choices=lists.scope_choices(ctx, require_official(request)))


@router.get("/lanh-dao/nhan-luc", response_class=HTMLResponse)
def staffing(request: Request, first_day: str = Query("", alias="tu", max_length=10),
             last_day: str = Query("", alias="den", max_length=10),
             unit_code: str = Query("", alias="don_vi", max_length=40),
             hours: float = Query(staffing_report.DEFAULT_HOURS, alias="gio", ge=0.5, le=8),
             extra: int = Query(0, alias="them", ge=0, le=200)):
    """Staffing beside workload and late risk per unit, with "with N more officials"."""
    ctx = request.app.state.ctx
    unit, _ = _scope(request, unit_code)
    period = _period(request, first_day, last_day)
    report = staffing_report.staffing_risk(ctx, year=period.last.year, period=period,
                                           unit_code=unit, hours_per_official=hours,
                                           extra=extra)
    return page(request, "staffing.html", report=report, unit=unit or "", hours=hours,
                extra=extra, query={"tu": f"{period.first:%d/%m/%Y}",
                                    "den": f"{period.last:%d/%m/%Y}"},
                choices=lists.scope_choices(ctx, require_official(request)))


@dataclass(frozen=True)
class DrillQuery:
    """Which number's dossiers: the same query for the page and its Excel download."""

    kind: str = Query("received", alias="loai", max_length=20)
    first_day: str = Query("", alias="tu", max_length=10)
    last_day: str = Query("", alias="den", max_length=10)
    unit_code: str = Query("", alias="don_vi", max_length=40)
    by: str = Query("", alias="nhom", max_length=20)
    key: str = Query("", alias="khoa", max_length=80)

    def rows(self, request: Request):
        unit, _ = _scope(request, self.unit_code)
        period = _period(request, self.first_day, self.last_day)
        return unit, period, behind(request.app.state.ctx, period, self.kind, unit,
                                    by=self.by or None, key=self.key or None)


@router.get("/lanh-dao/ho-so", response_class=HTMLResponse)
def drill_down(request: Request, q: DrillQuery = Depends()):
    unit, period, rows = q.rows(request)
    base = {"tu": f"{period.first:%d/%m/%Y}", "den": f"{period.last:%d/%m/%Y}",
            "don_vi": unit or ""}
    query = urlencode({**base, "loai": q.kind, **({"nhom": q.by, "khoa": q.key} if q.by else {})})
    ctx = request.app.state.ctx
    unit_name = lists.unit_names(ctx, [unit])[unit] if unit else "toàn tỉnh"
    return page(request, "drill.html", rows=rows, kind=DRILL_KINDS.get(q.kind, q.kind),
                period=period, unit_name=unit_name, back=urlencode(base), query=query)


@router.get("/lanh-dao/ho-so.xlsx")
def drill_export(request: Request, q: DrillQuery = Depends()):
    """The dossiers behind a number, as Excel (unit, step, official, days late, overruns)."""
    _, period, rows = q.rows(request)
    return file_response(drill_xlsx(rows, DRILL_KINDS.get(q.kind, q.kind), period),
                         f"ho-so-{q.kind}.xlsx")


@router.get("/lanh-dao/bao-cao/{kind}.{fmt}")
def export(request: Request, kind: str, fmt: str,
           first_day: str = Query("", alias="tu", max_length=10),
           last_day: str = Query("", alias="den", max_length=10),
           unit_code: str = Query("", alias="don_vi", max_length=40),
           by: str = Query("", alias="nhom", max_length=20),
           dialect: str = Query("", alias="kieu", max_length=8)):
    """Any report as Excel or CSV, for the same scope and period as the dashboard
    (``kieu=vn``: the CSV of a Vietnamese Excel, semicolons and decimal commas)."""
    ctx = request.app.state.ctx
    unit, _ = _scope(request, unit_code)
    report = make_report(ctx, kind, _period(request, first_day, last_day), by or None, unit)
    if fmt in ("xlsx", "csv"):
        data = to_xlsx(report) if fmt == "xlsx" else to_csv(report, dialect == "vn")
        return file_response(data, f"bao-cao-{kind}.{fmt}")
    raise PermissionDenied("Định dạng xuất phải là xlsx hoặc csv.")
