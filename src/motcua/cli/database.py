"""``motcua db``: the schema, data migrations and report counters."""

from __future__ import annotations

import typer

from motcua.cli.common import (
    Database,
    friendly,
    open_app,
    sub_app,
)

db_app = sub_app("Cơ sở dữ liệu.")


@db_app.command("upgrade")
@friendly
def db_upgrade(database: Database = None) -> None:
    """Tạo mới hoặc nâng cấp lược đồ CSDL, rồi chạy các đợt tính lại dữ liệu còn chờ."""
    from motcua.domain.text import vn_date_time

    app = open_app(database)
    for migration, report in app.data_migrations_run:
        typer.echo(f"Đã chạy “{migration.description}” ({migration.name}): "
                   f"{len(report)} hồ sơ thay đổi.")
        for row in report:
            typer.echo(f"  {row['code']}: hạn {vn_date_time(row['due_before'], '—')} → "
                       f"{vn_date_time(row['due_after'], '—')}; hẹn trả "
                       f"{vn_date_time(row['appointment_before'], '—')} → "
                       f"{vn_date_time(row['appointment_after'], '—')}; đánh giá "
                       f"{row['timeliness_before'] or '—'} → {row['timeliness_after'] or '—'}")
    typer.echo("CSDL đã ở phiên bản mới nhất.")


@db_app.command("rebuild-stats")
@friendly
def db_rebuild_stats(database: Database = None) -> None:
    """Tính lại toàn bộ bộ đếm báo cáo từ hồ sơ (khi nghi ngờ bộ đếm sai lệch)."""
    from motcua.bootstrap import rebuild_stats

    rebuild_stats(open_app(database))
    typer.echo("Đã tính lại bộ đếm báo cáo.")
