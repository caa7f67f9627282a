"""``motcua sync``: the national public-service portal — re-send a period, replay after a
change of the code map, reconcile counts, import the national catalogue."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Annotated

import typer

from motcua.cli.common import Database, _date, fail, friendly, open_app, sub_app
from motcua.domain.calendar import VN_TZ
from motcua.domain.text import vn_number

sync_app = sub_app("Đồng bộ với Cổng Dịch vụ công quốc gia.")
From = Annotated[str, typer.Option("--tu", help="Từ ngày tiếp nhận (dd/mm/yyyy).")]
To = Annotated[str, typer.Option("--den", help="Đến hết ngày (dd/mm/yyyy).")]


def _window(start: str, end: str) -> tuple[datetime, datetime]:
    first, last = _date(start), _date(end)
    if last < first:
        fail("Ngày kết thúc phải sau ngày bắt đầu.")
    return (datetime.combine(first, time.min, VN_TZ),
            datetime.combine(last + timedelta(days=1), time.min, VN_TZ))


def _client(ctx):
    from motcua.channels.portal import PortalClient

    client = PortalClient.from_settings(ctx.settings)
    if client is None:
        fail("Chưa cấu hình Cổng Dịch vụ công quốc gia (MOTCUA_DVCQG_URL, MOTCUA_DVCQG_AUTH_URL, "
             "tài khoản, MOTCUA_DVCQG_DSTCODE).")
    return client


def _queue(start: str, end: str, database: str | None, *, force: bool) -> int:
    from motcua.services.national_sync import enqueue

    return enqueue(open_app(database), *_window(start, end), force=force)


@sync_app.command("resend")
@friendly
def resend(start: From, end: To, database: Database = None) -> None:
    """Gửi lại toàn bộ hồ sơ tiếp nhận trong kỳ (kể cả hồ sơ Cổng đã có)."""
    queued = _queue(start, end, database, force=True)
    typer.echo(f"Đã xếp {vn_number(queued)} hồ sơ để gửi lại; tiến trình nền "
               f"(motcua worker) sẽ gửi.")


@sync_app.command("replay")
@friendly
def replay(start: From, end: To, database: Database = None) -> None:
    """Sau khi sửa bảng mã: gửi lại những hồ sơ có bản ghi thay đổi."""
    queued = _queue(start, end, database, force=False)
    typer.echo(f"Đã xếp {vn_number(queued)} hồ sơ để so lại; chỉ hồ sơ có bản ghi thay đổi "
               f"được gửi.")


@sync_app.command("reconcile")
@friendly
def reconcile(start: From, end: To, database: Database = None) -> None:
    """So số hồ sơ theo đơn vị, thủ tục, trạng thái và tháng với Cổng quốc gia."""
    from motcua.services.national_sync import reconcile as run

    ctx = open_app(database)
    with _client(ctx) as client:
        result = run(ctx, client, *_window(start, end))
    if result["error"]:
        fail(f"Không đối soát được: {result['error']}")
    typer.echo(f"motcua: {vn_number(result['motcua'])} hồ sơ; Cổng quốc gia: "
               f"{vn_number(result['portal'])}; chênh lệch: {vn_number(result['differences'])} "
               f"(chi tiết ở trang /dong-bo).")
    if result["differences"]:
        raise typer.Exit(1)


@sync_app.command("catalogue")
@friendly
def catalogue_command(
    file: Annotated[Path | None, typer.Option(
        "--file", help="Tệp JSON các thủ tục dạng LayThuTuc (không có: lấy từ Cổng).")] = None,
    apply: Annotated[bool, typer.Option(
        "--apply", help="Lưu phiên bản mới cho thủ tục thay đổi (mặc định chỉ báo cáo).")] = False,
    database: Database = None,
) -> None:
    """Đối chiếu danh mục thủ tục quốc gia với thủ tục đang áp dụng; --apply để cập nhật."""
    from motcua.services import catalogue

    ctx = open_app(database)
    if file is not None:
        records, listed = catalogue.read_file(file), []
    else:
        with _client(ctx) as client:
            records, listed = catalogue.fetch(ctx, client)
    changes = catalogue.plan(ctx, records, listed)
    for c in changes:
        if c.kind == "không đổi":
            continue
        typer.echo(f"{c.code} {c.name}: {c.kind}{(' — ' + c.error) if c.error else ''}")
        for label, old, new in c.differences:
            typer.echo(f"    {label}: {old[:120]} → {new[:120]}")
    counts = {k: sum(1 for c in changes if c.kind == k)
              for k in ("thay đổi", "lỗi", "mới", "không đổi")}
    typer.echo("; ".join(f"{vn_number(n)} {k}" for k, n in counts.items()) + ".")
    if apply:
        typer.echo(f"Đã tạo phiên bản mới cho {vn_number(catalogue.apply(ctx, changes))} "
                   f"thủ tục.")
