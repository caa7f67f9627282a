"""``motcua calendar``: the working calendar and deadlines."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Annotated

import typer

from motcua.cli.common import (
    Database,
    echo_json,
    fail,
    friendly,
    open_app,
    parse_instant,
    sub_app,
)
from motcua.settings import Settings

calendar_app = sub_app("Lịch làm việc và tính hạn.")


@calendar_app.command("due")
@friendly
def calendar_due(
    from_: Annotated[str, typer.Option("--from", help="Thời điểm tiếp nhận, ISO-8601.")],
    days: Annotated[int | None, typer.Option("--days", min=0)] = None,
    hours: Annotated[float | None, typer.Option("--hours", min=0)] = None,
    mode: Annotated[str, typer.Option("--mode", help="hours | end-of-day")] = "hours",
    cutoff: Annotated[str | None, typer.Option("--cutoff", help="Giờ chốt, HH:MM")] = None,
    database: Database = None,
) -> None:
    """Tính ngày hẹn trả cho một thời điểm tiếp nhận."""
    from motcua.bootstrap import calendar_for
    from motcua.services.calendar import appointment

    if (days is None) == (hours is None):
        fail("Cần đúng một trong hai tùy chọn --days hoặc --hours.")
    if mode not in ("hours", "end-of-day"):
        fail("--mode phải là hours hoặc end-of-day.")
    if cutoff:
        try:
            time.fromisoformat(cutoff)
        except ValueError:
            fail(f"--cutoff phải có dạng HH:MM, nhận được {cutoff!r}.")
    received = parse_instant(from_, "--from")
    amount = {"working_days": days} if days is not None else {"working_hours": hours}
    echo_json(appointment(calendar_for(Settings().with_database(database)), received,
                          {**amount, "mode": mode, **({"cutoff": cutoff} if cutoff else {})}))


@calendar_app.command("year")
@friendly
def calendar_year(
    year: int,
    format: Annotated[str, typer.Option("--format", help="json | table")] = "table",
    database: Database = None,
) -> None:
    """Liệt kê ngày nghỉ và ngày làm bù của một năm, kèm lý do."""
    from motcua.bootstrap import calendar_for
    from motcua.calendar_sources import PACKAGE_SOURCE, decided_years

    cal = calendar_for(Settings().with_database(database))
    rules = cal.year_exceptions(year)
    weekday = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]
    kind_label = {"day_off": "Nghỉ", "working_day": "Làm việc"}
    # years without the Government's decision rest on the package's estimates
    estimated = year not in decided_years()
    if format == "json":
        echo_json({"year": year, "estimated": estimated, "days": [
            {"date": r.day.isoformat(), "weekday": weekday[r.day.weekday()], "kind": r.kind.value,
             "reason": r.reason, "source": r.source,
             "estimated": estimated and r.source == PACKAGE_SOURCE} for r in rules]})
        return
    if format != "table":
        fail("--format phải là json hoặc table.")
    from rich.console import Console
    from rich.table import Table

    title = f"Ngày nghỉ và ngày làm bù năm {year}"
    if estimated:
        title += " (dự kiến: chưa có quyết định của Chính phủ cho năm này)"
    table = Table(title=title)
    for column in ("Ngày", "Thứ", "Loại", "Lý do"):
        table.add_column(column)
    for r in rules:
        mark = " (dự kiến)" if estimated and r.source == PACKAGE_SOURCE else ""
        table.add_row(f"{r.day:%d/%m/%Y}", weekday[r.day.weekday()], kind_label[r.kind.value],
                      r.reason + mark)
    Console(width=160).print(table)


@calendar_app.command("import")
@friendly
def calendar_import(file: Path, database: Database = None) -> None:
    """Nhập ngày nghỉ/làm bù do quản trị viên điều chỉnh (tệp JSON theo năm)."""
    from motcua.services.calendar import import_overrides

    count = import_overrides(open_app(database), file, created_by="cli")
    typer.echo(f"Đã ghi {count} ngày điều chỉnh; áp dụng cho hồ sơ tiếp nhận từ bây giờ.")


# -- database, units, officials, procedures ------------------------------------------------
